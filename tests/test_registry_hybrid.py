"""UnifiedRegistryManager: workspace-first resolution, overrides, conflicts, contexts."""

from __future__ import annotations

import asyncio
import textwrap
import threading
from pathlib import Path

import pytest

from cursus_core.registry import (
    CORE_STEP_NAMES,
    RegistryProblem,
    ResolutionContext,
    StepNotFoundError,
    UnifiedRegistryManager,
    UnknownWorkspaceError,
    clear_workspace_context,
    get_workspace_context,
    set_workspace_context,
    workspace_context,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def entry(name: str, kind: str = "Processing", desc: str = "") -> str:
    return (f'"{name}": {{"config_class": "{name}Config", "builder_step_name": "{name}StepBuilder", '
            f'"spec_type": "{name}", "sagemaker_step_type": "{kind}", "description": "{desc}"}},')


def workspace_file(root: Path, ws: str, steps: list[str] = (), overrides: list[str] = (),
                   tags: list[str] = ()) -> Path:
    registry = root / "development" / "projects" / ws / "src" / "cursus_dev" / "registry"
    body = [f"WORKSPACE_METADATA = {{'developer_id': '{ws}', 'environment_tags': {list(tags)!r}}}",
            "WORKSPACE_STEPS = {", *steps, "}", "STEP_OVERRIDES = {", *overrides, "}"]
    return write(registry / "workspace_registry.py", "\n".join(body) + "\n")


@pytest.fixture(autouse=True)
def _clean_context():
    clear_workspace_context()
    yield
    clear_workspace_context()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workspace_file(tmp_path, "alice",
                   steps=[entry("FeatureHashing", desc="hash features with pytorch"), entry("SharedStep")],
                   overrides=['"XGBoostTraining": {"config_class": "AliceXGBConfig", '
                              '"builder_step_name": "AliceXGBStepBuilder", "spec_type": "XGBoostTraining", '
                              '"sagemaker_step_type": "Training"},'],
                   tags=["gpu"])
    workspace_file(tmp_path, "bob", steps=[entry("SharedStep", desc="xgboost flavour"), entry("BobOnly")],
                   tags=["prod", "cpu"])
    (tmp_path / "development" / "projects" / "no_registry").mkdir(parents=True)
    return tmp_path


def test_default_core_table(tmp_path: Path) -> None:
    manager = UnifiedRegistryManager()
    assert manager.list_steps() == sorted(CORE_STEP_NAMES)
    definition = manager.get_step_definition("TabularPreprocessing")
    assert (definition.config_class, definition.registry_type, definition.workspace_id, definition.source_path) == (
        "TabularPreprocessingConfig", "core", None, None)
    assert manager.create_legacy_step_names_dict()["XGBoostModel"] == CORE_STEP_NAMES["XGBoostModel"]
    assert manager.problems == []


def test_discover_and_workspace_first_resolution(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    assert manager.list_workspaces() == ["alice", "bob"]
    assert manager.problems == []
    # no workspace: core only
    assert manager.get_step_definition("XGBoostTraining").config_class == "XGBoostTrainingConfig"
    assert not manager.has_step("FeatureHashing")
    # explicit workspace: override replaces core for that workspace only
    alice = manager.get_step_definition("XGBoostTraining", workspace_id="alice")
    assert (alice.config_class, alice.registry_type, alice.workspace_id, alice.line) == (
        "AliceXGBConfig", "override", "alice", 7)
    assert alice.source_path == (repo / "development/projects/alice/src/cursus_dev/registry/workspace_registry.py")
    assert manager.get_step_definition("XGBoostTraining", workspace_id="bob").config_class == "XGBoostTrainingConfig"
    local = manager.get_step_definition("FeatureHashing", workspace_id="alice")
    assert (local.registry_type, local.line, local.column) == ("workspace", 3, 1)
    assert manager.get_step_definition("Package", workspace_id="alice").registry_type == "core"
    assert manager.list_steps("bob") == sorted([*CORE_STEP_NAMES, "BobOnly", "SharedStep"])


def test_context_workspace_is_used_when_none_is_given(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    with workspace_context("alice"):
        assert get_workspace_context() == "alice"
        assert manager.get_step_definition("XGBoostTraining").config_class == "AliceXGBConfig"
        assert manager.get_step_definition("XGBoostTraining", workspace_id="bob").config_class == \
            "XGBoostTrainingConfig"
        with workspace_context("bob"):
            assert manager.has_step("BobOnly") and not manager.has_step("FeatureHashing")
        assert get_workspace_context() == "alice"
    assert get_workspace_context() is None
    set_workspace_context("unknown-to-this-manager")
    assert manager.list_steps() == sorted(CORE_STEP_NAMES)  # an unknown context workspace means core
    clear_workspace_context()
    assert get_workspace_context() is None


def test_contexts_do_not_leak_between_threads(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    barrier = threading.Barrier(2)
    seen: dict[str, tuple[str | None, str]] = {}

    def worker(ws: str) -> None:
        set_workspace_context(ws)
        barrier.wait()  # both threads have set their context before either reads
        seen[ws] = (get_workspace_context(), manager.get_step_definition("XGBoostTraining").config_class)

    set_workspace_context("bob")
    threads = [threading.Thread(target=worker, args=(ws,)) for ws in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"alice": ("alice", "AliceXGBConfig"), "bob": ("bob", "XGBoostTrainingConfig")}
    assert get_workspace_context() == "bob"  # the main thread's context is its own


def test_contexts_do_not_leak_between_asyncio_tasks(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)

    async def task(ws: str | None, results: dict[str | None, list[str | None]]) -> None:
        if ws is not None:
            set_workspace_context(ws)
        out = []
        for _ in range(3):
            await asyncio.sleep(0)  # interleave with the other tasks
            out.append(get_workspace_context())
        out.append(manager.get_step_definition("XGBoostTraining").config_class)
        results[ws] = out

    async def main() -> dict[str | None, list[str | None]]:
        results: dict[str | None, list[str | None]] = {}
        await asyncio.gather(task("alice", results), task("bob", results), task(None, results))
        results["after"] = [get_workspace_context()]
        return results

    assert asyncio.run(main()) == {
        "alice": ["alice", "alice", "alice", "AliceXGBConfig"],
        "bob": ["bob", "bob", "bob", "XGBoostTrainingConfig"],
        None: [None, None, None, "XGBoostTrainingConfig"],
        "after": [None],
    }


def test_not_found_lists_closest_names(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    with pytest.raises(StepNotFoundError) as info:
        manager.get_step_definition("XGBoostTrainig")
    assert isinstance(info.value, KeyError)
    assert str(info.value) == ("step 'XGBoostTrainig' is not registered in the core registry; did you mean "
                               "'XGBoostTraining', 'LightGBMTraining', 'PyTorchTraining'?")
    assert info.value.closest == ["XGBoostTraining", "LightGBMTraining", "PyTorchTraining"]
    with pytest.raises(StepNotFoundError) as info:
        manager.get_step_definition("FeatureHash", workspace_id="alice")
    assert str(info.value).startswith("step 'FeatureHash' is not registered in workspace 'alice' or the core "
                                      "registry; did you mean 'FeatureHashing'")
    with pytest.raises(StepNotFoundError, match=r"^step 'Zzzzzz' is not registered in the core registry$"):
        manager.get_step_definition("Zzzzzz")
    with pytest.raises(UnknownWorkspaceError, match=r"^unknown workspace 'carol' \(known: 'alice', 'bob'\)$"):
        manager.get_step_definition("Package", workspace_id="carol")


def test_conflicts_and_statistics(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    conflicts = manager.get_step_conflicts()
    assert list(conflicts) == ["SharedStep"]
    assert [(d.workspace_id, d.registry_type) for d in conflicts["SharedStep"]] == [
        ("alice", "workspace"), ("bob", "workspace")]
    assert manager.get_registry_statistics() == {
        "core_steps": 25,
        "workspaces": 2,
        "workspace_details": {
            "alice": {"local_steps": 2, "overrides": 1, "total_steps": 27, "files": 1},
            "bob": {"local_steps": 2, "overrides": 0, "total_steps": 27, "files": 1},
        },
        "conflicts": 1,
        "problems": 0,
    }


def test_legacy_dict_per_workspace(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    legacy = manager.create_legacy_step_names_dict("alice")
    assert list(legacy) == sorted([*CORE_STEP_NAMES, "FeatureHashing", "SharedStep"])
    assert legacy["XGBoostTraining"] == {"config_class": "AliceXGBConfig", "builder_step_name": "AliceXGBStepBuilder",
                                         "spec_type": "XGBoostTraining", "sagemaker_step_type": "Training",
                                         "description": ""}
    assert manager.create_legacy_step_names_dict()["XGBoostTraining"] == CORE_STEP_NAMES["XGBoostTraining"]


def test_resolve_step_modes(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    r = manager.resolve_step("XGBoostTraining", ResolutionContext(workspace_id="alice"))
    assert (r.resolved, r.source_registry, r.workspace_id, r.reason) == (
        True, "override", "alice", "workspace 'alice' overrides the core definition")
    r = manager.resolve_step("XGBoostTraining")
    assert (r.resolved, r.source_registry, r.reason) == (True, "core", "core definition")
    r = manager.resolve_step("SharedStep", ResolutionContext(workspace_id="bob"))
    assert (r.resolved, r.workspace_id, r.reason, len(r.conflicts)) == (True, "bob", "workspace 'bob' defines it", 2)
    # only in one workspace: automatic finds it, strict refuses
    r = manager.resolve_step("BobOnly")
    assert (r.resolved, r.workspace_id, r.reason) == (True, "bob", "defined only in workspace 'bob'")
    r = manager.resolve_step("BobOnly", ResolutionContext(resolution_mode="strict"))
    assert (r.resolved, r.selected_definition, r.reason) == (
        False, None, "step 'BobOnly' is defined only in workspace(s) 'bob'; strict mode needs that workspace in "
                     "the context")
    # defined by two workspaces
    r = manager.resolve_step("SharedStep", ResolutionContext(resolution_mode="interactive"))
    assert (r.resolved, r.reason, [d.workspace_id for d in r.conflicts]) == (
        False, "step 'SharedStep' is defined in workspaces 'alice', 'bob'; choose one", ["alice", "bob"])
    r = manager.resolve_step("SharedStep", ResolutionContext(preferred_framework="XGBoost"))
    assert (r.resolved, r.workspace_id, r.reason) == (True, "bob", "workspace 'bob' matches the context best (score 2)")
    r = manager.resolve_step("SharedStep", ResolutionContext(environment_tags=["gpu"]))
    assert (r.workspace_id, r.reason) == ("alice", "workspace 'alice' matches the context best (score 1)")
    r = manager.resolve_step("SharedStep")
    assert (r.workspace_id, r.reason) == (
        "alice", "several workspaces define 'SharedStep' equally well; took 'alice' (first by id)")
    r = manager.resolve_step("Nope", ResolutionContext(workspace_id="carol"))
    assert (r.resolved, r.reason) == (False, "unknown workspace 'carol' (known: 'alice', 'bob')")
    r = manager.resolve_step("Pakage")
    assert (r.resolved, r.reason) == (False, "step 'Pakage' is not registered; closest: 'Package', 'Payload', 'Base'")


def test_core_table_from_a_file_is_read_statically(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    core = write(tmp_path / "step_names.py", f'''
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("x")
        STEP_NAMES = {{
            {entry("Alpha")}
            "Beta": {{"config_class": "BetaConfig"}},
            "Gamma": gamma(),
        }}
    ''')
    manager = UnifiedRegistryManager(core_table=core)
    assert not marker.exists()
    assert manager.list_steps() == ["Alpha"]
    alpha = manager.get_step_definition("Alpha")
    assert (alpha.source_path, alpha.line, alpha.column) == (core, 4, 5)
    assert [(p.kind, p.step, p.line) for p in manager.problems] == [("missing-key", "Beta", 5),
                                                                     ("non-literal", "Gamma", 6)]
    assert manager.core_path == core


def test_core_table_problems_from_mapping_and_empty_file(tmp_path: Path) -> None:
    manager = UnifiedRegistryManager(core_table={"A": {"config_class": "AConfig"}, "B": "x",
                                                 "C": {"config_class": "CConfig", "builder_step_name": "CB",
                                                       "spec_type": "C", "sagemaker_step_type": "Processing"}})
    assert manager.list_steps() == ["C"]
    assert manager.problems == [
        RegistryProblem(None, 1, 1, "step 'A' in the core table is missing required key(s): 'builder_step_name', "
                                    "'spec_type', 'sagemaker_step_type'", "missing-key", "A", "builder_step_name"),
        RegistryProblem(None, 1, 1, "core table entry 'B' is not a dict", "wrong-type", "B"),
    ]
    empty = write(tmp_path / "empty.py", "x = 1\n")
    manager = UnifiedRegistryManager(core_table=empty)
    assert manager.list_steps() == []
    assert [p.message for p in manager.problems] == ["core registry file defines no STEP_NAMES table"]
    broken = write(tmp_path / "broken.py", "STEP_NAMES = {\n")
    assert [p.kind for p in UnifiedRegistryManager(core_table=broken).problems] == ["syntax-error"]


def test_workspace_problems_are_collected(tmp_path: Path) -> None:
    ws_dir = tmp_path / "ws"
    write(ws_dir / "a.py", f'WORKSPACE_STEPS = {{\n{entry("Dup")}\n}}\n')
    write(ws_dir / "b.py", f'WORKSPACE_STEPS = {{\n{entry("Dup")}\n"Bad": load(),\n}}\n')
    write(ws_dir / "c.py", 'WORKSPACE_STEPS = {\n')
    write(ws_dir / "__init__.py", "")
    manager = UnifiedRegistryManager()
    manager.add_workspace("w", ws_dir)
    assert [(p.kind, p.path.name, p.line, p.step) for p in manager.problems] == [
        ("non-literal", "b.py", 3, "Bad"),
        ("duplicate-step", "b.py", 2, "Dup"),
        ("syntax-error", "c.py", 1, None),
    ]
    assert manager.problems[1].message == (
        f"step 'Dup' is defined in WORKSPACE_STEPS of workspace 'w' twice: {ws_dir / 'a.py'}:2 and "
        f"{ws_dir / 'b.py'}:2")
    assert [p.name for p in manager.get_workspace("w").paths] == ["a.py", "b.py", "c.py"]
    plain = write(tmp_path / "plain.py", "X = 1\n")
    manager.add_workspace("p", plain)
    assert manager.problems[-1].message == \
        "workspace registry for 'p' defines neither WORKSPACE_STEPS nor STEP_OVERRIDES"


def test_add_workspace_twice_reads_each_file_once(repo: Path) -> None:
    manager = UnifiedRegistryManager(workspaces_root=repo)
    path = repo / "development/projects/alice/src/cursus_dev/registry/workspace_registry.py"
    manager.add_workspace("alice", path)
    assert manager.problems == []
    assert manager.get_workspace("alice").metadata == {"developer_id": "alice", "environment_tags": ["gpu"]}


def test_discover_workspaces_from_projects_dir(repo: Path) -> None:
    manager = UnifiedRegistryManager()
    assert manager.discover_workspaces(repo / "development" / "projects") == ["alice", "bob"]
    assert UnifiedRegistryManager().discover_workspaces(repo / "nowhere") == []

"""Discovery of package and step-pack interfaces, file-set checks, and the aligned interface fixture."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

from cursus_core.interface.discovery import check_file_set, discover, load, snake_step_name
from cursus_core.interface.span import Span

FIXTURES = Path(__file__).parent.parent / "fixtures"
REPO = FIXTURES / "interface_repo"
PACK = REPO / "projects" / "fraud_team" / "step_pack"

STEP = """step_type: {name}
registry:
  sagemaker_step_type: Processing
contract:
  entry_point: null
"""


def _write(path: Path, name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STEP.format(name=name))
    return path


def test_snake_names_keep_acronyms_whole() -> None:
    assert [snake_step_name(n) for n in ("XGBoostModelEval", "PyTorchTraining", "LightGBMMTTraining",
                                         "GraphStormGNNTraining", "Package", "XGBoostMTTraining")] == [
        "xgboost_model_eval", "pytorch_training", "lightgbmmt_training", "graph_storm_gnn_training", "package",
        "xgboost_mt_training"]


def test_discovers_the_package_and_the_step_pack() -> None:
    files = discover(REPO)
    assert [(f.origin, f.path.relative_to(REPO).as_posix()) for f in files] == [
        ("package", f"steps/interfaces/{n}.step.yaml") for n in (
            "batch_transform", "data_loading", "package", "registration", "tabular_preprocessing",
            "xgboost_model", "xgboost_model_eval", "xgboost_training")] + [
        ("step_pack", "projects/fraud_team/step_pack/interfaces/currency_conversion.step.yaml"),
        ("step_pack", "projects/fraud_team/step_pack/interfaces/tabular_preprocessing.step.yaml")]
    assert files[0].configs_dir == REPO / "steps" / "configs"
    assert files[-1].scripts_dir == PACK / "scripts"


def test_extra_dirs_accept_a_pack_a_project_or_a_bare_directory(tmp_path: Path) -> None:
    _write(tmp_path / "proj" / "step_pack" / "interfaces" / "a_step.step.yaml", "AStep")
    _write(tmp_path / "pack" / "interfaces" / "b_step.step.yaml", "BStep")
    _write(tmp_path / "loose" / "c_step.step.yaml", "CStep")
    outside = tmp_path / "outside"
    outside.mkdir()
    files = discover(outside, [tmp_path / "proj", tmp_path / "pack", tmp_path / "loose"])
    homes = {f.path.name: f.home for f in files}
    assert homes == {"a_step.step.yaml": tmp_path / "proj" / "step_pack", "b_step.step.yaml": tmp_path / "pack",
                     "c_step.step.yaml": tmp_path}
    assert sorted(f.path.name for f in files) == ["a_step.step.yaml", "b_step.step.yaml", "c_step.step.yaml"]
    assert {f.origin for f in files} == {"step_pack"}


def test_skips_virtual_envs_and_hidden_directories(tmp_path: Path) -> None:
    _write(tmp_path / ".venv" / "lib" / "steps" / "interfaces" / "x.step.yaml", "X")
    _write(tmp_path / ".hidden" / "steps" / "interfaces" / "y.step.yaml", "Y")
    _write(tmp_path / "src" / "pkg" / "steps" / "interfaces" / "z.step.yaml", "Z")
    assert [f.path.name for f in discover(tmp_path)] == ["z.step.yaml"]


def test_file_set_problems(tmp_path: Path) -> None:
    steps = tmp_path / "pkg" / "steps" / "interfaces"
    _write(steps / "xgboost_training.step.yaml", "XGBoostTraining")
    _write(steps / "xgb_training.step.yaml", "XGBoostTraining")
    _write(steps / "graphstorm_training.step.yaml", "GraphStormTraining")
    _write(tmp_path / "proj" / "step_pack" / "interfaces" / "xgboost_training.step.yaml", "XGBoostTraining")
    problems = check_file_set(load(discover(tmp_path)))
    got = [(p.kind, p.severity, p.path.relative_to(tmp_path).as_posix(), p.span) for p in problems]
    assert got == [
        ("file-name-mismatch", "warning", "pkg/steps/interfaces/graphstorm_training.step.yaml", Span(1, 12, 1, 30)),
        ("file-name-mismatch", "error", "pkg/steps/interfaces/xgb_training.step.yaml", Span(1, 12, 1, 27)),
        ("duplicate-step-type", "error", "pkg/steps/interfaces/xgboost_training.step.yaml", Span(1, 12, 1, 27)),
        ("pack-shadows-package", "warning", "proj/step_pack/interfaces/xgboost_training.step.yaml",
         Span(1, 12, 1, 27)),
    ]
    assert problems[1].message == ("file name 'xgb_training.step.yaml' does not match step_type 'XGBoostTraining' "
                                   "(expected 'xgboost_training.step.yaml'); cursus cannot find this interface by "
                                   "step name")
    assert problems[2].related[0].path.name == "xgb_training.step.yaml"
    assert problems[3].related[0].message == "package step declared here"


def test_unreadable_files_are_loaded_with_their_problems(tmp_path: Path) -> None:
    bad = tmp_path / "steps" / "interfaces" / "bad.step.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("step_type: [\n")
    (item,) = load(discover(tmp_path))
    assert item.interface is None
    assert [p.kind for p in item.problems] == ["yaml-syntax"]
    assert check_file_set([item]) == []


# ---------------------------------------------------------------- the aligned interface fixture


def test_interface_repo_is_clean_except_the_deliberate_shadow() -> None:
    loaded = load(discover(REPO))
    assert [(i.file.path.name, i.problems) for i in loaded if i.problems] == []
    problems = check_file_set(loaded)
    assert [(p.kind, p.path.relative_to(REPO).as_posix(), p.span) for p in problems] == [
        ("pack-shadows-package", "projects/fraud_team/step_pack/interfaces/tabular_preprocessing.step.yaml",
         Span(2, 12, 2, 32))]
    assert {i.interface.registry.sagemaker_step_type.value for i in loaded} == {
        "Processing", "Training", "CreateModel", "Transform", "MimsModelRegistrationProcessing"}


def _main_dicts(script: Path) -> dict[str, dict[str, str]]:
    """Literal ``input_paths``/``output_paths`` and the ``environ_vars`` keys of the __main__ block."""
    tree = ast.parse(script.read_text())
    out: dict[str, dict[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and isinstance(node.targets[0], ast.Name):
            keys = [k.value for k in node.value.keys]
            vals = [v.value if isinstance(v, ast.Constant) else None for v in node.value.values]
            out[node.targets[0].id] = dict(zip(keys, vals, strict=True))
    return out


def _flags(script: Path) -> set[str]:
    tree = ast.parse(script.read_text())
    return {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") ==
            "add_argument"}


def _reads(script: Path, mapping: str) -> set[str]:
    tree = ast.parse(script.read_text())
    keys = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == mapping \
                and isinstance(n.slice, ast.Constant):
            keys.add(n.slice.value)
        if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "get" and \
                getattr(n.func.value, "id", "") == mapping:
            keys.add(n.args[0].value)
    return keys


@pytest.mark.parametrize("item", [i for i in load(discover(REPO))], ids=lambda i: i.file.path.name)
def test_every_script_reads_exactly_what_its_interface_declares(item) -> None:
    iface = item.interface
    variants = [iface, *iface.variant_interfaces().values()]
    for view in variants:  # contract == spec names, in the base and in every variant
        assert set(view.contract.inputs) == set(view.spec.dependencies), view.job_type
        assert set(view.contract.outputs) == set(view.spec.outputs), view.job_type
    entry = iface.contract.entry_point.value
    if entry is None:
        assert not (item.file.scripts_dir / f"{item.file.stem}.py").exists()
        return
    script = item.file.scripts_dir / entry
    dicts = _main_dicts(script)
    c = iface.contract
    assert dicts.get("input_paths", {}) == {n: p.path.value for n, p in c.inputs.items()}
    assert dicts["output_paths"] == {n: p.path.value for n, p in c.outputs.items()}
    assert set(dicts["environ_vars"]) == set(c.env_names)
    assert _reads(script, "environ_vars") == set(c.env_names)
    assert _reads(script, "input_paths") == set(c.inputs)
    assert _reads(script, "output_paths") == set(c.outputs)
    assert _flags(script) == {a.flag.value for a in c.job_arguments}


def _config_class(item):
    name = item.interface.registry.config_class.value
    stem = item.file.stem
    if item.file.origin == "package":
        module = importlib.import_module(f"interface_repo.steps.configs.config_{stem}_step")
    else:
        path = item.file.configs_dir / f"config_{stem}_step.py"
        spec = importlib.util.spec_from_file_location(f"_pack_config_{stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return getattr(module, name)


def test_configs_exist_and_have_every_attribute_the_interface_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))
    for name in [m for m in sys.modules if m == "interface_repo" or m.startswith("interface_repo.")]:
        monkeypatch.delitem(sys.modules, name)
    checked = 0
    for item in load(discover(REPO)):
        cls = _config_class(item)
        attrs = set(cls.model_fields) | {n for n in dir(cls) if isinstance(getattr(cls, n, None), property)}
        wanted = {v.value for v in item.interface.compute.field_refs.values()}
        wanted |= {a.source.value for a in item.interface.contract.job_arguments if a.source.value}
        wanted |= {v.value for v in item.interface.contract.input_source_overrides.values()}
        assert wanted <= attrs, (item.file.path.name, wanted - attrs)
        checked += 1
    assert checked == 10
    for name in [m for m in sys.modules if m == "interface_repo" or m.startswith("interface_repo.")]:
        monkeypatch.delitem(sys.modules, name)

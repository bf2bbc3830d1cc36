"""A run over given files (pre-commit, the editor) reports exactly what a whole-repo run reports
for those files and their steps, while doing only the work those findings need.

The whole-repo findings are filtered the way the engine defines a focused run: located in one of
the given files, or belonging to a step one of them is a component of.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_core.catalog import StepCatalog
from cursus_core.deps import resolver
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.prefetch import workers
from cursus_lint.rules_index import all_rules

from .test_fixture_repos import BROKEN, build_broken

Finding = tuple[str, int, int, str, str]


def _run(root: Path, paths: list[Path]) -> list[Finding]:
    settings = load_config(root, set(all_rules()))
    result = Engine(settings).run(paths)
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in result.diagnostics]


def _whole_run_filtered(root: Path, given: Path, catalog: StepCatalog) -> list[Finding]:
    settings = load_config(root, set(all_rules()))
    result = Engine(settings).run([root])
    steps = {name for _, name in catalog.find_steps_for_file(given)}
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in result.diagnostics if d.location.path == given or d.step in steps]


def _component_files(root: Path) -> list[Path]:
    catalog = StepCatalog(root)
    files = {p for info in catalog.iter_steps() for p in info.files} | set(catalog.registry_files)
    return sorted(files)


CASES = {case.name: case for case in BROKEN}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["level3_dependencies", "registry", "level1_script_contract",
                                  "level4_builder_config"])
def test_each_file_alone_reports_what_the_whole_run_reports_for_it(name: str, tmp_path: Path) -> None:
    root = build_broken(CASES[name], tmp_path).resolve()
    catalog = StepCatalog(root)
    files = _component_files(root)
    assert len(files) > 15
    seen_codes: set[str] = set()
    for path in files:
        focused = _run(root, [path])
        assert focused == _whole_run_filtered(root, path, catalog), path.relative_to(root)
        seen_codes |= {f[3] for f in focused}
    # the comparison covered the findings each fixture is about
    wanted = {"level3_dependencies": "CL302", "registry": "CL602", "level1_script_contract": "CL103",
              "level4_builder_config": "CL401"}[name]
    assert wanted in seen_codes


def test_a_focused_run_scores_only_the_dependencies_of_its_steps(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()
    consumers: list[str] = []
    real = resolver.resolve

    def counting(dep, pool, *args, **kwargs):  # type: ignore[no-untyped-def]
        consumers.append(kwargs["consumer"].name)
        return real(dep, pool, *args, **kwargs)

    # CL302 and CL303 share one resolution per dependency, made in the rules' level-3 index
    import cursus_lint.rules._dependencies as level3

    monkeypatch.setattr(level3, "resolve", counting)
    _run(root, [root])
    whole = set(consumers)
    consumers.clear()
    spec = root / "steps/specs/batch_transform_testing_spec.py"
    steps = {name for _, name in StepCatalog(root).find_steps_for_file(spec)}
    found = _run(root, [spec])
    assert len(whole) > 2 and len(steps) == 1
    assert set(consumers) == steps
    assert [f[3] for f in found if f[0] == "steps/specs/batch_transform_testing_spec.py"] == ["CL302"]


def test_cl302_and_cl303_share_one_resolution_per_dependency(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()
    calls: list[tuple[str, str]] = []
    real = resolver.resolve

    def counting(dep, pool, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((kwargs["consumer"].label, dep.logical_name))
        return real(dep, pool, *args, **kwargs)

    import cursus_lint.rules._dependencies as level3

    monkeypatch.setattr(level3, "resolve", counting)
    found = _run(root, [root])
    # both rules ran (the fixture has an unsatisfiable required dependency), yet no dependency of
    # any consumer was scored twice
    assert "CL302" in {f[3] for f in found}
    assert len(calls) > 2
    assert sorted(calls) == sorted(set(calls))


def _findings(root: Path, **engine_options: object) -> tuple[list[Finding], Engine]:
    settings = load_config(root, set(all_rules()), overrides={"cache-dir": str(root.parent / "cache")})
    engine = Engine(settings, **engine_options)  # type: ignore[arg-type]
    result = engine.run([root])
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in result.diagnostics], engine


def test_parsing_in_worker_processes_reports_exactly_what_one_process_reports(tmp_path: Path) -> None:
    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()
    serial, _ = _findings(root, parallel_min_files=None)
    parallel, engine = _findings(root, parallel_min_files=1, use_cache=True)
    assert serial and parallel == serial
    if workers() > 1:
        assert engine.parsed_in_workers > 20
    assert engine._prefetched == {}  # every worker result was used
    assert engine.cache is not None and engine.cache.hits == 0
    # what the workers parsed went into the cache: the next run parses nothing
    warm, again = _findings(root, parallel_min_files=1, use_cache=True)
    assert warm == serial
    assert again.cache is not None and (again.cache.misses, again.cache.invalid) == (0, 0)


def test_a_small_cold_run_parses_once_in_process_and_keeps_few_trees(tmp_path: Path) -> None:
    import cursus_core.source as source

    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()
    reference, _ = _findings(root, parallel_min_files=None)
    source._memo.clear()
    found, engine = _findings(root, parallel_min_files=0)  # as the CLI runs: below the worker threshold
    assert found == reference
    assert engine.parsed_in_workers == 0 and engine._prefetched == {}  # every in-process result was used
    components = [p for p in root.rglob("*.py") if "steps" in p.relative_to(root).parts and p.name != "__init__.py"]
    alive = {key[0] for key in source._memo if key[0].startswith(str(root))}
    # each component file's tree was dropped once its summary and facts were taken (a few files
    # are parsed again later, e.g. to build fixes)
    assert len(components) > 20
    assert len(alive & {str(p) for p in components}) < len(components) // 2


def test_small_repos_stay_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    root = build_broken(CASES["level3_dependencies"], tmp_path).resolve()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started for a small repo")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    found, _ = _findings(root, parallel_min_files=0)  # the default threshold, as the CLI asks for it
    assert found



def test_summaries_made_elsewhere_outlive_a_repo_larger_than_the_memo(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # worker processes summarise every file and the catalog asks afterwards; with more files than
    # the memo held, it found them evicted and parsed them again (most of a 1,500-step cold run)
    import cursus_core.catalog.scan as scan
    from cursus_core.source import load_source, read_source

    files = []
    for i in range(12):
        path = tmp_path / f"step_{i}.py"
        path.write_text(f"class Step{i}Config:\n    pass\n")
        files.append(path)
    made = {p: scan.summarize(load_source(p)) for p in files}  # as a worker makes them
    scan._memo.clear()
    monkeypatch.setattr(scan._memo, "maxsize", 4)
    scan.reserve(len(files))
    for p in files:
        scan.remember(p, read_source(p)[1], made[p])
    asked: list[Path] = []
    monkeypatch.setattr(scan, "summarize", lambda source: asked.append(source.path))
    assert [scan.summarize_path(p).path for p in files] == files
    assert asked == []

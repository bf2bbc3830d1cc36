"""Resolving a real config's relative source dirs (cursus's project-root search) and importing a
repo package under its real dotted name."""

from __future__ import annotations

import sys
from pathlib import Path

from cursus_core.compiler.builder_loader import RepoImporter, package_root
from cursus_core.compiler.source_paths import SourceResolver


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "repo" / "projects" / "demo"
    (project / "dockers" / "scripts").mkdir(parents=True)
    (project / "dockers" / "scripts" / "prep.py").write_text("")
    (project / "pipeline_config").mkdir()
    return project


def test_found_from_the_config_folder_upward(tmp_path: Path) -> None:
    project = _project(tmp_path)
    resolver = SourceResolver([project / "pipeline_config", tmp_path / "repo"], project_root_folder="adapter",
                              environ={})
    found = resolver.resolve("dockers/scripts", directory=True)
    assert found.path == project / "dockers" / "scripts"
    assert found.tried == (project / "pipeline_config" / "adapter" / "dockers/scripts",
                           project / "pipeline_config" / "dockers/scripts",
                           project / "adapter" / "dockers/scripts",
                           project / "dockers/scripts")
    assert resolver.project_dir("dockers/scripts") == project


def test_project_base_and_project_root_folder_come_first(tmp_path: Path) -> None:
    base = tmp_path / "base"
    (base / "adapter" / "dockers").mkdir(parents=True)
    resolver = SourceResolver([tmp_path], project_root_folder="adapter", environ={"CURSUS_PROJECT_BASE": str(base)})
    assert resolver.resolve("dockers", directory=True).path == base / "adapter" / "dockers"


def test_explicit_source_root_stands_for_the_configs_source_dir(tmp_path: Path) -> None:
    project = _project(tmp_path)
    resolver = SourceResolver([tmp_path], source_root=project / "dockers", source_dir="dockers/xgb_atoz",
                              environ={})
    assert resolver.resolve("dockers/xgb_atoz/scripts/prep.py", directory=False).path == (
        project / "dockers" / "scripts" / "prep.py")
    missing = resolver.resolve("dockers/xgb_atoz/other", directory=True)
    assert missing.path is None
    assert missing.describe() == (f"{project / 'dockers' / 'dockers/xgb_atoz/other'}, "
                                  f"{project / 'dockers' / 'other'}")


def test_package_root_walks_up_init_files_and_stops_below_src(tmp_path: Path) -> None:
    pkg = tmp_path / "src" / "mypkg" / "steps"
    pkg.mkdir(parents=True)
    for d in (tmp_path / "src", tmp_path / "src" / "mypkg", pkg):
        (d / "__init__.py").write_text("")
    assert package_root(pkg) == tmp_path / "src"
    assert package_root(tmp_path / "src" / "mypkg") == tmp_path / "src"
    assert package_root(tmp_path) is None


def test_a_package_repo_imports_under_its_real_name(tmp_path: Path) -> None:
    root = tmp_path / "src" / "h17realpkg"
    (root / "core").mkdir(parents=True)
    (root / "__init__.py").write_text("from h17realpkg.core import VALUE\n")
    (root / "core" / "__init__.py").write_text("VALUE = 7\n")
    (root / "core" / "user.py").write_text("from h17realpkg import VALUE\nfrom . import VALUE as SAME\n")
    importer = RepoImporter(root)
    try:
        module = importer.import_file(root / "core" / "user.py")
        assert module.__name__ == "h17realpkg.core.user"
        assert (module.VALUE, module.SAME) == (7, 7)
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] == "h17realpkg"]:
            del sys.modules[name]
        sys.path.remove(str(tmp_path / "src"))


def test_messages_name_the_source_root_not_the_view_standing_for_it(tmp_path: Path) -> None:
    # --source-root names the directory a config's source_dir ("dockers") stands for: the build runs
    # in a temporary view where "dockers" links to it; a message must name the user's directory
    from cursus_core.compiler.dry_run import _unview, project_work_dir

    project = _project(tmp_path)
    resolver = SourceResolver([project], source_root=project / "dockers" / "scripts", source_dir="dockers")
    view = project_work_dir({}, resolver)
    assert view is not None and view.name.startswith("cursus-lint-source-view-")
    assert (view / "dockers" / "prep.py").is_file()
    message = f"node 'Prep': processing_entry_point 'run.py' not found at '{view}/dockers/run.py'"
    assert _unview(message) == (f"node 'Prep': processing_entry_point 'run.py' not found at "
                                f"'{project}/dockers/scripts/run.py'")

"""Accuracy gaps of the interface layout: CL101 in a ``.step.yaml``, how messages name an
interface contract, and what CL401's "did you mean" may suggest.

Each test lints a small repo from the rule examples' base repos and asserts exact codes, paths,
lines and messages.
"""

from __future__ import annotations

from pathlib import Path

from cursus_lint.config import load_config
from cursus_lint.diagnostic import Diagnostic
from cursus_lint.engine import Engine
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

CLEAN_YAML = ex.INTERFACE_PATHS["clean"]
CLEAN_CONTRACT = ex.PATHS["contract"]


def _lint(root: Path, files: dict[str, str], code: str) -> list[Diagnostic]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    settings = load_config(root, set(all_rules()))
    return [d for d in Engine(settings).run([root]).diagnostics if d.code == code]


def _where(root: Path, d: Diagnostic) -> tuple[str, int, int]:
    return d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column


def _line_col(text: str, needle: str) -> tuple[int, int]:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(needle)


# ----------------------------------------------------------------------------- CL101


def test_cl101_interface_entry_point_names_no_script(tmp_path: Path) -> None:
    clean = ex.interface_edit("clean", "entry_point: clean.py", "entry_point: clean_data.py")
    found = _lint(tmp_path, ex.interface_repo(clean=clean), "CL101")
    assert [(_where(tmp_path, d), d.message) for d in found] == [
        ((CLEAN_YAML, *_line_col(clean, "clean_data.py")),
         "contract 'clean.step.yaml' entry_point 'clean_data.py' names no existing script 'clean_data.py' "
         "(the step's script is 'clean.py')")]
    assert [(r.location.path.relative_to(tmp_path).as_posix(), r.message) for r in found[0].related] == [
        (ex.INTERFACE_PATHS["script"], "script 'clean.py' the catalog gave to this step"),
        ("steps/scripts", "no 'clean_data.py' in this scripts directory")]


def test_cl101_classic_message_is_unchanged(tmp_path: Path) -> None:
    contract = ex.edit("contract", 'entry_point="clean.py"', 'entry_point="clean_data.py"')
    found = _lint(tmp_path, ex.repo(contract=contract), "CL101")
    assert [(_where(tmp_path, d), d.message) for d in found] == [
        ((CLEAN_CONTRACT, *_line_col(contract, '"clean_data.py"')),
         "contract 'CLEAN_CONTRACT' entry_point 'clean_data.py' names no existing script 'clean_data.py' "
         "(the step's script is 'clean.py')")]


def test_cl101_interface_sdk_delegation_step_needs_no_script(tmp_path: Path) -> None:
    """``patterns.step_assembly: delegation`` hands the job to an SDK step class: the entry
    point is a placeholder (cursus' DataUploading says ``entry_point: scripts.py``)."""
    clean = ex.interface_edit("clean", "step_assembly: code", "step_assembly: delegation") \
        .replace("entry_point: clean.py", "entry_point: scripts.py")
    assert _lint(tmp_path / "sdk", ex.interface_repo(clean=clean, drop=("script",)), "CL101") == []
    # the same placeholder in a code-assembled step is a finding
    code = ex.interface_edit("clean", "entry_point: clean.py", "entry_point: scripts.py")
    found = _lint(tmp_path / "code", ex.interface_repo(clean=code, drop=("script",)), "CL101")
    assert [_where(tmp_path / "code", d) for d in found] == [(CLEAN_YAML, *_line_col(code, "scripts.py"))]


# ----------------------------------------------------------------------------- contract labels


def test_interface_contract_is_named_by_its_file(tmp_path: Path) -> None:
    clean = ex.interface_edit("clean", "required: [LABEL_FIELD]", "required: []")
    found = _lint(tmp_path, ex.interface_repo(clean=clean), "CL103")
    assert [d.message for d in found] == [
        "script reads env var 'LABEL_FIELD' that contract 'clean.step.yaml' does not declare"]
    assert [r.message for r in found[0].related] == ["'clean.step.yaml' declares its env vars here"]


def test_interface_unused_contract_path_names_the_file(tmp_path: Path) -> None:
    clean = ex.interface_edit("clean", "  outputs:\n    clean_data:\n      path: /opt/ml/processing/output/clean\n",
                              "  outputs:\n    clean_data:\n      path: /opt/ml/processing/output/clean\n"
                              "    extra:\n      path: /opt/ml/processing/output/extra\n")
    found = _lint(tmp_path, ex.interface_repo(clean=clean), "CL104")
    assert [(_where(tmp_path, d)[:2], d.message) for d in found] == [
        ((CLEAN_YAML, _line_col(clean, "    extra:")[0]),
         "contract 'clean.step.yaml' declares output 'extra' ('/opt/ml/processing/output/extra') but script "
         "'clean.py' never uses it (no output_paths['extra'] and no path at, below or above it)")]


def test_classic_contract_keeps_its_variable_name(tmp_path: Path) -> None:
    contract = ex.edit("contract", 'required_env_vars=["LABEL_FIELD"]', "required_env_vars=[]")
    found = _lint(tmp_path, ex.repo(contract=contract), "CL103")
    assert [d.message for d in found] == [
        "script reads env var 'LABEL_FIELD' that contract 'CLEAN_CONTRACT' does not declare"]


# ----------------------------------------------------------------------------- CL401 suggestions

_NO_FIELD = "but CleanConfig (and its base ProcessingStepConfigBase) defines no such field, property or method"


def test_cl401_never_suggests_a_private_member(tmp_path: Path) -> None:
    config = ex.INTERFACE_CONFIG.replace('    job_type: str = "training"\n', '    _known_job_type: str = "training"\n')
    found = _lint(tmp_path, ex.interface_repo(config=config), "CL401")
    assert [(_where(tmp_path, d)[:2], d.message) for d in found] == [
        ((CLEAN_YAML, _line_col(ex.CLEAN_INTERFACE, "source: job_type")[0]),
         f"interface key 'contract.job_arguments[].source' names config attribute 'job_type' {_NO_FIELD}")]


def test_cl401_suggests_a_method_only_for_a_call(tmp_path: Path) -> None:
    config = ex.CONFIG + "\n    def get_label(self):\n        return self.label_name\n"
    read = ex.edit("builder", 'env_vars["LABEL_FIELD"] = self.config.label_name',
                   'env_vars["LABEL_FIELD"] = self.config.get_labels')
    found = _lint(tmp_path / "attr", ex.repo(config=config, builder=read), "CL401")
    assert [d.message for d in found] == [f"builder reads 'self.config.get_labels' {_NO_FIELD}"]
    called = ex.edit("builder", 'env_vars["LABEL_FIELD"] = self.config.label_name',
                     'env_vars["LABEL_FIELD"] = self.config.get_labels()')
    found = _lint(tmp_path / "call", ex.repo(config=config, builder=called), "CL401")
    assert [d.message for d in found] == [
        f"builder reads 'self.config.get_labels' {_NO_FIELD}; did you mean 'get_label'?"]


def test_cl401_still_suggests_a_public_field(tmp_path: Path) -> None:
    read = ex.edit("builder", 'env_vars["LABEL_FIELD"] = self.config.label_name',
                   'env_vars["LABEL_FIELD"] = self.config.label_nam')
    found = _lint(tmp_path, ex.repo(builder=read), "CL401")
    assert [d.message for d in found] == [
        f"builder reads 'self.config.label_nam' {_NO_FIELD}; did you mean 'label_name'?"]

"""Safe fixes on ``.step.yaml`` interfaces: exact resulting text, byte-identical elsewhere
(comments, order, quoting), idempotent, never a new error, and ``--fix`` / ``--diff`` on the CLI.

Each case breaks the TabularPreprocessing interface of a copy of ``fixtures/interface_repo`` (with
a few comments added, which must survive), runs the fix loop with safe fixes only and compares the
file with the exact text expected.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.fix.apply import run_fixes
from cursus_lint.rules_index import all_rules

RULES = all_rules()
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "interface_repo"
TP = "steps/interfaces/tabular_preprocessing.step.yaml"
ORIGINAL = (FIXTURE / TP).read_text(encoding="utf-8")
#: comments a fix must keep where they are (one on a key line, one own-line, one at the end)
COMMENTED = ORIGINAL.replace("  env_vars:\n", "  env_vars:  # read by the script\n", 1) \
    .replace("spec:\n", "# what the step produces and consumes\nspec:\n", 1) + "# end of interface\n"


def _one(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _repo(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / TP).write_text(text, encoding="utf-8")
    return root


def _run(root: Path):
    settings = load_config(root, set(RULES))
    return lambda overlay: Engine(settings, RULES, overlay=overlay).run([root])


def _errors(result, root: Path) -> set[tuple[str, str, str]]:
    return {(d.code, d.location.path.relative_to(root).as_posix(), d.message)
            for d in result.diagnostics if d.severity.value == "error"}


def _fix(root: Path):
    run = _run(root)
    before = run({})
    outcome = run_fixes(run, unsafe=False, fix=True)
    return before, outcome


CASES = {
    # the last optional env var is gone: re-declared with the script's literal default, quoted like its neighbours
    "CL103-optional": (_one(COMMENTED, '      TEST_VAL_RATIO: "0.5"\n', ""), COMMENTED),
    # the required list is emptied: os.environ["LABEL_FIELD"] makes it required again, in the flow list
    "CL103-required": (_one(COMMENTED, "required: [LABEL_FIELD]", "required: []"), COMMENTED),
    # a property path names another output: only the name inside Outputs['...'] changes
    "CL205": (_one(COMMENTED, "Outputs['processed_data']", "Outputs['model_data']"), COMMENTED),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fix_restores_exact_text_without_new_errors(tmp_path: Path, case: str) -> None:
    broken, expected = CASES[case]
    code = case.split("-")[0]
    root = _repo(tmp_path, broken)
    before, outcome = _fix(root)
    assert [a.code for a in outcome.applied] == [code]
    assert outcome.current[root / TP] == expected
    assert _errors(outcome.result, root) - _errors(before, root) == set()
    assert [d.code for d in outcome.result.diagnostics if d.code == code] == []
    # idempotent: fixing the fixed text changes nothing
    (root / TP).write_text(expected, encoding="utf-8")
    again = run_fixes(_run(root), unsafe=False, fix=True)
    assert again.changed == {} and again.applied == []


def test_missing_env_vars_section_is_added_whole(tmp_path: Path) -> None:
    """No ``env_vars`` at all: three reads are declared over several passes, in one new section at
    the end of ``contract`` (after its last key), in the file's own indentation."""
    section = ('  env_vars:  # read by the script\n    required: [LABEL_FIELD]\n    optional:\n'
               '      TRAIN_RATIO: "0.7"\n      TEST_VAL_RATIO: "0.5"\n')
    broken = _one(COMMENTED, section, "")
    root = _repo(tmp_path, broken)
    before, outcome = _fix(root)
    assert sorted(a.code for a in outcome.applied) == ["CL103"] * 3
    added = ('  env_vars:\n    required: [LABEL_FIELD]\n    optional:\n      TRAIN_RATIO: "0.7"\n'
             '      TEST_VAL_RATIO: "0.5"\n')
    desc = "  description: Drops rows without a numeric label and writes one folder per split.\n"
    assert outcome.current[root / TP] == _one(broken, desc, desc + added)
    assert _errors(outcome.result, root) - _errors(before, root) == set()


def test_missing_spec_output_is_added_like_its_neighbours(tmp_path: Path) -> None:
    """CL203: a contract output without a spec output gets ``spec.outputs.<name>`` with the
    Processing type and property path, after the last output and before the own-line comment."""
    contract_out = "      path: /opt/ml/processing/output\n"
    broken = _one(COMMENTED, contract_out, contract_out + "    report:  # the QA report\n"
                  "      path: /opt/ml/processing/output/report\n")
    last = "      aliases: [input_path, input_data]\n"
    broken = _one(broken, last, last + "  # variants below\n")
    root = _repo(tmp_path, broken)
    before, outcome = _fix(root)
    assert [a.code for a in outcome.applied] == ["CL203"]
    new = ("    report:\n      type: processing_output\n"
           "      property_path: properties.ProcessingOutputConfig.Outputs['report'].S3Output.S3Uri\n")
    assert outcome.current[root / TP] == _one(broken, last, last + new)
    assert _errors(outcome.result, root) - _errors(before, root) == set()
    assert not [d for d in outcome.result.diagnostics if d.code == "CL203"]


def test_a_broken_interface_gets_no_fix(tmp_path: Path) -> None:
    """A file the reader has something to say about (here a duplicate key, which upstream's loader
    would resolve the other way) is never edited: its CL008 is what the user sees first."""
    broken = _one(COMMENTED, "required: [LABEL_FIELD]", "required: []") + "node_type: internal\n"
    root = _repo(tmp_path, broken)
    result = _run(root)({})
    assert [d.fix for d in result.diagnostics if d.code == "CL103"] == [None]
    assert "CL008" in {d.code for d in result.diagnostics}


def _cli(root: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    capsys.readouterr()
    rc = main(["check", ".", "--no-cache", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_diff_then_fix_twice(tmp_path: Path, monkeypatch, capsys) -> None:
    broken = _one(COMMENTED, "Outputs['processed_data']", "Outputs['model_data']")
    root = _repo(tmp_path, broken)
    rc, out, _ = _cli(root, monkeypatch, capsys, "--diff")
    row = "      property_path: properties.ProcessingOutputConfig.Outputs['{}'].S3Output.S3Uri\n"
    assert rc == 1
    assert f"--- a/{TP}\n+++ b/{TP}\n" in out
    assert f"\n-{row.format('model_data')}+{row.format('processed_data')}" in out
    assert (root / TP).read_text() == broken  # --diff writes nothing
    _cli(root, monkeypatch, capsys, "--fix", "--exit-zero")
    assert (root / TP).read_text() == COMMENTED
    rc, _, err = _cli(root, monkeypatch, capsys, "--fix", "--exit-zero")
    assert (root / TP).read_text() == COMMENTED and "Fixed" not in err


def test_unread_env_vars_are_removed_only_as_unsafe_fixes(tmp_path: Path) -> None:
    """CL106/CL107 on an interface: the unread declaration goes (a flow item with its comma, a
    block key with its line and comment), and only with unsafe fixes."""
    broken = _one(COMMENTED, "required: [LABEL_FIELD]", "required: [LABEL_FIELD, OTHER]")
    broken = _one(broken, '      TRAIN_RATIO: "0.7"\n', '      TRAIN_RATIO: "0.7"\n      GONE: x  # unused\n')
    root = _repo(tmp_path, broken)
    run = _run(root)
    safe_only = run_fixes(run, unsafe=False, fix=True)
    assert safe_only.changed == {} and safe_only.unsafe_available() == 2
    before = run({})
    outcome = run_fixes(run, unsafe=True, fix=True)
    assert sorted(a.code for a in outcome.applied) == ["CL106", "CL107"]
    assert outcome.current[root / TP] == COMMENTED
    assert _errors(outcome.result, root) - _errors(before, root) == set()


@pytest.mark.parametrize("case", sorted(CASES))
def test_text_check_marks_yaml_fixes_without_building_them(tmp_path: Path, case: str) -> None:
    """The text reporter's ``[*]`` comes from the rule's probe, which asks the .step.yaml fix
    itself (no libcst needed), so it agrees with what ``--fix`` then does."""
    broken, _ = CASES[case]
    root = _repo(tmp_path, broken)
    settings = load_config(root, set(RULES))
    marked = Engine(settings, RULES, fixes="marks").run([root])
    built = Engine(settings, RULES).run([root])
    code = case.split("-")[0]
    assert [(d.code, d.fixable) for d in marked.diagnostics if d.code == code] == [(code, "safe")]
    assert [d.code for d in built.diagnostics if d.code == code and d.fix is not None] == [code]

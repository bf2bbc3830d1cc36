"""Autofixes end to end: every fixable rule's bad examples get fixed, files stay parseable, untouched
lines stay byte-identical, a second --fix changes nothing; --diff, --unsafe-fixes, --add-noqa, JSON."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.fix.apply import run_fixes
from cursus_lint.fix.edits import split_lines
from cursus_lint.rules_index import all_rules

RULES = all_rules()
#: code -> "safe" | "unsafe", as each fixable rule's file declares it
SAFETY = {code: rule.fixable for code, rule in RULES.items() if rule.fix is not None}
CASES = [(code, i) for code in sorted(SAFETY) for i in range(len(RULES[code].bad))]


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8", newline="")


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*.py"))}


def engine_run(root: Path, overlay=None):
    settings = load_config(root, set(RULES))
    return Engine(settings, RULES, overlay=overlay).run([root])


def cli(root: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(["check", ".", "--no-cache", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("code,index", CASES)
def test_bad_example_is_fixed(tmp_path, code, index, monkeypatch, capsys):
    example = RULES[code].bad[index]
    write(tmp_path, example.files)
    before = snapshot(tmp_path)
    found = [d for d in engine_run(tmp_path).diagnostics if d.code == code]
    assert found and all(d.fix is not None and d.fix.safe == (SAFETY[code] == "safe") for d in found)
    edits = {e.path: e for d in found for e in d.fix.edits}

    rc, _, err = cli(tmp_path, monkeypatch, capsys, "--fix", "--unsafe-fixes", "--exit-zero")
    assert rc == 0 and "Fixed" in err
    after = snapshot(tmp_path)
    assert not [d for d in engine_run(tmp_path).diagnostics if d.code == code]
    changed = [rel for rel in after if after[rel] != before[rel]]
    assert changed
    for rel in changed:
        ast.parse(after[rel])
        edit = edits.get(tmp_path / rel)
        if edit is not None and len(found) == 1:  # one fix: everything outside its lines is byte-identical
            old, new = split_lines(before[rel]), split_lines(after[rel])
            assert new[:edit.line - 1] == old[:edit.line - 1]
            tail = len(old) - edit.end_line
            assert (new[len(new) - tail:] if tail else []) == old[edit.end_line:]

    rc, _, err = cli(tmp_path, monkeypatch, capsys, "--fix", "--unsafe-fixes", "--exit-zero")
    assert snapshot(tmp_path) == after and "Fixed" not in err  # idempotent


def test_each_fix_is_declared_in_its_rule_file():
    assert SAFETY == {"CL103": "safe", "CL106": "unsafe", "CL107": "unsafe", "CL108": "safe", "CL203": "safe",
                      "CL205": "safe"}
    for code in SAFETY:
        rule = RULES[code]
        module = sys.modules[rule.fix.provider.__module__]
        assert module.RULE is rule, code  # the provider lives beside the check, not in a table
        assert rule.fix.edits.strip() and rule.fixable == rule.fix.safety, code
    assert all(r.fixable == "no" for c, r in RULES.items() if c not in SAFETY)


# ----------------------------------------------------------------------------- exact results

EXPECTED = {
    "CL103": ("steps/contracts/clean_contract.py", '    optional_env_vars={"SEPARATOR": ",", "DEBUG_MODE": ""},\n'),
    "CL106": ("steps/contracts/clean_contract.py", '    required_env_vars=["LABEL_FIELD"],\n'),
    "CL107": ("steps/contracts/clean_contract.py", '    optional_env_vars={"SEPARATOR": ","},\n'),
    "CL108": ("steps/contracts/clean_contract.py",
              '    expected_arguments={"job_type": "training", "drop-duplicates": ""},\n'),
    "CL205": ("steps/specs/clean_spec.py",
              '            property_path='
              '"properties.ProcessingOutputConfig.Outputs[\'clean_data\'].S3Output.S3Uri",\n'),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_fixed_line_is_exact(tmp_path, code, monkeypatch, capsys):
    write(tmp_path, RULES[code].bad[0].files)
    rel, line = EXPECTED[code]
    before = snapshot(tmp_path)[rel]
    cli(tmp_path, monkeypatch, capsys, "--fix", "--unsafe-fixes", "--exit-zero")
    after = snapshot(tmp_path)[rel]
    assert line in after and line not in before
    assert len(split_lines(after)) == len(split_lines(before))


def test_cl203_adds_output_spec_in_the_style_of_its_siblings(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL203"].bad[0].files)
    before = snapshot(tmp_path)["steps/specs/clean_spec.py"]
    cli(tmp_path, monkeypatch, capsys, "--fix", "--exit-zero")
    after = snapshot(tmp_path)["steps/specs/clean_spec.py"]
    added = (
        '        ),\n'
        '        OutputSpec(\n'
        '            logical_name="report",\n'
        '            output_type=DependencyType.PROCESSING_OUTPUT,\n'
        '            property_path="properties.ProcessingOutputConfig.Outputs[\'report\'].S3Output.S3Uri",\n'
        '        ),\n'
        '    ],\n'
    )
    assert added in after
    assert after.replace(added, '        ),\n    ],\n') == before


# ----------------------------------------------------------------------------- modes


def test_diff_writes_nothing_and_exits_1(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL205"].bad[0].files)
    before = snapshot(tmp_path)
    rc, out, err = cli(tmp_path, monkeypatch, capsys, "--diff")
    assert rc == 1 and snapshot(tmp_path) == before
    assert out.startswith("--- a/steps/specs/clean_spec.py\n+++ b/steps/specs/clean_spec.py\n")
    assert "-            property_path=\"properties.ProcessingOutputConfig.Outputs['raw_data']" in out
    assert "+            property_path=\"properties.ProcessingOutputConfig.Outputs['clean_data']" in out
    assert "Would fix 1 finding(s) in 1 file(s)." in err


def test_diff_on_a_clean_repo_exits_0(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL205"].good[0].files)
    rc, out, err = cli(tmp_path, monkeypatch, capsys, "--diff")
    assert (rc, out) == (0, "") and "No fixes available." in err


def test_unsafe_fixes_need_the_flag(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL106"].bad[0].files)
    before = snapshot(tmp_path)
    rc, out, err = cli(tmp_path, monkeypatch, capsys, "--fix")
    assert rc == 1 and snapshot(tmp_path) == before
    assert "CL106" in out and "1 more fix(es) available with --unsafe-fixes." in err
    rc, out, err = cli(tmp_path, monkeypatch, capsys, "--fix", "--unsafe-fixes", "--show-fixes")
    assert snapshot(tmp_path) != before and "CL106" not in out
    assert ("  steps/contracts/clean_contract.py:\n    CL106 remove 'ID_FIELD' from required_env_vars of "
            "'CLEAN_CONTRACT' (steps/contracts/clean_contract.py:8)") in err


def test_unsafe_fixes_alone_is_a_usage_error(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL106"].bad[0].files)
    rc, _, err = cli(tmp_path, monkeypatch, capsys, "--unsafe-fixes")
    assert rc == 2 and "--unsafe-fixes needs --fix or --diff" in err


def test_plain_check_never_writes(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL103"].bad[0].files)
    before = snapshot(tmp_path)
    rc, _, _ = cli(tmp_path, monkeypatch, capsys)
    assert rc == 1 and snapshot(tmp_path) == before


def test_add_noqa_makes_the_next_run_clean(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL106"].bad[0].files)
    rc, out, err = cli(tmp_path, monkeypatch, capsys, "--add-noqa")
    assert rc == 0 and "Added noqa for 1 finding(s)." in err
    text = (tmp_path / "steps/contracts/clean_contract.py").read_text()
    assert '    required_env_vars=["LABEL_FIELD", "ID_FIELD"],  # noqa: CL106\n' in text
    rc, out, _ = cli(tmp_path, monkeypatch, capsys)
    assert rc == 0 and "CL" not in out


def test_json_fix_field_carries_the_edit(tmp_path, monkeypatch, capsys):
    write(tmp_path, RULES["CL205"].bad[0].files)
    rc, out, _ = cli(tmp_path, monkeypatch, capsys, "--format", "json")
    doc = json.loads(out)
    [d] = [d for d in doc["diagnostics"] if d["code"] == "CL205"]
    assert d["fix"] == {"message": "read output 'clean_data' in property_path", "safe": True, "edits": [
        {"path": "steps/specs/clean_spec.py", "line": 23, "column": 71, "end_line": 23, "end_column": 74,
         "new_text": "clean"}]}
    assert all(x["fix"] is None for x in doc["diagnostics"] if x["code"] not in SAFETY)


def test_a_fix_that_would_not_parse_is_skipped_and_reported(tmp_path):
    from dataclasses import dataclass

    from cursus_lint.diagnostic import Diagnostic, Edit, Fix, Location, Severity

    target = tmp_path / "a.py"
    target.write_text("x = [1]\n")

    @dataclass
    class Result:
        diagnostics: list

    def run(overlay):
        bad = Fix("break it", (Edit(target, 1, 7, 1, 8, ""),), True)
        return Result([Diagnostic("CL103", "n", Severity.ERROR, Location(target, 1, 1), "m", fix=bad)])

    outcome = run_fixes(run)
    assert outcome.changed == {} and outcome.applied == []
    assert [(s.code, s.reason) for s in outcome.skipped] == [("CL103", "the fixed file would not parse")]
    assert target.read_text() == "x = [1]\n"

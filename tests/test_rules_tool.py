"""CL901-CL904, the findings the engine emits itself: metadata, and how CL903/CL904 interact
with selection, per-file ignores, severities and file-level directives."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

RULES = all_rules()
SCRIPT = "steps/scripts/clean.py"
#: CL103 fires on this line (DEBUG_MODE is not in the contract)
DRIFT_LINE = '    debug = os.getenv("DEBUG_MODE")'


def script_with(*extra_lines: str) -> str:
    return ex.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                   '    sep = environ_vars.get("SEPARATOR", ",")\n' + "".join(f"{x}\n" for x in extra_lines))


def lint(root: Path, files: dict[str, str], select: list[str] | None = None,
         pyproject: str | None = None) -> list[tuple[str, int, int, str, str, str]]:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    overrides = {"select": select} if select is not None else {}
    result = Engine(load_config(root, set(RULES), overrides=overrides)).run([root])
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code,
             d.severity.value, d.message) for d in result.diagnostics]


def test_tool_rule_metadata() -> None:
    got = {code: (RULES[code].name, RULES[code].severity.value, RULES[code].scope, RULES[code].check,
                  RULES[code].family)
           for code in ("CL901", "CL902", "CL903", "CL904")}
    assert got == {
        "CL901": ("syntax-error", "error", "file", None, "tool"),
        "CL902": ("unreadable-file", "error", "file", None, "tool"),
        "CL903": ("unused-noqa", "warning", "file", None, "tool"),
        "CL904": ("unknown-noqa-code", "warning", "file", None, "tool"),
    }


def test_unknown_code_is_cl904_once_not_cl903(tmp_path: Path) -> None:
    script = script_with(DRIFT_LINE + "  # noqa: CL1033, CL103", "    x = 1  # noqa: CL999")
    got = lint(tmp_path, ex.repo(script=script), ["CL103", "CL9"])
    assert got == [
        (SCRIPT, 11, 46, "CL904", "warning",
         "noqa names 'CL1033', which is not a cursus-lint rule code; did you mean 'CL103'?"),
        (SCRIPT, 12, 20, "CL904", "warning",
         "noqa names 'CL999', which is not a cursus-lint rule code; 'cursus-lint rules' lists the codes"),
    ]


def test_hints_for_swapped_digits_and_prefixes(tmp_path: Path) -> None:
    script = script_with("    x = 1  # noqa: CL130", "    y = 2  # noqa: CL1")
    got = [(line, msg) for _, line, _, code, _, msg in lint(tmp_path, ex.repo(script=script), ["CL9"])]
    assert got == [
        (11, "noqa names 'CL130', which is not a cursus-lint rule code; did you mean 'CL103' or 'CL110'?"),
        (12, "noqa names 'CL1', which is not a cursus-lint rule code; noqa takes full rule codes, not prefixes"),
    ]


def test_file_level_directive_silences_cl904_and_is_not_unused(tmp_path: Path) -> None:
    script = "# cursus-lint: noqa: CL904\n" + script_with("    x = 1  # noqa: CL999")
    assert lint(tmp_path, ex.repo(script=script), ["CL9"]) == []


def test_disabling_cl904_drops_unknown_codes_entirely(tmp_path: Path) -> None:
    script = script_with("    x = 1  # noqa: CL999, E501")
    pyproject = '[tool.cursus-lint]\nselect = ["CL9"]\nignore = ["CL904"]\n'  # CL999 matches the CL9 prefix
    assert lint(tmp_path, ex.repo(script=script), pyproject=pyproject) == []


def test_noqa_for_a_rule_that_is_switched_off_is_not_unused(tmp_path: Path) -> None:
    script = script_with("    x = 1  # noqa: CL103", "    y = 2  # noqa: CL102")
    got = lint(tmp_path, ex.repo(script=script), ["CL103", "CL903"])
    assert got == [(SCRIPT, 11, 20, "CL903", "warning",
                    "unused suppression: 'CL103' suppresses nothing on this line")]
    pyproject = ('[tool.cursus-lint]\nselect = ["CL103", "CL903"]\n'
                 '[tool.cursus-lint.per-file-ignores]\n"steps/scripts/*.py" = ["CL103"]\n')
    assert lint(tmp_path / "ignored", ex.repo(script=script), pyproject=pyproject) == []


def test_used_noqa_and_foreign_codes_are_quiet_and_severity_is_configurable(tmp_path: Path) -> None:
    script = script_with(DRIFT_LINE + "  # noqa: CL103, E501", "    x = 1  # noqa: F401", "    y = 2  # noqa: CL999")
    pyproject = '[tool.cursus-lint]\nselect = ["CL103", "CL9"]\n[tool.cursus-lint.severity]\nCL904 = "error"\n'
    got = lint(tmp_path, ex.repo(script=script), pyproject=pyproject)
    assert [(line, code, sev) for _, line, _, code, sev, _ in got] == [(13, "CL904", "error")]

"""noqa: every directive form, the string trap, CRLF, suppression/unused bookkeeping, --add-noqa."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cursus_lint.diagnostic import Diagnostic, Location, Severity
from cursus_lint.suppress import (
    NoqaDirective,
    NoqaMap,
    UnusedNoqa,
    add_noqa_edits,
    apply_suppressions,
    parse_noqa,
)

P = Path("steps/scripts/tab.py")
Q = Path("steps/contracts/tab_contract.py")


def diag(code: str, line: int, path: Path = P, column: int = 1) -> Diagnostic:
    return Diagnostic(code, "rule", Severity.ERROR, Location(path, line, column), f"{code} at {line}")


def codes_by_line(noqa: NoqaMap) -> dict[int, tuple[str, ...] | None]:
    return {line: d.codes for line, d in noqa.lines.items()}


# ---------------------------------------------------------------------------- parsing forms


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ("x = 1  # noqa: CL103", ("CL103",)),
        ("x = 1  # noqa: CL103, CL104", ("CL103", "CL104")),
        ("x = 1  # noqa:CL103 CL104", ("CL103", "CL104")),
        ("x = 1  # noqa:CL103,CL104", ("CL103", "CL104")),
        ("x = 1  # NOQA: cl103", ("CL103",)),
        ("x = 1  #noqa : CL103", ("CL103",)),
        ("x = 1  # noqa: CL103, E501 because the path is dynamic", ("CL103", "E501")),
        ("x = 1  # noqa", None),
        ("x = 1  # NoQA", None),
        ("x = 1  # noqa because", None),
        ("x = 1  # noqa:", None),
        ("x = 1  # see ticket 12  # noqa: CL702", ("CL702",)),
        ("x = 1  # type: ignore  # noqa", None),
    ],
)
def test_line_forms(line: str, codes: tuple[str, ...] | None) -> None:
    assert codes_by_line(parse_noqa(line + "\n")) == {1: codes}


@pytest.mark.parametrize(
    "line",
    [
        "x = 1  # noqa-ish",
        "x = 1  # noqa123",
        "x = 1  # this is not noqa",
        "x = 1  # noqaCL103",
        "x = 1",
    ],
)
def test_not_directives(line: str) -> None:
    noqa = parse_noqa(line + "\n")
    assert noqa.lines == {} and noqa.file_level == ()


def test_directive_columns_point_at_hash_and_codes() -> None:
    noqa = parse_noqa("value = os.environ['X']  # noqa: CL103,  cl104\n")
    assert noqa.lines[1] == NoqaDirective(
        line=1, column=26, codes=("CL103", "CL104"), code_columns=(34, 42), file_level=False,
        codes_span=(33, 46),
    )


def test_file_level_forms() -> None:
    text = (
        '"""Doc."""\n'
        "# cursus-lint: noqa: CL501, cl505\n"
        "import os\n"
        "    # Cursus-Lint:NOQA:CL703\n"
        "x = 1  # cursus-lint: noqa\n"
    )
    noqa = parse_noqa(text)
    assert [(d.line, d.column, d.codes) for d in noqa.file_level] == [
        (2, 1, ("CL501", "CL505")),
        (4, 5, ("CL703",)),
    ]
    # not on a line of its own: a line-level noqa for line 5 only
    assert codes_by_line(noqa) == {5: None}


def test_bare_file_level_noqa() -> None:
    noqa = parse_noqa("# cursus-lint: noqa\nimport os\n")
    assert [(d.line, d.codes, d.file_level) for d in noqa.file_level] == [(1, None, True)]
    assert noqa.suppresses("CL701", 2) and noqa.suppresses("CL903", 2)


def test_noqa_inside_strings_does_not_count() -> None:
    text = (
        's = "# noqa: CL103"\n'
        "t = '''\n"
        "# cursus-lint: noqa\n"
        "x  # noqa\n"
        "'''\n"
        'u = f"{s} # noqa"  # real comment\n'
        'v = "#"  # noqa: CL104\n'
    )
    noqa = parse_noqa(text)
    assert noqa.file_level == ()
    assert codes_by_line(noqa) == {7: ("CL104",)}
    assert noqa.lines[7].column == 10


def test_crlf_and_lone_cr_line_numbers_and_columns() -> None:
    crlf = "import os\r\nx = os.environ['A']  # noqa: CL103\r\n# cursus-lint: noqa: CL701\r\n"
    noqa = parse_noqa(crlf)
    assert codes_by_line(noqa) == {2: ("CL103",)}
    assert noqa.lines[2].column == 22 and noqa.lines[2].code_columns == (30,)
    assert [(d.line, d.codes) for d in noqa.file_level] == [(3, ("CL701",))]
    cr = "import os\rx = 1  # noqa: CL104\r"
    assert codes_by_line(parse_noqa(cr)) == {2: ("CL104",)}


def test_no_trailing_newline() -> None:
    assert codes_by_line(parse_noqa("x = 1  # noqa: CL103")) == {1: ("CL103",)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('x = """never closed  # noqa: CL103\ny = 2  # noqa: CL104\n', {1: ("CL103",), 2: ("CL104",)}),
        ("x = (1,\ny = 2  # noqa: CL104\n", {2: ("CL104",)}),
        ("if x:\n        a = 1\n    b = 2  # noqa: CL104\n", {3: ("CL104",)}),
    ],
)
def test_untokenizable_text_falls_back_to_a_line_scan(text: str, expected: dict) -> None:
    noqa = parse_noqa(text)
    assert noqa.tokenized is False
    assert codes_by_line(noqa) == expected
    assert noqa.redirects == {}


def test_odd_text_never_raises() -> None:
    assert codes_by_line(parse_noqa("x = 1\x00  # noqa: CL104\n")) == {1: ("CL104",)}
    assert codes_by_line(parse_noqa("\ufeff# noqa\n\x0c\n")) == {1: None}
    assert codes_by_line(parse_noqa("def f(:\n    pass  # noqa: CL901\n")) == {2: ("CL901",)}


def test_fallback_scan_exact() -> None:
    noqa = parse_noqa('x = """open  # noqa: CL103\n# cursus-lint: noqa: CL501\ny  # noqa\n')
    assert noqa.tokenized is False
    assert codes_by_line(noqa) == {1: ("CL103",), 3: None}
    assert [(d.line, d.codes) for d in noqa.file_level] == [(2, ("CL501",))]


def test_multiline_string_lines_redirect_to_the_closing_line() -> None:
    text = (
        "CONTRACT = ScriptContract(\n"     # 1
        '    description="""\n'            # 2
        "    reads /opt/ml/x\n"            # 3
        '    """,  # noqa: CL102\n'        # 4
        "    entry_point='a.py',\n"        # 5
        ")\n"                              # 6
        "y = 1 + \\\n"                     # 7
        "    2  # noqa\n"                  # 8
    )
    noqa = parse_noqa(text)
    assert noqa.redirects == {2: 4, 3: 4, 7: 8}
    assert noqa.suppresses("CL102", 3) and noqa.suppresses("CL102", 2)
    assert not noqa.suppresses("CL102", 5)
    assert noqa.suppresses("CL703", 7)


# ---------------------------------------------------------------------------- apply_suppressions


def test_apply_line_file_and_bare() -> None:
    text_p = (
        "import os\n"                                     # 1
        "a = os.environ['A']  # noqa: CL103, CL104\n"     # 2
        "b = os.environ['B']  # noqa\n"                   # 3
        "c = os.environ['C']  # noqa: CL102\n"            # 4
        "d = 1  # noqa\n"                                 # 5
        "e = 1  # noqa: CL110, E501\n"                    # 6
    )
    text_q = "# cursus-lint: noqa: CL504\nX_CONTRACT = 1  # noqa: CL201\n"
    maps = {P: parse_noqa(text_p), Q: parse_noqa(text_q)}
    diags = [diag("CL103", 2), diag("CL103", 3), diag("CL108", 3), diag("CL103", 4),
             diag("CL504", 2, Q), diag("CL201", 1, Q), diag("CL103", 1)]
    kept, suppressed, unused = apply_suppressions(diags, maps)
    assert [(d.code, d.location.line) for d in kept] == [("CL103", 4), ("CL201", 1), ("CL103", 1)]
    assert [(d.code, d.location.line, d.location.path) for d in suppressed] == [
        ("CL103", 2, P), ("CL103", 3, P), ("CL108", 3, P), ("CL504", 2, Q)]
    assert unused == [
        UnusedNoqa(Q, 2, 25, "CL201"),
        UnusedNoqa(P, 2, 37, "CL104"),
        UnusedNoqa(P, 4, 30, "CL102"),
        UnusedNoqa(P, 6, 16, "CL110"),  # line 5's bare noqa may be for flake8/ruff: not ours to judge
    ]


def test_unused_skips_codes_of_rules_that_are_off() -> None:
    maps = {P: parse_noqa("a = 1  # noqa: CL103, CL104\n")}
    _, _, unused = apply_suppressions([], maps, enabled=lambda code, path: code != "CL104")
    assert unused == [UnusedNoqa(P, 1, 16, "CL103")]


def test_file_and_line_directive_both_count_as_used() -> None:
    maps = {P: parse_noqa("# cursus-lint: noqa: CL103\na = 1  # noqa: CL103\n")}
    kept, suppressed, unused = apply_suppressions([diag("CL103", 2)], maps)
    assert (kept, len(suppressed), unused) == ([], 1, [])


def test_unused_file_level_directive_is_reported() -> None:
    maps = {P: parse_noqa("# cursus-lint: noqa: CL501, CL502\nclass AConfig: ...\n")}
    _, _, unused = apply_suppressions([diag("CL501", 2)], maps)
    assert unused == [UnusedNoqa(P, 1, 29, "CL502")]


def test_bare_noqa_is_never_called_unused() -> None:
    maps = {P: parse_noqa("a = 1  # noqa\nb = 2  # noqa: CL103\n")}
    _, _, unused = apply_suppressions([], maps)
    assert unused == [UnusedNoqa(P, 2, 16, "CL103")]


def test_cl903_only_silenced_at_file_level() -> None:
    line_only = {P: parse_noqa("a = 1  # noqa: CL903\nb = 2  # noqa\n")}
    kept, suppressed, unused = apply_suppressions([diag("CL903", 2), diag("CL903", 1)], line_only)
    assert [d.location.line for d in kept] == [2, 1] and suppressed == []
    assert unused == [UnusedNoqa(P, 1, 16, "CL903")]

    file_level = {P: parse_noqa("# cursus-lint: noqa: CL903\na = 1  # noqa: CL103\n")}
    kept, suppressed, unused = apply_suppressions([diag("CL903", 2)], file_level)
    assert kept == [] and len(suppressed) == 1
    assert unused == []  # the stale CL103 would be a CL903, which the file silences


def test_diagnostics_of_unmapped_files_are_kept() -> None:
    kept, suppressed, unused = apply_suppressions([diag("CL103", 1, Path("other.py"))],
                                                  {P: parse_noqa("x = 1\n")})
    assert [d.code for d in kept] == ["CL103"] and suppressed == [] and unused == []


def test_string_trap_does_not_suppress() -> None:
    maps = {P: parse_noqa("LABEL = os.environ['# noqa']\n")}
    kept, suppressed, _ = apply_suppressions([diag("CL103", 1)], maps)
    assert [d.code for d in kept] == ["CL103"] and suppressed == []


def test_crlf_file_suppression() -> None:
    maps = {P: parse_noqa("import os\r\nx = os.getenv('A')  # noqa: CL103\r\n")}
    kept, suppressed, unused = apply_suppressions([diag("CL103", 2), diag("CL103", 1)], maps)
    assert [d.location.line for d in kept] == [1]
    assert [d.location.line for d in suppressed] == [2]
    assert unused == []


# ---------------------------------------------------------------------------- add_noqa_edits


def test_add_noqa_appends_and_merges() -> None:
    text = (
        "import os\n"
        "a = os.environ['A']\n"
        "b = os.environ['B']  # noqa: CL104\n"
        "c = os.environ['C']  # noqa:CL104 E501\n"
        "d = os.environ['D']  # noqa\n"
        "e = os.environ['E']  # read at runtime\n"
        "f = '# noqa: CL101'\n"
        "g = 1   \n"
    )
    edited = add_noqa_edits(text, {2: {"cl103"}, 3: {"CL103", "CL104"}, 4: {"CL102"}, 5: {"CL103"},
                                   6: {"CL103", "CL102"}, 7: {"CL103"}, 8: {"CL110"}})
    assert edited == (
        "import os\n"
        "a = os.environ['A']  # noqa: CL103\n"
        "b = os.environ['B']  # noqa: CL104, CL103\n"
        "c = os.environ['C']  # noqa:CL104 E501 CL102\n"
        "d = os.environ['D']  # noqa\n"
        "e = os.environ['E']  # read at runtime  # noqa: CL102, CL103\n"
        "f = '# noqa: CL101'  # noqa: CL103\n"
        "g = 1   # noqa: CL110\n"
    )


def test_add_noqa_result_suppresses_what_it_was_asked_to() -> None:
    text = 'X = """\nline two\n"""\ny = 1 + \\\n    2\nz = 3\n'
    wanted = {2: {"CL102"}, 4: {"CL703"}, 6: {"CL110"}}
    edited = add_noqa_edits(text, wanted)
    assert edited == 'X = """\nline two\n"""  # noqa: CL102\ny = 1 + \\\n    2  # noqa: CL703\nz = 3  # noqa: CL110\n'
    ast.parse(edited)
    noqa = parse_noqa(edited)
    assert all(noqa.suppresses(code, line) for line, codes in wanted.items() for code in codes)


def test_add_noqa_merges_codes_redirected_to_one_line() -> None:
    text = 'S = f"""\n{a}\n{b}\n"""\n'
    assert add_noqa_edits(text, {1: {"CL704"}, 3: {"CL703"}}) == 'S = f"""\n{a}\n{b}\n"""  # noqa: CL703, CL704\n'


def test_add_noqa_keeps_crlf_bytes_and_missing_final_newline() -> None:
    text = "import os\r\nx = os.getenv('A')\r\ny = 2"
    edited = add_noqa_edits(text, {2: {"CL103"}, 3: {"CL110"}})
    assert edited == "import os\r\nx = os.getenv('A')  # noqa: CL103\r\ny = 2  # noqa: CL110"


def test_add_noqa_ignores_out_of_range_lines_and_cl903() -> None:
    text = "x = 1\n"
    assert add_noqa_edits(text, {0: {"CL101"}, 2: {"CL101"}, 1: {"CL903"}}) == text
    assert add_noqa_edits("", {1: {"CL101"}}) == ""


def test_add_noqa_is_idempotent() -> None:
    text = "a = 1\nb = 2  # noqa: CL104\n"
    once = add_noqa_edits(text, {1: {"CL103"}, 2: {"CL104"}})
    assert once == "a = 1  # noqa: CL103\nb = 2  # noqa: CL104\n"
    assert add_noqa_edits(once, {1: {"CL103"}, 2: {"CL104"}}) == once

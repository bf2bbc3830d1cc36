"""The fix probes' source segments: the text ``ast.get_source_segment`` gives, from line starts
computed once per file instead of a character loop over the whole file per node."""

from __future__ import annotations

import ast

from cursus_lint.fix.shape import line_starts, source_segment

_TEXTS = [
    'X = {"a": 1, "b": "two"}\n',
    'CONTRACT = ScriptContract(\r\n    required_env_vars=["LABEL", f"{A}x",\r\n        "a" "b"],\r\n)\r\n',
    "A = 'é'; B = \"naïve\"\rC = '''multi\nline\r\nstring'''\n",
    "x = 1\f\ny = ('\u2028'\n     'z')  # \u00e9 \x0c\n",
    "last = 'no newline at the end'",
]


def test_line_starts_break_where_the_parser_breaks() -> None:
    assert line_starts("a\r\nb\rc\nd\fe\x0bf") == [0, 3, 5, 7]
    assert line_starts("") == [0]


def test_every_node_segment_is_the_one_ast_gives() -> None:
    compared = 0
    for text in _TEXTS:
        starts = line_starts(text)
        for node in ast.walk(ast.parse(text)):
            if hasattr(node, "end_col_offset"):
                assert source_segment(text, starts, node) == ast.get_source_segment(text, node), (text, ast.dump(node))
                compared += 1
    assert compared == 37


def test_a_node_without_positions_has_no_segment() -> None:
    assert source_segment("x = 1\n", [0, 6], ast.Constant(value=1)) is None
    assert source_segment("x = 1\n", [0, 6], ast.Module(body=[], type_ignores=[])) is None

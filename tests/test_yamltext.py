"""Text splices into ``.step.yaml`` files: the exact text of each kind of edit, in each style the
files are written in, and every byte outside the edit kept (comments, quoting, line endings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.fix.yamltext import YamlText, scalar

PATH = Path("x.step.yaml")


def doc(text: str) -> YamlText:
    found = YamlText.of(PATH, text)
    assert found is not None
    return found


def test_block_list_item_copies_the_dash_indent_and_keeps_comments() -> None:
    text = "contract:\n  env_vars:\n    required:\n    - A  # first\n    # own line\n    optional: {}\n"
    d = doc(text)
    new = d.add_item(d.entry("contract", "env_vars", "required"), "B")
    assert new == "contract:\n  env_vars:\n    required:\n    - A  # first\n    - B\n    # own line\n    optional: {}\n"
    assert d.reads_as(new, ("contract", "env_vars", "required"), ["A", "B"])


@pytest.mark.parametrize(("before", "after"), [("[]", "[B]"), ("[A]", "[A, B]"), ("[A, 'C']", "[A, 'C', B]")])
def test_flow_list_item(before: str, after: str) -> None:
    d = doc(f"required: {before}  # note\n")
    assert d.add_item(d.entry("required"), "B") == f"required: {after}  # note\n"


def test_block_map_key_with_crlf_and_four_space_indent() -> None:
    text = "contract:\r\n    env_vars:\r\n        optional:\r\n            A: 'x'\r\nspec: {}\r\n"
    d = doc(text)
    new = d.add_key(d.entry("contract", "env_vars", "optional"), ["B: ''"])
    assert new == ("contract:\r\n    env_vars:\r\n        optional:\r\n            A: 'x'\r\n"
                   "            B: ''\r\nspec: {}\r\n")
    nested = d.add_key(d.entry("contract"), ["outputs:", "  out:", "    path: /opt/ml/processing/output"])
    assert nested == ("contract:\r\n    env_vars:\r\n        optional:\r\n            A: 'x'\r\n    outputs:\r\n"
                      "        out:\r\n            path: /opt/ml/processing/output\r\nspec: {}\r\n")


def test_key_after_a_block_scalar_and_at_the_end_without_newline() -> None:
    d = doc("a:\n  text: |\n    line one\n    line two\nb: 1")
    assert d.add_key(d.entry("a"), ["c: 2"]) == "a:\n  text: |\n    line one\n    line two\n  c: 2\nb: 1"
    assert d.add_key(None, ["z: 3"]) == "a:\n  text: |\n    line one\n    line two\nb: 1\nz: 3"


@pytest.mark.parametrize(("before", "after"), [("{A: 'x'}", "{A: 'x', B: ''}")])
def test_flow_map_key(before: str, after: str) -> None:
    d = doc(f"optional: {before}\n")
    assert d.add_key(d.entry("optional"), ["B: ''"]) == f"optional: {after}\n"


def test_what_it_will_not_edit() -> None:
    assert YamlText.of(PATH, "a: [1\n") is None  # a syntax error
    assert YamlText.of(PATH, "a: 1\na: 2\n") is None  # a duplicate key
    d = doc("a: 1\nlist:\n  - k: 1\n    j: 2\n")
    assert d.add_key(d.entry("a"), ["x: 1"]) is None  # a scalar, not a mapping
    assert d.add_item(d.entry("a"), "x") is None
    # a list of mappings: the new item goes after the last line of the last one (the caller's
    # reads_as check is what refuses an item of the wrong kind)
    assert d.add_item(d.entry("list"), "x") == "a: 1\nlist:\n  - k: 1\n    j: 2\n  - x\n"
    assert d.add_key(None, ["x: {}"]) == "a: 1\nlist:\n  - k: 1\n    j: 2\nx: {}\n"


@pytest.mark.parametrize(("value", "like", "text"), [
    ("LABEL", None, "LABEL"), ("yes", None, '"yes"'), ("0.7", None, '"0.7"'), ("", None, '""'),
    ("it's", "'a'", "'it''s'"), ("plain", "other", "plain"), ("a b", "other", '"a b"'), ("x", '"y"', '"x"'),
])
def test_scalar_reads_back_as_the_string(value: str, like: str | None, text: str) -> None:
    assert scalar(value, like) == text
    assert doc(f"k: {text}\n").entry("k").value.to_python() == value


@pytest.mark.parametrize(("before", "at", "after"), [
    ("k: [A, B, C]\n", 5, "k: [B, C]\n"), ("k: [A, B, C]\n", 8, "k: [A, C]\n"), ("k: [A, B]\n", 8, "k: [A]\n"),
    ("k: [A]\n", 5, "k: []\n"), ("k: {A: '1', B: '2'}\n", 13, "k: {A: '1'}\n"),
])
def test_remove_from_flow_collections(before: str, at: int, after: str) -> None:
    d = doc(before)
    assert d.remove_at(d.entry("k"), 1, at) == after


def test_remove_from_block_collections_takes_the_line_and_its_comment() -> None:
    d = doc("k:\n  - A  # a\n  - B\nm:\n  # about X\n  X: 1  # x\n  Y: 2\n")
    assert d.remove_at(d.entry("k"), 2, 5) == "k:\n  - B\nm:\n  # about X\n  X: 1  # x\n  Y: 2\n"
    assert d.remove_at(d.entry("m"), 6, 3) == "k:\n  - A  # a\n  - B\nm:\n  # about X\n  Y: 2\n"
    one = doc("m:\n  X: 1\nk:\n  - A\n")
    assert one.remove_at(one.entry("m"), 2, 3) is None  # the last key: `m:` would read as null
    assert one.remove_at(one.entry("k"), 4, 5) is None
    assert one.remove_at(one.entry("m"), 2, 4) is None  # nothing is written there


def test_an_empty_flow_mapping_on_a_block_key_becomes_a_block() -> None:
    d = doc("contract:\n  env_vars:\n    optional: {}  # none yet\n  x: 1\n")
    new = d.add_key(d.entry("contract", "env_vars", "optional"), ["A: ''"])
    assert new == "contract:\n  env_vars:\n    optional:  # none yet\n      A: ''\n  x: 1\n"
    inline = doc("k: {optional: {}}\n")  # inside a flow mapping it stays flow
    assert inline.add_key(inline.entry("k", "optional"), ["A: ''"]) == "k: {optional: {A: ''}}\n"

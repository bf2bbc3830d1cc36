"""The .step.yaml reader: exact positions, YAML 1.1 typing as upstream reads, and bad input as problems."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from cursus_core.interface.nodes import YMap, YScalar, YSeq
from cursus_core.interface.reader import read_interface_file, read_interface_text
from cursus_core.interface.span import Span

DOC = """\
step_type: Demo
contract:
  inputs:
    DATA:
      path: /opt/ml/processing/input/data
      required: yes
  env_vars:
    optional:
      RATIO: 1e-5
      COUNT: 7
  job_arguments:
    - flag: --job_type
      source: job_type
  entry_point:
"""


def _read(text: str):
    return read_interface_text(text, Path("demo.step.yaml"))


def test_keys_and_values_carry_exact_one_based_spans() -> None:
    root = _read(DOC).root
    assert isinstance(root, YMap)
    step = root.get("step_type")
    assert step.key_span == Span(1, 1, 1, 10)
    assert step.value == YScalar("Demo", Span(1, 12, 1, 16), "str")
    data = root.value("contract").value("inputs").get("DATA")
    assert data.key_span == Span(4, 5, 4, 9)
    path = data.value.get("path")
    assert path.key_span == Span(5, 7, 5, 11)
    assert path.value.span == Span(5, 13, 5, 42)
    flag = root.value("contract").value("job_arguments").items[0].get("flag")
    assert (flag.key_span, flag.value.span) == (Span(12, 7, 12, 11), Span(12, 13, 12, 23))


def test_scalars_are_typed_like_pyyaml_safe_load() -> None:
    root = _read(DOC).root
    assert root.to_python() == yaml.safe_load(DOC)
    optional = root.value("contract").value("env_vars").value("optional")
    assert optional.value("RATIO") == YScalar("1e-5", Span(9, 14, 9, 18), "str")  # PyYAML: a string
    assert optional.value("COUNT").tag == "int"
    assert root.value("contract").value("inputs").value("DATA").value("required").value is True  # yes


def test_empty_value_is_null_pointing_after_the_colon() -> None:
    entry = _read(DOC).root.value("contract").get("entry_point")
    assert entry.value == YScalar(None, Span(14, 15, 14, 15), "null")


def test_explicit_core_tags_win_and_other_tags_are_problems_not_objects() -> None:
    result = _read("a: !!str 12\nb: !!python/object/apply:os.system ['echo hi']\nc: !custom x\n")
    assert result.root.value("a") == YScalar("12", Span(1, 4, 1, 12), "str")
    assert [(p.kind, p.span.line) for p in result.problems] == [("yaml-unsupported-tag", 3)]
    assert isinstance(result.root.value("b"), YSeq)  # a tagged sequence stays plain data
    assert result.root.value("c") == YScalar("x", Span(3, 4, 3, 13), "str")


def test_syntax_error_is_a_located_problem() -> None:
    result = _read("step_type: A\ncontract:\n  inputs: [DATA, \n")
    assert result.root is None
    (problem,) = result.problems
    assert problem.kind == "yaml-syntax"
    assert problem.span == Span(4, 1, 4, 1)
    assert problem.message == ("YAML syntax error: while parsing a flow node expected the node content, "
                               "but found '<stream end>'")
    (colon,) = _read("step_type: A\ncontract: entry: x.py\n").problems
    assert (colon.kind, colon.span) == ("yaml-syntax", Span(2, 16, 2, 16))
    assert colon.message == "YAML syntax error: mapping values are not allowed here"


def test_top_level_must_be_one_mapping() -> None:
    assert [p.kind for p in _read("- a\n- b\n").problems] == ["not-a-mapping"]
    assert [p.message for p in _read("").problems] == [
        "interface file is empty; expected a mapping with step_type, registry, contract and spec"]
    (multi,) = _read("a: 1\n---\nb: 2\n").problems
    assert (multi.kind, multi.span.line) == ("yaml-syntax", 2)


def test_duplicate_keys_are_reported_and_the_last_wins_as_in_pyyaml() -> None:
    result = _read("step_type: A\nnode_type: source\nstep_type: B\n")
    (problem,) = result.problems
    assert problem.kind == "duplicate-key"
    assert problem.span == Span(3, 1, 3, 10)
    assert problem.message == "duplicate key 'step_type' (also at line 1); the YAML loader keeps only this last one"
    assert result.root.to_python() == {"step_type": "B", "node_type": "source"}


def test_billion_laughs_is_bounded() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    result = _read("\n".join(lines) + "\n")
    assert result.root is None
    assert [p.kind for p in result.problems] == ["yaml-too-large"]
    assert "more than 100000 nodes" in result.problems[0].message


def test_recursive_alias_and_deep_nesting_are_bounded() -> None:
    assert [p.kind for p in _read("a: &a [*a]\n").problems] == ["yaml-too-deep"]
    assert [p.kind for p in _read("a: " + "[" * 3000 + "]" * 3000 + "\n").problems] == ["yaml-too-deep"]


def test_file_size_and_encoding_are_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big.step.yaml"
    big.write_text("a: " + "x" * 2000 + "\n")
    assert [p.kind for p in read_interface_file(big, max_bytes=1000).problems] == ["file-too-large"]
    latin = tmp_path / "latin.step.yaml"
    latin.write_bytes("step_type: Caf\xe9\n".encode("latin-1"))
    assert [p.message for p in read_interface_file(latin).problems] == ["interface file is not UTF-8 (byte 14)"]
    assert [p.kind for p in read_interface_file(tmp_path / "missing.step.yaml").problems] == ["unreadable"]


def test_folded_strings_read_like_pyyaml() -> None:
    text = "description: >\n  one line\n  folded here\n"
    assert _read(text).root.to_python() == yaml.safe_load(text) == {"description": "one line folded here\n"}


def test_importing_the_interface_package_does_not_import_ruamel() -> None:
    code = ("import sys, cursus_core.interface, cursus_core.interface.model, cursus_core.interface.discovery; "
            "print('ruamel' in ' '.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

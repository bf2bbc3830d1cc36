"""Units of the fixer: libcst list/dict/call edits in the neighbours' style, text edits, the new
facts (literal defaults) and the cases where a fix is not determined and none is offered."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from cursus_core.source import load_source
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.facts import extract_all
from cursus_lint.fix.cst import Parsed, append, remove_item
from cursus_lint.fix.edits import apply_edits, minimal_edit
from cursus_lint.rules._examples import edit, repo
from cursus_lint.rules_index import all_rules

RULES = all_rules()


def _container(text: str) -> tuple[Parsed, cst.CSTNode]:
    parsed = Parsed.of(text)
    found = []

    class V(cst.CSTVisitor):
        def visit_List(self, n): found.append(n)

        def visit_Dict(self, n): found.append(n)

    parsed.module.visit(V())
    return parsed, found[0]


@pytest.mark.parametrize("text,expected", [
    ('x = ["A", "B"]\n', 'x = ["A", "B", "N"]\n'),
    ('x = ["A"]\n', 'x = ["A", "N"]\n'),
    ('x = []\n', 'x = ["N"]\n'),
    ('x = [\n    "A",  # a\n    "B",  # b\n]\n', 'x = [\n    "A",  # a\n    "B",  # b\n    "N",\n]\n'),
    ('x = [\n    "A",\n    "B"\n]\n', 'x = [\n    "A",\n    "B",\n    "N"\n]\n'),
    ('x = [\n    "A",\n]\n', 'x = [\n    "A",\n    "N",\n]\n'),
    ('def f():\n    return [\n        "A",\n    ]\n', 'def f():\n    return [\n        "A",\n        "N",\n    ]\n'),
])
def test_append_list_item_in_style(text, expected):
    parsed, node = _container(text)
    assert parsed.replace(node, append(node, cst.Element(cst.SimpleString('"N"')))) == expected


def test_append_dict_entry_and_keyword_argument():
    parsed, node = _container('d = {"A": "1",\n     "B": "2"}\n')
    new = append(node, cst.DictElement(cst.SimpleString('"N"'), cst.SimpleString('"3"')))
    assert parsed.replace(node, new) == 'd = {"A": "1",\n     "B": "2",\n     "N": "3"}\n'
    parsed = Parsed.of('c = f(\n    a=1,\n    b=2\n)\n')
    call = parsed.module.body[0].body[0].value
    new = append(call, cst.Arg(cst.Integer("3"), keyword=cst.Name("z"),
                               equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    assert parsed.replace(call, new) == 'c = f(\n    a=1,\n    b=2,\n    z=3\n)\n'


@pytest.mark.parametrize("text,index,expected", [
    ('x = ["A", "B", "C"]\n', 1, 'x = ["A", "C"]\n'),
    ('x = ["A", "B"]\n', 1, 'x = ["A"]\n'),
    ('x = ["A", "B",]\n', 1, 'x = ["A",]\n'),
    ('x = ["A"]\n', 0, 'x = []\n'),
    ('x = [\n    "A",  # a\n    "B",  # drop me\n    "C",\n]\n', 1, 'x = [\n    "A",  # a\n    "C",\n]\n'),
    ('x = {\n    "A": "1",\n    "B": "2",\n}\n', 1, 'x = {\n    "A": "1",\n}\n'),
])
def test_remove_item(text, index, expected):
    parsed, node = _container(text)
    assert remove_item(parsed, node, node.elements[index]) == expected


def test_minimal_edit_round_trips_with_crlf():
    old = "a = 1\r\nb = [1]\r\nc = 3\r\n"
    new = "a = 1\r\nb = [1, 2]\r\nc = 3\r\n"
    e = minimal_edit(Path("x.py"), old, new)
    assert (e.line, e.column, e.end_line, e.end_column, e.new_text) == (2, 7, 2, 7, ", 2")
    assert apply_edits(old, [e]) == new
    assert minimal_edit(Path("x.py"), old, old) is None


def test_facts_keep_literal_defaults(tmp_path):
    p = tmp_path / "s.py"
    p.write_text('import argparse, os\nSEP = ","\n'
                 'a = os.environ.get("A", "x")\nb = os.getenv("B", SEP)\nc = os.environ.get("C", make())\n'
                 'd = os.environ["D"]\n'
                 'parser = argparse.ArgumentParser()\nparser.add_argument("--n", default=3)\n'
                 'parser.add_argument("--m", default=f())\n')
    facts = extract_all(load_source(p), {"script"}).script
    assert [(r.name, r.default, r.default_is_literal) for r in facts.env_reads] == [
        ("A", "x", True), ("B", ",", True), ("C", None, False), ("D", None, False)]
    assert [(a.name, a.default, a.default_is_literal) for a in facts.arg_defs] == [("n", 3, True), ("m", None, False)]


def _fixes(tmp_path: Path, files: dict[str, str], code: str):
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    settings = load_config(tmp_path, set(RULES))
    return [d for d in Engine(settings, RULES).run([tmp_path]).diagnostics if d.code == code]


def test_cl103_default_is_computed_at_run_time_no_fix(tmp_path):
    script = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                  '    sep = environ_vars.get("SEPARATOR", ",")\n    mode = os.environ.get("MODE", pick())\n')
    [d] = _fixes(tmp_path, repo(script=script), "CL103")
    assert d.fix is None


def test_cl103_adds_the_missing_keyword_in_call_style(tmp_path):
    contract = edit("contract", '    optional_env_vars={"SEPARATOR": ","},\n', "")
    script = edit("script", 'environ_vars.get("SEPARATOR", ",")', 'environ_vars.get("SEP2", ";")')
    [d] = [d for d in _fixes(tmp_path, repo(script=script, contract=contract), "CL103") if "SEP2" in d.message]
    text = (tmp_path / "steps/contracts/clean_contract.py").read_text()
    assert apply_edits(text, d.fix.edits).endswith(
        '    required_env_vars=["LABEL_FIELD"],\n    optional_env_vars={"SEP2": ";"},\n)\n')


def test_cl203_only_for_processing_steps(tmp_path):
    files = dict(RULES["CL203"].bad[0].files)
    files["registry/step_names.py"] = files["registry/step_names.py"].replace(
        '"spec_type": "Clean",\n        "sagemaker_step_type": "Processing"',
        '"spec_type": "Clean",\n        "sagemaker_step_type": "Transform"')
    found = _fixes(tmp_path, files, "CL203")
    assert found and all(d.fix is None for d in found)


_READ_AT = '    sep = environ_vars.get("SEPARATOR", ",")\n'


@pytest.mark.parametrize(("read", "declared"), [
    ('os.getenv("MODE")', '    optional_env_vars={"SEPARATOR": ",", "MODE": ""},\n'),
    ('os.environ.get("MODE")', '    optional_env_vars={"SEPARATOR": ",", "MODE": ""},\n'),
    ('os.environ.get("MODE", "fast")', '    optional_env_vars={"SEPARATOR": ",", "MODE": "fast"},\n'),
])
def test_cl103_a_read_that_tolerates_absence_is_optional(tmp_path, read, declared):
    script = edit("script", _READ_AT, f"{_READ_AT}    mode = {read}\n")
    [d] = _fixes(tmp_path, repo(script=script), "CL103")
    text = (tmp_path / "steps/contracts/clean_contract.py").read_text()
    assert declared in apply_edits(text, d.fix.edits)


def test_cl103_subscript_read_is_required_when_the_builder_leaves_env_to_the_base(tmp_path):
    script = edit("script", _READ_AT, f'{_READ_AT}    mode = os.environ["MODE"]\n')
    builder = edit("builder", "        env_vars = {}\n        env_vars[\"LABEL_FIELD\"] = self.config.label_name\n",
                   "        env_vars = super()._get_environment_variables()\n")
    [d] = _fixes(tmp_path, repo(script=script, builder=builder), "CL103")
    text = (tmp_path / "steps/contracts/clean_contract.py").read_text()
    assert '    required_env_vars=["LABEL_FIELD", "MODE"],\n' in apply_edits(text, d.fix.edits)


def test_cl103_subscript_read_the_builder_never_sets_gets_no_safe_fix(tmp_path):
    script = edit("script", _READ_AT, f'{_READ_AT}    mode = os.environ["MODE"]\n')
    [d] = _fixes(tmp_path, repo(script=script), "CL103")
    assert d.fix is None  # required would make CL402 report the builder

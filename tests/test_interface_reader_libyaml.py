"""The reader's two composers: libyaml (fast) and ruamel (for what libyaml reads differently) agree.

Every fixture interface and every text where the two scanners are known to differ must give the same
tree, spans and problems as the ruamel composer the reader used before libyaml; the fast path must
really be taken for ordinary files (ruamel stays unimported).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cursus_core.interface import reader
from cursus_core.interface.nodes import YMap, YScalar
from cursus_core.interface.reader import read_interface_text
from cursus_core.interface.span import Span
from tests.yaml_differential import differences

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_INTERFACES = sorted((ROOT / "fixtures").rglob("*.step.yaml"))
PATH = Path("demo.step.yaml")

#: texts libyaml would read differently from ruamel (accept where ruamel rejects, or count lines or
#: columns another way); the reader must send each to ruamel
DIVERGENT = {
    "tab in a plain scalar": "spec:\n  out\tputs: 1\n",
    "question mark in a flow scalar": "entry: [bash, /? opt/run.sh]\n",
    "colon in an anchor name": "a: &n:x 1\nb: *n\n",
    "anchor before a key": "&x:a: 1\n",
    "bang in a tag": "a: !!str! 1\n",
    "comment glued to a block header": "a: |#\n  x\n",
    "NEL inside a flow list": "a: [x, y\x85z]\nb: 1\n",
    "BOM inside a key": "a:\n  se\ufeffmantic: 1\n",
    "no final newline": "[a]: 1",
    "line separator in a quoted scalar": "a: 'x\u2028y'\nb: 2\n",
    "paragraph separator in a flow list": "a: [x, y\u2029z]\nb: 1\n",
}


def _ruamel_only(text: str, monkeypatch: pytest.MonkeyPatch):
    """What the reader gives when libyaml is not available (the ruamel composer, as before)."""
    monkeypatch.setattr(reader, "_LOADER", None)
    monkeypatch.setattr(reader, "_MEMO", {})
    return read_interface_text(text, PATH)


def _fast(text: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(reader, "_LOADER", False)  # looked up again: libyaml when PyYAML has it
    monkeypatch.setattr(reader, "_MEMO", {})
    return read_interface_text(text, PATH)


def test_libyaml_is_available_so_the_fast_path_is_tested() -> None:
    import yaml

    assert yaml.__with_libyaml__
    assert reader._libyaml_loader() is yaml.CSafeLoader


@pytest.mark.parametrize("path", FIXTURE_INTERFACES, ids=lambda p: str(p.relative_to(ROOT / "fixtures")))
def test_every_fixture_interface_reads_the_same_with_both_composers(path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    fast = _fast(text, monkeypatch)
    assert fast.root is not None or fast.problems
    assert fast == _ruamel_only(text, monkeypatch)


@pytest.mark.parametrize("text", list(DIVERGENT.values()), ids=list(DIVERGENT))
def test_texts_libyaml_reads_differently_go_to_ruamel(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fast(text, monkeypatch) == _ruamel_only(text, monkeypatch)


def test_a_tab_in_a_plain_scalar_stays_a_located_syntax_error(monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = _fast(DIVERGENT["tab in a plain scalar"], monkeypatch).problems
    assert (problem.kind, problem.span) == ("yaml-syntax", Span(2, 6, 2, 6))
    assert problem.message == ("YAML syntax error: while scanning for the next token found character '\\t' "
                               "that cannot start any token")


def test_nel_is_not_a_line_break_and_a_missing_final_newline_keeps_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    root = _fast(DIVERGENT["NEL inside a flow list"], monkeypatch).root
    assert isinstance(root, YMap)
    assert root.get("b").key_span == Span(2, 1, 2, 2)
    result = _fast(DIVERGENT["no final newline"], monkeypatch)
    assert [p.kind for p in result.problems] == ["yaml-complex-key"]
    assert result.root.span == Span(1, 1, 1, 7)


def test_empty_value_in_a_flow_mapping_points_after_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "arguments: {1e5}\nb: {k: }\n"
    root = _fast(text, monkeypatch).root  # libyaml marks a plain empty scalar with style "", not None
    assert root.value("arguments").value("1e5") == YScalar(None, Span(1, 17, 1, 17), "null")
    assert root.value("b").value("k") == YScalar(None, Span(2, 7, 2, 7), "null")
    assert root == _ruamel_only(text, monkeypatch).root


def test_a_yaml_directive_ruamel_cannot_take_is_a_problem_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    (problem,) = _fast("%YAML 1.3\n---\na:\tb\n", monkeypatch).problems
    assert (problem.kind, problem.span) == ("yaml-syntax", Span.point())
    assert problem.message == "YAML syntax error: version minor part can only be 2 or 1, got (1, 3)"


def test_reading_an_ordinary_interface_does_not_import_ruamel() -> None:
    code = ("import sys; from pathlib import Path; from cursus_core.interface.reader import read_interface_file; "
            f"r = read_interface_file(Path({str(FIXTURE_INTERFACES[0])!r})); "
            "print(r.root is not None, len(r.problems), 'ruamel' in ' '.join(sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "0", "False"]


def test_seeded_mutations_of_the_fixture_interfaces_read_the_same_both_ways() -> None:
    texts = [p.read_text(encoding="utf-8") for p in FIXTURE_INTERFACES]
    found = [d.text for d in differences(texts, count=150, seed=10)]
    assert found == []


def test_the_differential_harness_sees_a_text_libyaml_reads_differently(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_RUAMEL_ONLY", re.compile("(?!)"))  # no text goes to ruamel any more
    found = list(differences([DIVERGENT["tab in a plain scalar"]], count=0, seed=0))
    assert [d.text for d in found] == [DIVERGENT["tab in a plain scalar"]]
    assert found[0].fast.problems == () and found[0].ruamel.problems[0].kind == "yaml-syntax"

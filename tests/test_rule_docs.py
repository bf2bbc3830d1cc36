"""Rule docs agree with the rule: the ``## Example`` block shows code the examples really lint,
fixable rules say how safe their fix is, and documented silences are listed under Known limits.

The Example check is deliberately about fragments, not whole files: a docs snippet abbreviates
with ``...`` and joins lines, so each shown code line is compared with whitespace removed, split
at ``...``, and its fragments must appear in that order in one file of the tested examples (the
bad block in the bad examples, the "Use instead" block in the good ones). A renamed variable, a
changed value or a different call in either place makes the test fail.
"""

from __future__ import annotations

import re

import pytest

from cursus_lint.rule import Example, Rule
from cursus_lint.rules_index import all_rules

RULES = all_rules()
FENCE = re.compile(r"```[\w-]*\n(.*?)```", re.S)
PATH_COMMENT = re.compile(r"^(?:#|//)\s*([\w./-]+\.(?:py|json|toml|ya?ml))(?::.*)?$")
#: a line that is only a file's path (a listing of file names, as CL505 shows)
BARE_PATH = re.compile(r"^([\w./-]+/[\w.-]+\.(?:py|json|toml|ya?ml))$")


def section(docs: str, heading: str) -> str:
    """The text under ``## heading`` up to the next ``## `` heading ('' when absent)."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", docs, re.S | re.M)
    return m.group(1) if m else ""


def example_blocks(docs: str) -> tuple[str, str | None]:
    """(bad block, "Use instead" block or None) of a rule's ``## Example`` section."""
    text = section(docs, "Example")
    head, _, tail = text.partition("Use instead")
    bad = FENCE.findall(head)
    good = FENCE.findall(tail)
    assert bad, "## Example has no code block"
    return bad[0], (good[0] if good else None)


def strip_comment(line: str) -> str:
    """``line`` without a trailing ``# ...`` (or JSON-with-comments ``// ...``) comment; a ``#``
    inside a string literal stays."""
    quote: str | None = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote and line[i - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" or line.startswith("//", i):
            return line[:i]
    return line


def squash(text: str) -> str:
    """No whitespace and no trailing comma before a closing bracket: layout does not count."""
    return re.sub(r",([)\]}])", r"\1", re.sub(r"\s+", "", text))


def fragments(line: str) -> list[str]:
    return [f for f in squash(strip_comment(line)).split("...") if f.strip(",")]


def appears(frags: list[str], text: str) -> bool:
    pos = 0
    for f in frags:
        f = f.strip(",")
        found = text.find(f, pos)
        if found < 0:
            return False
        pos = found + len(f)
    return True


def texts(examples: tuple[Example, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ex in examples:
        for rel, body in ex.files.items():
            if isinstance(body, bytes):  # a file saved in another encoding reads as its editor shows it
                try:
                    body = body.decode("utf-8")
                except UnicodeDecodeError:
                    body = body.decode("latin-1")
            out.setdefault(rel, "")
            out[rel] += "\n" + squash(body)
    return out


def missing_lines(block: str, examples: tuple[Example, ...]) -> list[str]:
    """Code lines of ``block`` that no example file contains, and path comments naming no file."""
    files = texts(examples)
    missing = []
    for line in block.splitlines():
        stripped = line.strip()
        path = PATH_COMMENT.match(stripped) or BARE_PATH.match(strip_comment(stripped).strip())
        if path:
            if not any(appears(path.group(1).split("..."), rel) for rel in files):
                missing.append(line)
            continue
        frags = fragments(line)
        if not frags:
            continue  # blank, a comment, `...` or a closing bracket
        if not any(appears(frags, text) for text in files.values()):
            missing.append(line)
    return missing


def documented() -> list[Rule]:
    return [r for r in RULES.values() if r.bad or r.good]


@pytest.mark.parametrize("rule", documented(), ids=lambda r: r.code)
def test_docs_example_shows_lines_of_the_bad_examples(rule: Rule) -> None:
    bad, _ = example_blocks(rule.docs)
    assert missing_lines(bad, rule.bad) == []


@pytest.mark.parametrize("rule", documented(), ids=lambda r: r.code)
def test_docs_use_instead_shows_lines_of_the_good_examples(rule: Rule) -> None:
    _, good = example_blocks(rule.docs)
    if good is None:
        return  # "Use instead" in prose (CL104) or no alternative shown
    assert missing_lines(good, rule.good) == []


def test_the_drift_check_catches_a_changed_value() -> None:
    rule = RULES["CL103"]
    bad, _ = example_blocks(rule.docs)
    assert missing_lines(bad, rule.bad) == []
    drifted = bad.replace("DEBUG_MODE", "DEBUG_LEVEL")
    expected = 'debug = os.getenv("DEBUG_LEVEL")          # CL103: not in CLEAN_CONTRACT'
    assert missing_lines(drifted, rule.bad) == [expected]


@pytest.mark.parametrize("code", sorted(c for c, r in RULES.items() if r.fix is not None))
def test_fixable_rules_document_fix_safety(code: str) -> None:
    rule = RULES[code]
    text = section(rule.docs, "Fix safety")
    assert text.strip(), code
    assert rule.fixable in text.lower(), (code, "says whether the fix is safe or unsafe")


def test_only_fixable_rules_have_a_fix_safety_section() -> None:
    assert sorted(c for c, r in RULES.items() if "## Fix safety" in r.docs) == \
        sorted(c for c, r in RULES.items() if r.fix is not None)


@pytest.mark.parametrize("code", sorted(RULES))
def test_documented_silence_is_under_known_limits(code: str) -> None:
    """A rule that says it stays silent says so under ``## Known limits``, not in passing."""
    docs = RULES[code].docs
    limits = section(docs, "Known limits")
    outside = docs.replace(limits, "")
    assert not re.search(r"stays? silent\b|is silent\b|are not (?:reported|checked)|is not checked", outside), code

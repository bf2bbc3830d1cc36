"""The whole-run result cache: a ``check`` whose inputs did not change since an identical earlier
run gives that run's result without building the project or running a rule.

The key is everything the result depends on besides the files: the tool version and the content
of its code (``cursus_core``, ``cursus_lint``, the rules), the Python version and ``sys.path``, the
resolved settings, where the configuration came from, the working directory, the targets and what
the output needs of fixes. The files are validated, not keyed: the entry holds the stamps of every
file the run read and every directory it listed or probed (:mod:`cursus_lint.inputs`), and any
difference is a miss.

Each result lives in its own pack of the cache directory (``result-<key digest>/pack.json``,
written by :class:`cursus_core.cache.DiskCache`: typed msgspec data, checksummed, size-bounded; a
tampered or odd entry is a miss), and only the :data:`KEEP` most recently used are kept. The hit
path imports neither the rules nor the facts layer: the entry carries the metadata the reporters
need of the rules that ran (:class:`RuleCard`), and the rule codes the configuration is validated
against are the rule modules' names, checked against the codes the storing run really had.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from functools import lru_cache
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from cursus_core.digest import blake2b
from cursus_core.file_stamp import RACY_NS, stamp
from cursus_core.cache import PACK_NAME, DiskCache
from cursus_core.literal_value import LiteralValue

from ._version import __version__
from .check_result import CheckResult
from .diagnostic import Diagnostic, Fix, Location, Related, Severity
from .inputs import Inputs, Recorder

if TYPE_CHECKING:  # pragma: no cover
    from .rule import Rule

__all__ = ["KEEP", "ResultCache", "candidate_codes"]

#: bumped whenever the entry or the key changes
FORMAT = 1
NAMESPACE = "result"
ENTRY_KEY = "run"
#: result entries kept in a cache directory (the most recently used)
KEEP = 8
_RULE_MODULE = re.compile(r"(cl\d{3})_\w+\.py")
_RESULT_DIR = re.compile(NAMESPACE + r"-[0-9a-f]{32}")
DEBUG_ENV = "CURSUS_LINT_DEBUG_RESULT_CACHE"


class RuleCard(msgspec.Struct, frozen=True, array_like=True):
    """What the reporters read of a rule that ran (SARIF descriptors, ``--statistics`` names)."""

    code: str
    name: str
    summary: str
    severity: Severity
    docs: str
    emitted_by: str | None


class DiagRecord(msgspec.Struct, frozen=True, array_like=True):
    """A :class:`Diagnostic` as cache data: ``extra`` in the literal codec's exact form."""

    code: str
    name: str
    severity: Severity
    location: Location
    message: str
    step: str | None
    related: tuple[Related, ...]
    fix: Fix | None
    anchor: str | None
    extra: dict[str, LiteralValue]
    fixable: str | None


class UnknownAt(msgspec.Struct, frozen=True, array_like=True):
    path: Path
    cases: list[tuple[str, int, int, str]]  # kind, line, column, code


class ResultEntry(msgspec.Struct, frozen=True):
    key: str
    #: every rule code the storing run had (the hit validates the settings against the same set)
    codes: list[str]
    cards: list[RuleCard]
    diagnostics: list[DiagRecord]
    files: int
    steps: int
    suppressed: int
    unknown: Counter[str]
    unknown_at: list[UnknownAt]
    inputs: Inputs


def _package_dirs() -> list[Path]:
    import importlib.util

    import cursus_core

    import cursus_lint

    rules = importlib.util.find_spec("cursus_lint.rules")  # located, not imported
    dirs = [Path(cursus_core.__file__).parent, Path(cursus_lint.__file__).parent]
    if rules is not None and rules.submodule_search_locations:
        dirs.extend(Path(p) for p in rules.submodule_search_locations)
    return dirs


@lru_cache(maxsize=1)
def _code_files() -> tuple[list[str], list[str]]:
    """Every .py file of the tool (sorted), and the names of the rule package's modules."""
    files: list[str] = []
    rule_names: list[str] = []
    dirs = _package_dirs()
    for i, base in enumerate(dirs):
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            names = sorted(n for n in filenames if n.endswith(".py"))
            files.extend(os.path.join(dirpath, n) for n in names)
            if i >= 2 and dirpath == str(base):
                rule_names.extend(names)
    return files, rule_names


def candidate_codes() -> set[str]:
    """The rule codes named by the rule modules (``clNNN_name.py``), without importing them."""
    _, rule_names = _code_files()
    return {m.group(1).upper() for name in rule_names if (m := _RULE_MODULE.fullmatch(name))}


def code_fingerprint(memo_root: Path | None = None) -> str:
    """Digest of the content of every module of the tool, its version and the Python running it.

    With ``memo_root`` (a cache directory of ours) the digest is memoised there under the stat
    signature of the files (size, mtime, ctime, inode: an edit changes the ctime at least), so a
    hit reads no code; a file changed within :data:`RACY_NS` is always read."""
    files, _ = _code_files()
    sig = blake2b(f"{FORMAT}\0{__version__}\0{sys.version}".encode(), digest_size=16)
    newest = 0
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            newest = time.time_ns()  # unreadable now: never memoised
            continue
        sig.update(f"{f}\0{stamp(st)}\n".encode(
            "utf-8", "surrogateescape"))
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    memo = None
    if memo_root is not None and time.time_ns() - newest >= RACY_NS:
        memo = DiskCache(memo_root, NAMESPACE, sig.hexdigest())
        known = memo.get("code", str)
        if known is not None:
            _touch(memo.pack_path)
            return known
    digest = _content_fingerprint(files)
    if memo is not None:
        memo.put("code", digest, str)
        memo.flush()
    return digest


def _content_fingerprint(files: list[str]) -> str:
    h = blake2b(f"{FORMAT}\0{__version__}\0{sys.version}\0{sys.implementation.cache_tag}".encode(),
                        digest_size=16)
    for f in files:
        h.update(f.encode("utf-8", "surrogateescape") + b"\0")
        try:
            with open(f, "rb") as fh:
                h.update(fh.read())
        except OSError:
            h.update(b"\0unreadable")
    return h.hexdigest()


def _card(rule: Rule, docs: bool) -> RuleCard:
    """The rule's card; its summary and docs only when the output shows them (SARIF)."""
    return RuleCard(rule.code, rule.name, rule.summary if docs else "", rule.severity, rule.docs if docs else "",
                    rule.emitted_by)


def _rule(card: RuleCard) -> Rule:
    from .rule import Rule

    return Rule(card.code, card.name, card.summary, card.severity, card.docs,
                emitted_by=card.emitted_by)  # type: ignore[arg-type]


def _record(d: Diagnostic) -> DiagRecord:
    return DiagRecord(d.code, d.name, d.severity, d.location, d.message, d.step, tuple(d.related), d.fix, d.anchor,
                      dict(d.extra), d.fixable)


def _diagnostic(r: DiagRecord) -> Diagnostic:
    return Diagnostic(r.code, r.name, r.severity, r.location, r.message, step=r.step, related=r.related, fix=r.fix,
                      anchor=r.anchor, extra=dict(r.extra), fixable=r.fixable)


class ResultCache:
    """One ``check`` invocation's view of the result cache: :meth:`lookup`, or :meth:`recording`
    around the real run and :meth:`store` after it."""

    def __init__(self, settings: Any, targets: list[Path], fixes: str, rule_docs: bool) -> None:
        self.settings = settings
        self.root = Path(settings.cache_path).absolute()
        material = {
            "format": FORMAT,
            "code": code_fingerprint(self.root if _ours(self.root) else None),
            "path": list(sys.path),
            "settings": settings.as_table(),
            "root": str(settings.root.absolute()),
            "config_file": None if settings.config_file is None else str(settings.config_file),
            "cwd": os.getcwd(),
            "targets": [str(Path(t).absolute()) for t in targets],
            "fixes": fixes,
            "rule_docs": rule_docs,
        }
        self.key = json.dumps(material, sort_keys=True, default=str)
        self.digest = blake2b(self.key.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        self.rule_docs = rule_docs
        self.recorder: Recorder | None = None
        self.outcome = "off"

    def _cache(self) -> DiskCache:
        return DiskCache(self.root, NAMESPACE, self.digest)

    def lookup(self, codes: set[str], verbose: bool) -> CheckResult | None:
        """The stored result if this key has one whose inputs are all unchanged, else None."""
        start = time.perf_counter()
        if not self._ours():
            self._say("miss (not a cache directory of ours)")
            return None
        cache = self._cache()
        entry = cache.get(ENTRY_KEY, ResultEntry)
        if entry is None:
            self._say("miss (no entry)" if not cache.invalid else "miss (invalid entry)")
            return None
        if entry.key != self.key or set(entry.codes) != codes:
            self._say("miss (another key)")
            return None
        if not entry.inputs.unchanged(str(self.root)):
            self._say("miss (inputs changed)")
            return None
        _touch(cache.pack_path)
        result = CheckResult([_diagnostic(r) for r in entry.diagnostics], {c.code: _rule(c) for c in entry.cards},
                             entry.files, entry.steps, (time.perf_counter() - start) * 1000, Counter(entry.unknown),
                             suppressed=entry.suppressed, unknown_at=_unknown_at(entry.unknown_at) if verbose else {})
        self._say("hit")
        return result

    def recording(self) -> Recorder:
        """A started recorder of the run's inputs (stop it when the run ends)."""
        self.recorder = Recorder(str(self.root), tuple(str(d) for d in _package_dirs()))
        self.recorder.start()
        return self.recorder

    def store(self, result: CheckResult, rules: dict[str, Rule]) -> bool:
        """Store ``result`` with the inputs recorded; nothing when an input changed during the run,
        the run used no recorder, or the entry would not come back exactly."""
        if not self._ours():
            self._say("not stored (not a cache directory of ours)")
            return False
        inputs = self.recorder.inputs() if self.recorder is not None else None
        if inputs is None:
            self._say("not stored (an input changed during the run)")
            return False
        cards = [_card(r, self.rule_docs) for code, r in rules.items() if self.settings.enabled(code)]
        unknown_at = [UnknownAt(p, [(c.kind, c.line, c.column, c.code) for c in cases])
                      for p, cases in result.unknown_at.items()]
        entry = ResultEntry(self.key, sorted(rules), cards, [_record(d) for d in result.diagnostics], result.files,
                            result.steps, result.suppressed, Counter(result.unknown), unknown_at, inputs)
        cache = self._cache()
        cache.put(ENTRY_KEY, entry, ResultEntry)
        if cache.get(ENTRY_KEY, ResultEntry) != entry or not cache.flush():
            self._say("not stored")
            return False
        prune(self.root, KEEP)
        self._say("stored")
        return True

    def _ours(self) -> bool:
        return _ours(self.root)

    def _say(self, outcome: str) -> None:
        self.outcome = outcome
        if os.environ.get(DEBUG_ENV):
            print(f"cursus-lint: result cache: {outcome}", file=sys.stderr)


def _touch(pack: Path) -> None:
    """Mark an entry as just used: :func:`prune` keeps the most recently used."""
    try:
        os.utime(pack, follow_symlinks=False)
    except (OSError, NotImplementedError):
        pass


def _ours(root: Path) -> bool:
    """Results go only into a cache directory cursus-lint created (tagged by the facts cache): a
    ``cache-dir`` that already existed (``"."``, a source folder) gets no more than the facts."""
    tag = root / "CACHEDIR.TAG"
    return not root.is_symlink() and tag.is_file() and not tag.is_symlink()


def _unknown_at(items: list[UnknownAt]) -> dict[Path, tuple[Any, ...]]:
    from cursus_core.facts.model import UnknownCase  # only --verbose lists them

    return {u.path: tuple(UnknownCase(*case) for case in u.cases) for u in items}


def prune(root: Path, keep: int) -> int:
    """Remove all but the ``keep`` most recently used result entries under ``root``; how many went.

    Only directories this cache wrote are touched (``result-<digest>`` holding a ``CACHEDIR.TAG``),
    and only the files it writes there; a directory holding anything else is left as it is."""
    found: list[tuple[int, Path]] = []
    try:
        with os.scandir(root) as it:
            for e in it:
                if _RESULT_DIR.fullmatch(e.name) and e.is_dir(follow_symlinks=False):
                    try:
                        used = os.stat(Path(e.path, PACK_NAME), follow_symlinks=False).st_mtime_ns
                    except OSError:
                        used = 0
                    found.append((used, Path(e.path)))
    except OSError:
        return 0
    found.sort(reverse=True)
    removed = 0
    for _, directory in found[keep:]:
        if not (directory / "CACHEDIR.TAG").is_file():
            continue
        try:
            for child in directory.iterdir():
                ours = child.name in (PACK_NAME, "CACHEDIR.TAG", ".gitignore") or child.name.startswith(".tmp-")
                if ours and (child.is_symlink() or not child.is_dir()):
                    child.unlink()
            directory.rmdir()
            removed += 1
        except OSError:
            continue
    return removed

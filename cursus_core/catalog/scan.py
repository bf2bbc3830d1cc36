"""Cheap, content-based summaries of step component files, read from the syntax tree.

The catalog needs only a handful of facts per file (class names, a contract's entry point,
the step type a spec declares, which modules and names a file imports) to decide which files
form which step; it never imports the files. Summaries are memoised by file content, so a
warm re-index costs a ``stat`` per file and no tree walk.
"""

from __future__ import annotations

import ast
import threading
from typing import TYPE_CHECKING
from pathlib import Path, PurePosixPath

from msgspec.structs import replace

import msgspec

from cursus_core.facts._index import TreeIndex, child_fields
from cursus_core.literals import NotLiteral, call_name, dotted_name, literal_value, module_constants
from cursus_core.source import MEMO_SIZE, LruMemo, SourceFile, SourceProblem, load_source, read_source

if TYPE_CHECKING:  # pragma: no cover
    from cursus_core.cache import DiskCache

#: Calls that build a spec's ``step_type`` from a step name (and optionally a job type).
STEP_TYPE_CALLS = frozenset({"spec_type_with_job_type", "get_spec_step_type_with_job_type", "get_spec_step_type"})


class FileSummary(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """What one component file says about which step it belongs to (``array_like``: the facts
    cache stores it as the list of its fields, see :mod:`cursus_core.structcodec`)."""

    path: Path
    problem: SourceProblem | None = None
    #: class name -> last components of its base names, in file order
    classes: dict[str, list[str]] = msgspec.field(default_factory=dict)
    #: module-level names bound to a ``...ScriptContract(...)`` call
    contract_vars: list[str] = msgspec.field(default_factory=list)
    #: literal ``entry_point=`` values of ScriptContract calls
    entry_points: list[str] = msgspec.field(default_factory=list)
    #: (base step type, job type or None) per StepSpecification call whose step_type is readable
    spec_types: list[tuple[str, str | None]] = msgspec.field(default_factory=list)
    spec_vars: list[str] = msgspec.field(default_factory=list)
    #: names a spec passes as ``script_contract=`` (``X_CONTRACT`` or ``_get_contract``)
    contract_refs: list[str] = msgspec.field(default_factory=list)
    #: last components of imported modules (``tabular_preprocessing_contract``), also ``from . import x``
    imported_modules: set[str] = msgspec.field(default_factory=set)
    #: names imported with ``from m import name`` (anywhere in the file, including function bodies)
    imported_names: set[str] = msgspec.field(default_factory=set)


def entry_point_stem(entry_point: str) -> str:
    """``scripts/model_evaluation_xgb.py`` -> ``model_evaluation_xgb`` (entry points may omit ``.py``)."""
    name = PurePosixPath(entry_point.replace("\\", "/")).name
    return name[:-3] if name.endswith(".py") else name


def _literal(node: ast.AST, consts: dict) -> object:
    try:
        return literal_value(node, consts)
    except (NotLiteral, TypeError, RecursionError):
        return None


def _step_type(node: ast.expr, consts: dict) -> tuple[str, str | None] | None:
    """``"X"``, ``"X_Training"``, ``spec_type_with_job_type("X", "training")`` -> (base, job)."""
    if isinstance(node, ast.Call) and call_name(node) in STEP_TYPE_CALLS:
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        first = node.args[0] if node.args else kw.get("step_name", kw.get("base_step_type"))
        second = node.args[1] if len(node.args) > 1 else kw.get("job_type")
        base = _literal(first, consts) if first is not None else None
        job = _literal(second, consts) if second is not None else None
        if not isinstance(base, str) or not base:
            return None
        return base, (job if isinstance(job, str) and job else None)
    value = _literal(node, consts)
    if isinstance(value, str) and value:
        base, _, job = value.partition("_")
        return base, (job or None)
    return None


def _contract_ref(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    name = dotted_name(node)
    return name.rsplit(".", 1)[-1] if name else None


#: per node class, the fields that can hold child nodes (``ctx`` and type comments never do)


def _breadth_first(tree: ast.AST) -> list[ast.AST]:
    """The nodes of ``tree`` in ``ast.walk`` order (breadth first) but without the leaf ``ctx``
    nodes: about three times cheaper than ``ast.walk``'s generator per node. The order matters,
    since entry points and spec types are kept in the order they are met."""
    AST = ast.AST
    order: list[ast.AST] = [tree]
    push = order.append
    for node in order:  # grows while iterated: a queue without a deque
        for name in child_fields(node.__class__):
            value = getattr(node, name, None)
            if value.__class__ is list:
                for child in value:
                    if isinstance(child, AST):
                        push(child)
            elif isinstance(value, AST):
                push(value)
    return order


def summarize(source: SourceFile, index: TreeIndex | None = None) -> FileSummary:
    """Summary of an already loaded file; a file that did not parse yields only its problem.

    With ``index`` (the facts layer's walk of the same tree) the tree is not walked again: its
    imports and its contract and spec calls are taken from the index's buckets, the calls put
    back in ``ast.walk`` order, which the entry points and spec types keep."""
    summary = FileSummary(source.path, source.problem)
    tree = source.tree
    if tree is None:
        return summary
    consts = module_constants(tree)
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            summary.classes[stmt.name] = [(dotted_name(b) or "").rsplit(".", 1)[-1] for b in stmt.bases]
            continue
        if isinstance(stmt, ast.Assign):
            targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            targets = [stmt.target.id]
        else:
            continue
        name = (call_name(stmt.value) or "") if isinstance(stmt.value, ast.Call) else ""
        if name.endswith("ScriptContract"):
            summary.contract_vars.extend(targets)
        elif name == "StepSpecification":
            summary.spec_vars.extend(targets)
    if index is None:
        nodes: list[ast.AST] = _breadth_first(tree)
    else:
        wanted = [c for c in index.nodes(ast.Call) if _summarized_call(call_name(c) or "")]
        nodes = [*index.nodes(ast.ImportFrom), *index.nodes(ast.Import), *index.in_walk_order(wanted)]
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.module:
                summary.imported_modules.add(node.module.rsplit(".", 1)[-1])
            for alias in node.names:
                summary.imported_names.add(alias.name)
                summary.imported_modules.add(alias.name)  # `from . import x_contract`
        elif isinstance(node, ast.Import):
            for alias in node.names:
                summary.imported_modules.add(alias.name.rsplit(".", 1)[-1])
        elif isinstance(node, ast.Call):
            name = call_name(node) or ""
            if not _summarized_call(name):
                continue
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if name.endswith("ScriptContract") and "entry_point" in kw:
                ep = _literal(kw["entry_point"], consts)
                if isinstance(ep, str) and ep:
                    summary.entry_points.append(ep)
            elif name == "StepSpecification":
                if "step_type" in kw and (st := _step_type(kw["step_type"], consts)) is not None:
                    summary.spec_types.append(st)
                if "script_contract" in kw and (ref := _contract_ref(kw["script_contract"])) is not None:
                    summary.contract_refs.append(ref)
    return summary


def _summarized_call(name: str) -> bool:
    """The calls a summary reads: contracts and specifications."""
    return name.endswith("ScriptContract") or name == "StepSpecification"


#: path -> (content digest, summary): one entry per file, replaced when the file changes; the
#: ``MEMO_SIZE`` most recently used paths
_memo: LruMemo[str, tuple[str, FileSummary]] = LruMemo(MEMO_SIZE)
_memo_lock = threading.Lock()


def _shallow(source: SourceFile) -> FileSummary:
    """Only whether the file parses (its problem): what the catalog needs of a script."""
    return FileSummary(source.path, source.problem)


def summarize_path(path: Path, cache: DiskCache | None = None, *, shallow: bool = False) -> FileSummary:
    """Summarise ``path``; memoised in-process by content digest and, with ``cache``, on disk.

    ``shallow``: only the parse problem, no tree walk (scripts are matched by name and entry
    point, so a warm run must not parse them just to learn that they parse)."""
    make = _shallow if shallow else summarize
    _, digest, _ = read_source(path)
    if not digest:  # unreadable: nothing to key on, and it may become readable
        return make(load_source(path))
    key = ("parsed:" if shallow else "") + str(path)
    prefix = "parsed-" if shallow else "summary-"
    with _memo_lock:
        hit = _memo.lookup(key)
    if hit is not None and hit[0] == digest:
        return hit[1]
    summary = cache.get(prefix + digest, FileSummary) if cache is not None else None
    if summary is not None:
        summary.path = path if isinstance(path, Path) else Path(path)  # same content may live at another path
        if summary.problem is not None:
            summary.problem = replace(summary.problem, path=Path(path))
    else:
        summary = make(load_source(path))
        if cache is not None:
            cache.put(prefix + digest, summary, FileSummary)
    with _memo_lock:
        _memo.put(key, (digest, summary))
    return summary


def reserve(files: int) -> None:
    """Room in the memo for two summaries (full and parse-only) of ``files`` files.

    A run over a repo larger than the memo evicted what the worker processes had summarised
    before the catalog asked for it, and the catalog parsed those files again in this process:
    4,903 of 7,500 files in a 1,500-step repo, most of the cold run. Summaries are small; the
    bound stays for the language server, whose repo does not grow with each edit."""
    with _memo_lock:
        _memo.maxsize = max(_memo.maxsize, 2 * files + MEMO_SIZE)


def remember(path: Path, digest: str, summary: FileSummary, cache: DiskCache | None = None) -> None:
    """Record a summary of this content made elsewhere (a worker process parsed the file), as
    :func:`summarize_path` would have: in the memo and, with ``cache``, on disk."""
    shallow = FileSummary(summary.path, summary.problem)
    with _memo_lock:
        _memo.put(str(path), (digest, summary))
        _memo.put("parsed:" + str(path), (digest, shallow))
    if cache is not None:
        cache.put("summary-" + digest, summary, FileSummary)
        cache.put("parsed-" + digest, shallow, FileSummary)

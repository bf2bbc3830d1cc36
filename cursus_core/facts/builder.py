"""Step builders: config attributes read, env vars set, job arguments, spec/contract use.

A config read is *guarded* when the code already allows for a missing attribute:
inside ``if hasattr(self.config, "x"):``, after ``if not hasattr(...): raise``, on the right
of ``hasattr(...) and ...``, or via ``getattr(self.config, "x", default)``.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Mapping

from cursus_core.literals import call_name, dotted_name
from cursus_core.source import SourceFile

from ._index import TreeIndex, child_nodes, index_for, normalize_arg, str_value
from ._unknown import at_node as _at
from ._unknown import note
from .model import (
    BuilderFacts, ConfigRead, EnvSet, JobArg, NameRef, OutputDestination, S3Build, S3Literal,
)
from .module import find_s3

_DEST_KEYWORDS = {"destination", "output_path", "s3_output_path", "output_uri", "output_s3_uri"}
_BASE_MARKERS = {"Join", "_get_base_output_path", "pipeline_s3_loc", "base_output_path"}
_EXITS = (ast.Raise, ast.Return, ast.Continue, ast.Break)


def extract_builders(sf: SourceFile, stats: Counter[str] | None = None,
                     index: TreeIndex | None = None) -> list[BuilderFacts]:
    if not sf.ok:
        return []
    idx = index or index_for(sf)
    classes = idx.nodes(ast.ClassDef)
    if not classes:
        return []
    st = stats if stats is not None else Counter()
    s3 = find_s3(idx)
    out = [_builder(idx, cls, st, s3) for cls in classes]
    out.sort(key=lambda b: (b.span.line, b.span.column))
    return out


def _builder(idx: TreeIndex, cls: ast.ClassDef, stats: Counter[str],
             s3: tuple[tuple[S3Literal, ...], tuple[S3Build, ...]]) -> BuilderFacts:
    bases = []
    for base in cls.bases:
        name = dotted_name(base)
        if name is None:
            note(stats, "dynamic-base-class", base, *_at(idx, base))
            name = "<dynamic>"
        bases.append(name)
    decorators = tuple(n for n in (dotted_name(d.func if isinstance(d, ast.Call) else d)
                                   for d in cls.decorator_list) if n)
    methods = {s.name: s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    reads: list[ConfigRead] = []
    for fn in methods.values():
        _ConfigReads(idx, fn, stats, reads).run()
    reads.sort(key=lambda r: (r.span.line, r.span.column))
    env_fn = methods.get("_get_environment_variables")
    env_sets, super_env = _env_sets(idx, env_fn, stats) if env_fn else ((), False)
    args_fn = methods.get("_get_job_arguments")
    job_args = _job_args(idx, args_fn, stats) if args_fn else ()
    spec_refs, contract_refs, dynamic_import = _refs(idx, cls, stats)
    config_class, source, config_import = _config_class(idx, cls, methods)
    lo, hi = cls.lineno, cls.end_lineno or cls.lineno
    outputs_fn = methods.get("_get_outputs")
    return BuilderFacts(
        name=cls.name,
        bases=tuple(bases),
        span=idx.span(cls),
        name_span=idx.name_span(cls),
        methods={name: idx.name_span(fn) for name, fn in methods.items()},
        decorators=decorators,
        config_reads=tuple(reads),
        env_vars_set=env_sets,
        has_env_method=env_fn is not None,
        calls_super_env=super_env,
        job_arguments=job_args,
        has_job_args_method=args_fn is not None,
        spec_refs=spec_refs,
        contract_refs=contract_refs,
        dynamic_spec_import=dynamic_import,
        config_class=config_class,
        config_class_source=source,
        config_class_import=config_import,
        s3_literals=tuple(s for s in s3[0] if lo <= s.span.line <= hi),
        s3_builds=tuple(b for b in s3[1] if lo <= b.span.line <= hi),
        output_destinations=_destinations(idx, outputs_fn) if outputs_fn else (),
    )


# ----------------------------------------------------------------------------- config reads


class _ConfigReads:
    """Walks one method, carrying the set of attribute names already known to exist."""

    def __init__(self, idx: TreeIndex, fn: ast.FunctionDef | ast.AsyncFunctionDef,
                 stats: Counter[str], out: list[ConfigRead]):
        self.idx, self.fn, self.stats, self.out = idx, fn, stats, out
        self.aliases = {a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg == "config"}
        for node in idx.in_lines(ast.Assign, fn):
            if (len(node.targets) == 1 and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and self._is_self_config(node.value)):
                self.aliases.add(node.targets[0].id)

    def run(self) -> None:
        if self.aliases or any(a.attr == "config" for a in self.idx.in_lines(ast.Attribute, self.fn)):
            self.block(self.fn.body, frozenset())

    @staticmethod
    def _is_self_config(node: ast.AST) -> bool:
        return (isinstance(node, ast.Attribute) and node.attr == "config"
                and isinstance(node.value, ast.Name) and node.value.id == "self")

    def is_config(self, node: ast.AST) -> bool:
        return self._is_self_config(node) or (isinstance(node, ast.Name) and node.id in self.aliases)

    def hasattr_names(self, test: ast.AST) -> tuple[set[str], set[str]]:
        """Attributes known to exist when ``test`` is true / when it is false."""
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "hasattr" \
                and len(test.args) == 2 and self.is_config(test.args[0]):
            name = str_value(test.args[1])
            return ({name} if name else set()), set()
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            pos, neg = self.hasattr_names(test.operand)
            return neg, pos
        if isinstance(test, ast.BoolOp):
            parts = [self.hasattr_names(v) for v in test.values]
            if isinstance(test.op, ast.And):
                return set().union(*(p for p, _ in parts)), set()
            return set(), set().union(*(n for _, n in parts))
        return set(), set()

    def block(self, stmts: list[ast.stmt], guards: frozenset[str]) -> None:
        for stmt in stmts:
            if isinstance(stmt, (ast.If, ast.While)):
                pos, neg = self.hasattr_names(stmt.test)
                self.visit(stmt.test, guards)
                self.block(stmt.body, guards | pos)
                self.block(stmt.orelse, guards | neg)
                if neg and stmt.body and isinstance(stmt.body[-1], _EXITS):
                    guards = guards | neg  # `if not hasattr(cfg, "x"): raise` guards what follows
            else:
                self.visit(stmt, guards)

    def visit(self, node: ast.AST, guards: frozenset[str]) -> None:
        if isinstance(node, (ast.If, ast.While)):
            self.block([node], guards)
            return
        if isinstance(node, ast.IfExp):
            pos, neg = self.hasattr_names(node.test)
            self.visit(node.test, guards)
            self.visit(node.body, guards | pos)
            self.visit(node.orelse, guards | neg)
            return
        if isinstance(node, ast.BoolOp):
            known = guards
            for value in node.values:
                self.visit(value, known)
                pos, neg = self.hasattr_names(value)
                known = known | (pos if isinstance(node.op, ast.And) else neg)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr") \
                and node.args and self.is_config(node.args[0]):
            if node.func.id == "getattr":
                name = str_value(node.args[1]) if len(node.args) > 1 else None
                if name is None:
                    note(self.stats, "dynamic-config-attr", node, *_at(self.idx, node))
                else:
                    has_default = len(node.args) > 2
                    self.out.append(ConfigRead(name, self.idx.span(node), has_default or name in guards,
                                               "getattr", self.fn.name))
            for arg in node.args[1:]:
                self.visit(arg, guards)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and self.is_config(node.func.value):
            self.out.append(ConfigRead(node.func.attr, self.idx.span(node.func), node.func.attr in guards,
                                       "call", self.fn.name))
            for arg in node.args + [k.value for k in node.keywords]:
                self.visit(arg, guards)
            return
        if isinstance(node, ast.Attribute) and self.is_config(node.value):
            if isinstance(node.ctx, ast.Load):
                self.out.append(ConfigRead(node.attr, self.idx.span(node), node.attr in guards,
                                           "attr", self.fn.name))
            return
        for child in child_nodes(node):
            self.visit(child, guards)


# ----------------------------------------------------------------------------- env vars, args


def _env_sets(idx: TreeIndex, fn: ast.stmt, stats: Counter[str]) -> tuple[tuple[EnvSet, ...], bool]:
    strs = idx.str_constants()
    out: list[EnvSet] = []
    super_env = False
    handled: set[int] = set()

    def add(key_node: ast.AST | None, at: ast.AST, how: str) -> None:
        name = str_value(key_node, strs) if key_node is not None else None
        if name is None:
            note(stats, "dynamic-builder-env-name", at, *_at(idx, at))
        else:
            out.append(EnvSet(name, idx.span(at), how))

    nodes = idx.in_lines(ast.Assign, fn) + idx.in_lines(ast.AugAssign, fn) + idx.in_lines(ast.Call, fn)
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    add(target.slice, target, "item")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            if attr == "_get_environment_variables" and isinstance(node.func.value, ast.Call) \
                    and call_name(node.func.value) == "super":
                super_env = True
            elif attr == "update" and isinstance(node.func.value, ast.Name):
                for arg in node.args:
                    if isinstance(arg, ast.Dict):
                        handled.add(id(arg))
                        for k in arg.keys:
                            if k is not None:
                                add(k, k, "update")
                    else:
                        note(stats, "dynamic-builder-env-name", arg, *_at(idx, arg))
                for kw in node.keywords:
                    if kw.arg:
                        out.append(EnvSet(kw.arg, idx.span(kw), "update"))
            elif attr == "setdefault" and isinstance(node.func.value, ast.Name) and node.args:
                add(node.args[0], node, "item")
    for node in idx.in_lines(ast.Dict, fn):
        if id(node) not in handled:
            for k in node.keys:
                if k is not None:
                    add(k, k, "dict")
    out.sort(key=lambda e: (e.span.line, e.span.column))
    return tuple(out), super_env


def _job_args(idx: TreeIndex, fn: ast.stmt, stats: Counter[str]) -> tuple[JobArg, ...]:
    out: list[JobArg] = []
    for node in idx.in_lines(ast.Constant, fn) + idx.in_lines(ast.JoinedStr, fn):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("--") \
                and not isinstance(idx.parent(node), ast.JoinedStr):
            out.append(JobArg(normalize_arg(node.value), node.value, idx.span(node)))
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) \
                and str(node.values[0].value).startswith("--"):
            note(stats, "dynamic-job-argument", node, *_at(idx, node))
    out.sort(key=lambda a: (a.span.line, a.span.column))
    return tuple(out)


# ----------------------------------------------------------------------------- references


def _refs(idx: TreeIndex, cls: ast.ClassDef,
          stats: Counter[str]) -> tuple[tuple[NameRef, ...], tuple[NameRef, ...], bool]:
    imports = idx.import_map()
    specs: list[NameRef] = []
    contracts: list[NameRef] = []
    dynamic: ast.AST | None = None
    for node in idx.in_lines(ast.Name, cls) + idx.in_lines(ast.Call, cls):
        if isinstance(node, ast.Name):
            ident = node.id
            if not (ident.endswith("_SPEC") or ident.endswith("_CONTRACT") or ident in imports) \
                    or not isinstance(node.ctx, ast.Load):
                continue
            imp = imports.get(node.id)
            module = imp[0] if imp else ""
            last = module.rsplit(".", 1)[-1]
            ref = NameRef(node.id, idx.span(node), imp[0] if imp else None, imp[1] if imp else 0)
            if node.id.endswith("_SPEC") or last.endswith("_spec"):
                specs.append(ref)
            elif node.id.endswith("_CONTRACT") or last.endswith("_contract"):
                contracts.append(ref)
        elif isinstance(node, ast.Call) and (dotted_name(node.func) in ("importlib.import_module", "import_module",
                                                                        "__import__")):
            dynamic = dynamic or node
    if dynamic is not None:
        note(stats, "dynamic-spec-import", dynamic, *_at(idx, dynamic))
    key = lambda r: (r.span.line, r.span.column)  # noqa: E731
    return tuple(sorted(specs, key=key)), tuple(sorted(contracts, key=key)), dynamic is not None


def _annotation_name(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.strip().split("[")[-1].rstrip("]").split(".")[-1] or None
    if isinstance(node, ast.Subscript):  # Optional[XConfig]
        return _annotation_name(node.slice)
    name = dotted_name(node) if node is not None else None
    return name.split(".")[-1] if name else None


def _config_class(idx: TreeIndex, cls: ast.ClassDef,
                  methods: Mapping[str, ast.AST]) -> tuple[str | None, str | None, str | None]:
    imports = idx.import_map()

    def where(name: str | None) -> str | None:
        hit = imports.get(name) if name else None
        return ("." * hit[1] + hit[0]) if hit else None

    for node in idx.in_lines(ast.Call, cls):
        if isinstance(node.func, ast.Name) and node.func.id == "isinstance" \
                and len(node.args) == 2:
            subject = node.args[0]
            if (isinstance(subject, ast.Name) and subject.id == "config") or _ConfigReads._is_self_config(subject):
                name = _annotation_name(node.args[1])
                if name and name.endswith("Config"):
                    return name, "isinstance", where(name)
    init = methods.get("__init__")
    if isinstance(init, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for arg in init.args.args + init.args.kwonlyargs:
            if arg.arg == "config":
                name = _annotation_name(arg.annotation)
                if name and name.endswith("Config") and name != "BasePipelineConfig":
                    return name, "annotation", where(name)
    for node in idx.in_lines(ast.AnnAssign, cls):
        if _ConfigReads._is_self_config(node.target):
            name = _annotation_name(node.annotation)
            if name and name.endswith("Config"):
                return name, "annotation", where(name)
    candidates = sorted(name for name, (module, _level, _orig) in imports.items()
                        if name.endswith("Config") and module.rsplit(".", 1)[-1].startswith("config_"))
    if len(candidates) == 1:
        return candidates[0], "import", where(candidates[0])
    return None, None, None


# ----------------------------------------------------------------------------- outputs


def _classify(node: ast.AST) -> tuple[str, bool]:
    uses_base = False
    for sub in ast.walk(node):
        marker = call_name(sub) if isinstance(sub, ast.Call) else (
            sub.id if isinstance(sub, ast.Name) else sub.attr if isinstance(sub, ast.Attribute) else None)
        if marker in _BASE_MARKERS:
            uses_base = True
            break
    if isinstance(node, ast.Call) and call_name(node) in ("Join", "_get_base_output_path"):
        kind = "base"
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        kind = "literal"
    elif isinstance(node, ast.JoinedStr):
        kind = "fstring"
    elif isinstance(node, ast.BinOp) or (isinstance(node, ast.Call) and call_name(node) == "format"):
        kind = "concat"
    elif (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "outputs") or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and dotted_name(node.func.value) == "outputs"):
        kind = "input"
    elif uses_base:
        kind = "base"
    else:
        kind = "other"
    return kind, uses_base


def _destinations(idx: TreeIndex, fn: ast.stmt) -> tuple[OutputDestination, ...]:
    assigned: dict[str, list[ast.AST]] = {}
    nodes = idx.in_lines(ast.Assign, fn) + idx.in_lines(ast.Call, fn) + idx.in_lines(ast.Return, fn)
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    exprs: list[ast.AST] = []
    for name, values in assigned.items():
        low = name.lower()
        if "dest" in low or low.endswith("output_path") or low.endswith("output_uri"):
            exprs.extend(values)
    for node in nodes:
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in _DEST_KEYWORDS:
                    if isinstance(kw.value, ast.Name):
                        exprs.extend(assigned.get(kw.value.id, []))
                    else:
                        exprs.append(kw.value)
        elif isinstance(node, ast.Return) and node.value is not None \
                and not isinstance(node.value, (ast.List, ast.Name, ast.Dict, ast.ListComp)):
            exprs.append(node.value)
    seen: set[int] = set()
    out: list[OutputDestination] = []
    for expr in exprs:
        if id(expr) in seen:
            continue
        seen.add(id(expr))
        kind, uses_base = _classify(expr)
        out.append(OutputDestination(kind, idx.span(expr), uses_base))
    out.sort(key=lambda d: (d.span.line, d.span.column))
    return tuple(out)


"""What a processing/training script uses: container paths, env vars, CLI args, logical names.

Container paths are followed through module constants, ``os.path.join``, ``pathlib`` and
f-strings and reported where they are *used*; a path only used as the prefix of a deeper one
still counts (``PathUse.value`` is the base, ``PathUse.full`` the resolved path).
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

from cursus_core.literals import call_name, dotted_name, module_constants
from cursus_core.source import SourceFile

from ._index import TreeIndex, index_for, normalize_arg, str_value
from ._unknown import at_node as _at
from ._unknown import note
from .main_env import main_env_dict
from .model import (
    ArgDef, ArgRead, DictEntry, EnvRead, KeyUse, MainCall, MainFacts, Param, PathConstant, PathUse,
    ScriptFacts, Span,
)

CONTAINER_PREFIX = "/opt/ml"


def is_container_path(text: str) -> bool:
    return text == CONTAINER_PREFIX or text.startswith(CONTAINER_PREFIX + "/")
TESTABLE_PARAMS = ("input_paths", "output_paths", "environ_vars", "job_args")
_ENVIRON = {"os.environ", "environ"}
_ENV_DICTS = {"environ_vars", "env_vars"}
_ENV_METHODS = {"get", "setdefault", "getenv"}
#: calls whose arguments are only shown, never acted on (``print``, ``logger.info``, ``log_once``)
_LOG_CALLS = frozenset({"print", "debug", "info", "warning", "warn", "error", "critical", "exception", "log",
                        "log_once", "pprint"})
_PATH_CLASSES = {"Path", "PurePath", "PosixPath", "PurePosixPath"}
_JOIN_FUNCS = {"os.path.join", "path.join", "posixpath.join", "join"}


def extract_script(sf: SourceFile, stats: Counter[str] | None = None,
                   index: TreeIndex | None = None) -> ScriptFacts:
    if not sf.ok:
        return ScriptFacts()
    idx = index or index_for(sf)
    return _ScriptExtractor(idx, stats if stats is not None else Counter()).run()


def _join(full: str, part: str) -> str:
    return full + part if full.endswith("/") else full + "/" + part


def _is_path_call(call: ast.Call) -> str | None:
    """``"join"`` / ``"pathlib"`` when ``call`` builds a path from its arguments."""
    if dotted_name(call.func) in _JOIN_FUNCS:
        return "join"
    if call_name(call) in _PATH_CLASSES:
        return "pathlib"
    return None


class _ScriptExtractor:
    def __init__(self, idx: TreeIndex, stats: Counter[str]):
        self.idx = idx
        self.stats = stats
        self.strs = idx.str_constants()
        self.paths: dict[str, str | None] = {}
        self._loads: dict[str, list[ast.Name]] = {}
        self._seeds: list[ast.AST] | None = None
        self.main: ast.FunctionDef | ast.AsyncFunctionDef | None = None
        self.guard: ast.If | None = None
        for stmt in idx.tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "main":
                self.main = stmt
            elif isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
                self.guard = stmt

    def run(self) -> ScriptFacts:
        idx = self.idx
        constants = self._path_constants()
        paths = self._path_uses()
        main_facts, main_params = self._main_facts()
        env_reads, dynamic = self._env_reads()
        arg_defs, uses_argparse = self._arg_defs()
        main_calls = self._main_calls()
        guard_span = None
        if self.guard is not None:
            g = idx.span(self.guard)
            t = idx.span(self.guard.test)
            guard_span = Span(g.line, g.column, t.end_line, t.end_column)
        return ScriptFacts(
            paths=paths,
            path_constants=constants,
            env_reads=env_reads,
            dynamic_env_reads=dynamic,
            arg_defs=arg_defs,
            arg_reads=self._arg_reads(main_params),
            key_uses=self._key_uses(main_params),
            main=main_facts,
            has_main_guard=self.guard is not None,
            main_guard_span=guard_span,
            main_calls=main_calls,
            main_dicts=self._main_dicts(),
            main_env=main_env_dict(idx, self.guard, self.main, module_constants(idx.tree)) if self.guard else None,
            uses_argparse=uses_argparse,
            dict_escapes=self._dict_escapes(),
            reads_argv=any(dotted_name(a) == "sys.argv" for a in idx.nodes(ast.Attribute))
            or any(isinstance(f, ast.ImportFrom) and f.module == "sys" and any(a.name == "argv" for a in f.names)
                   for f in idx.nodes(ast.ImportFrom)),
        )

    # ------------------------------------------------------------------ container paths

    def _path_constants(self) -> tuple[PathConstant, ...]:
        """Names bound to container paths, found by following seeds (literals, then names
        already known) up to the assignment that binds them; cost follows the seeds, not
        the file size."""
        idx = self.idx
        loads: dict[str, list[ast.Name]] = {}
        for name in idx.nodes(ast.Name):
            if isinstance(name.ctx, ast.Load):
                loads.setdefault(name.id, []).append(name)
        self._loads = loads
        seen: dict[str, set[str]] = {}
        defs: list[PathConstant] = []
        done: set[int] = set()
        work: list[ast.AST] = list(reversed(self._literal_seeds()))
        self.paths = {}
        while work:
            outer = self._climb(work.pop())
            if id(outer) in done:
                continue
            done.add(id(outer))
            parent = idx.parents.get(id(outer))
            if not (isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is outer):
                continue
            hit = self._eval(outer)
            if hit is None or not hit[2]:
                continue
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                defs.append(PathConstant(target.id, hit[1], idx.span(target)))
                values = seen.setdefault(target.id, set())
                first = not values
                values.add(hit[1])
                self.paths[target.id] = hit[1] if len(values) == 1 else None
                if first:
                    work.extend(reversed(loads.get(target.id, ())))
        for name in (n for n, v in self.paths.items() if v is None):
            first_def = min((d.span for d in defs if d.name == name), key=lambda sp: (sp.line, sp.column),
                            default=None)
            note(self.stats, "ambiguous-path-constant", None, first_def.line if first_def else 1,
                 first_def.column if first_def else 1, name)
        defs.sort(key=lambda d: (d.span.line, d.span.column))
        return tuple(defs)

    def _literal_seeds(self) -> list[ast.AST]:
        if self._seeds is not None:
            return self._seeds
        parents = self.idx.parents
        seeds: list[ast.AST] = []
        self._seeds = seeds
        for const in self.idx.nodes(ast.Constant):
            v = const.value
            if v.__class__ is str and v[:7] == CONTAINER_PREFIX and is_container_path(v):
                p = parents.get(id(const))
                if isinstance(p, ast.JoinedStr) and p.values[0] is not const:
                    continue  # the tail of an f-string that starts with something else
                if isinstance(p, ast.Expr):
                    continue  # a docstring
                seeds.append(const)
        return seeds

    def _eval(self, node: ast.AST) -> tuple[str, str, bool, str | None] | None:
        """(base, full, complete, constant name) for a container-path expression."""
        if isinstance(node, ast.Constant):
            v = node.value
            return (v, v, True, None) if isinstance(v, str) and is_container_path(v) else None
        if isinstance(node, ast.Name):
            v = self.paths.get(node.id)
            return (v, v, True, node.id) if v else None
        if isinstance(node, ast.Call):
            parts: list[ast.AST]
            if isinstance(node.func, ast.Attribute) and node.func.attr == "joinpath":
                base = self._eval(node.func.value)
                parts = list(node.args)
            elif _is_path_call(node) and node.args:
                base = self._eval(node.args[0])
                parts = list(node.args[1:])
            else:
                return None
            return self._extend(base, parts, sep=True)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
            return self._extend(self._eval(node.left), [node.right], sep=isinstance(node.op, ast.Div))
        if isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.FormattedValue):
                if first.format_spec is not None or first.conversion not in (-1, 115):
                    return None
                base = self._eval(first.value)
            else:
                base = self._eval(first)
            rest = [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values[1:]]
            return self._extend(base, rest, sep=False)
        return None

    def _extend(self, base: tuple[str, str, bool, str | None] | None, parts: Sequence[ast.AST],
                sep: bool) -> tuple[str, str, bool, str | None] | None:
        if base is None:
            return None
        value, full, complete, const = base
        for part in parts:
            if not complete:
                break
            text = str_value(part, self.strs)
            if text is None:
                complete = False
                break
            full = _join(full, text) if sep else full + text
        if not complete:
            full = full.rstrip("/") or full
        return value, full, complete, const

    def _climb(self, node: ast.AST) -> ast.AST:
        parents = self.idx.parents
        while True:
            p = parents.get(id(node))
            if isinstance(p, ast.FormattedValue) and p.value is node:
                jp = parents.get(id(p))
                if isinstance(jp, ast.JoinedStr) and jp.values and jp.values[0] is p:
                    node = jp
                    continue
                return node
            extends = (
                (isinstance(p, ast.JoinedStr) and p.values and p.values[0] is node)
                or (isinstance(p, ast.Call) and p.args and p.args[0] is node and _is_path_call(p))
                or (isinstance(p, ast.BinOp) and p.left is node and isinstance(p.op, (ast.Div, ast.Add)))
            )
            if extends and p is not None:
                node = p
            elif isinstance(p, ast.Attribute) and p.attr == "joinpath":
                gp = parents.get(id(p))
                if not (isinstance(gp, ast.Call) and gp.func is p):
                    return node
                node = gp
            else:
                return node

    def _path_uses(self) -> tuple[PathUse, ...]:
        idx = self.idx
        parents = idx.parents
        seeds: list[ast.AST] = []
        for literal in self._literal_seeds():
            p = parents.get(id(literal))
            if isinstance(p, (ast.Assign, ast.AnnAssign)) and p.value is literal and _binds_name(p):
                continue  # a constant's definition, not a use
            if self._unused_table_entry(literal):
                continue  # ``TABLE = {"KEY": "/opt/ml/..."}`` whose KEY nothing looks up
            seeds.append(literal)
        for name, known in self.paths.items():
            if known:
                seeds.extend(self._loads.get(name, ()))
        done: set[int] = set()
        out: list[PathUse] = []
        for seed in seeds:
            outer = self._climb(seed)
            if id(outer) in done:
                continue
            done.add(id(outer))
            hit = self._eval(outer)
            if hit is None:
                outer, hit = seed, self._eval(seed)
                if hit is None:
                    continue
            value, full, complete, const = hit
            if not complete:
                note(self.stats, "incomplete-path", outer, *_at(idx, outer))
            out.append(PathUse(value, full, idx.span(outer), _via(outer), const, complete,
                               self._env_default_of(outer)))
        out.sort(key=lambda u: (u.span.line, u.span.column))
        return tuple(out)

    def _unused_table_entry(self, literal: ast.AST) -> bool:
        """A value of a dict literal bound to a name, under a string key that no subscript or
        ``.get`` of that name reads; any other use of the name (iterated, passed on) counts as
        reading every key."""
        parents = self.idx.parents
        table = parents.get(id(literal))
        if not isinstance(table, ast.Dict) or not any(v is literal for v in table.values):
            return False
        key = table.keys[[i for i, v in enumerate(table.values) if v is literal][0]]
        bind = parents.get(id(table))
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)
                and isinstance(bind, ast.Assign) and bind.value is table
                and len(bind.targets) == 1 and isinstance(bind.targets[0], ast.Name)):
            return False
        for load in self._loads.get(bind.targets[0].id, ()):
            p = parents.get(id(load))
            read: ast.expr | None
            if isinstance(p, ast.Subscript) and p.value is load:
                read = p.slice
            elif isinstance(p, ast.Attribute) and p.attr == "get":
                call = parents.get(id(p))
                read = call.args[0] if isinstance(call, ast.Call) and call.args else None
            else:
                return False
            if not (isinstance(read, ast.Constant) and isinstance(read.value, str)) or read.value == key.value:
                return False
        return True

    def _env_default_of(self, node: ast.AST) -> str | None:
        """The env var name when ``node`` is the default of ``os.environ.get`` / ``os.getenv``."""
        call = self.idx.parents.get(id(node))
        if not (isinstance(call, ast.Call) and len(call.args) >= 2 and call.args[1] is node):
            return None
        func = call.func
        is_env = (isinstance(func, ast.Attribute) and (
            (func.attr == "get" and dotted_name(func.value) in _ENVIRON)
            or (func.attr == "getenv" and dotted_name(func.value) == "os"))) \
            or (isinstance(func, ast.Name) and func.id == "getenv")
        return str_value(call.args[0], self.strs) if is_env else None

    # ------------------------------------------------------------------ main

    def _main_facts(self) -> tuple[MainFacts | None, set[str]]:
        fn = self.main
        if fn is None:
            return None, set()
        a = fn.args
        positional = list(a.posonlyargs) + list(a.args)
        n_defaults = len(a.defaults)
        params = [Param(arg.arg, self.idx.span(arg), i >= len(positional) - n_defaults)
                  for i, arg in enumerate(positional)]
        params += [Param(arg.arg, self.idx.span(arg), d is not None)
                   for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
        names = [p.name for p in params]
        testable = tuple(p.arg for p in positional[:4]) == TESTABLE_PARAMS
        called_with = {kw for call in self._main_call_nodes() for kw in (k.arg for k in call.keywords) if kw}
        partial = not testable and bool(set(TESTABLE_PARAMS) & (set(names) | called_with))
        facts = MainFacts(tuple(params), self.idx.span(fn), self.idx.name_span(fn), testable, partial)
        return facts, set(names)

    def _main_call_nodes(self) -> list[ast.Call]:
        g = self.guard
        if g is None:
            return []
        lo, hi = g.lineno, g.end_lineno or g.lineno
        return [c for c in self.idx.nodes(ast.Call)
                if isinstance(c.func, ast.Name) and c.func.id == "main" and lo <= c.lineno <= hi]

    def _main_calls(self) -> tuple[MainCall, ...]:
        return tuple(MainCall(self.idx.span(c), tuple(k.arg for k in c.keywords if k.arg), len(c.args))
                     for c in sorted(self._main_call_nodes(), key=lambda c: (c.lineno, c.col_offset)))

    def _main_dicts(self) -> dict[str, tuple[DictEntry, ...]]:
        g = self.guard
        if g is None:
            return {}
        idx = self.idx
        lo, hi = g.lineno, g.end_lineno or g.lineno
        found: dict[str, list[DictEntry]] = {}
        for node in sorted((n for n in idx.nodes(ast.Assign) if lo <= n.lineno <= hi),
                           key=lambda n: (n.lineno, n.col_offset)):
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Dict):
                entries = found[target.id] = []
                for k, v in zip(node.value.keys, node.value.values, strict=True):
                    key = str_value(k, self.strs) if k is not None else None
                    if k is None or key is None:
                        note(self.stats, "dynamic-main-dict-key", k or v, *_at(idx, k or v))
                        continue
                    entries.append(DictEntry(key, idx.span(k), self._value_text(v), idx.span(v)))
            elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                  and target.value.id in found):
                key = str_value(target.slice, self.strs)
                if key is None:
                    note(self.stats, "dynamic-main-dict-key", target, *_at(idx, target))
                    continue
                found[target.value.id].append(
                    DictEntry(key, idx.span(target.slice), self._value_text(node.value), idx.span(node.value)))
        self._main_call_dicts(found)
        return {k: tuple(v) for k, v in found.items()}

    def _main_call_dicts(self, found: dict[str, list[DictEntry]]) -> None:
        """Dicts handed to ``main(...)`` are also known under main's parameter names: a dict
        literal written in the call, or a named dict passed where another name is expected."""
        idx = self.idx
        params = list(TESTABLE_PARAMS)
        if self.main is not None:
            params = [a.arg for a in list(self.main.args.posonlyargs) + list(self.main.args.args)]
        for call in self._main_call_nodes():
            passed = [(params[i] if i < len(params) else None, a) for i, a in enumerate(call.args)]
            passed += [(k.arg, k.value) for k in call.keywords if k.arg]
            for param, value in passed:
                if param is None or param in found:
                    continue
                if isinstance(value, ast.Name) and value.id in found:
                    found[param] = found[value.id]
                elif isinstance(value, ast.Dict):
                    entries = found[param] = []
                    for k, v in zip(value.keys, value.values, strict=True):
                        key = str_value(k, self.strs) if k is not None else None
                        if k is None or key is None:
                            note(self.stats, "dynamic-main-dict-key", k or v, *_at(idx, k or v))
                            continue
                        entries.append(DictEntry(key, idx.span(k), self._value_text(v), idx.span(v)))

    def _value_text(self, node: ast.AST) -> str | None:
        hit = self._eval(node)
        if hit is not None and hit[2]:
            return hit[1]
        return str_value(node, self.strs)

    # ------------------------------------------------------------------ env vars

    def _env_reads(self) -> tuple[tuple[EnvRead, ...], int]:
        idx = self.idx
        out: list[EnvRead] = []
        dynamic = 0
        wrappers: dict[str, tuple[int, bool]] = {}

        def record(name_node: ast.AST | None, at: ast.AST, has_default: bool, how: str,
                   default_node: ast.AST | None = None) -> None:
            nonlocal dynamic
            name = str_value(name_node, self.strs) if name_node is not None else None
            if name is not None:
                out.append(EnvRead(name, idx.span(at), has_default, how, *self._literal_default(default_node),
                                   debug_only=self._only_logged(at), converted=self._converted_by(at)))
                return
            if isinstance(name_node, ast.Name):
                looped = self._loop_values(name_node)
                if looped:
                    out.extend(EnvRead(n, idx.span(at), has_default, how) for n in looped)
                    return
                fn = idx.enclosing_function(at)
                if fn is not None:
                    positional = [a.arg for a in list(fn.args.posonlyargs) + list(fn.args.args)]
                    if name_node.id in positional:
                        wrappers[fn.name] = (positional.index(name_node.id), has_default)
                        return
            dynamic += 1
            note(self.stats, "dynamic-env-name", at, *_at(idx, at))

        for sub in idx.nodes(ast.Subscript):
            value = sub.value
            if not isinstance(sub.ctx, ast.Load) or not (
                    (isinstance(value, ast.Attribute) and value.attr == "environ")
                    or (isinstance(value, ast.Name) and (value.id == "environ" or value.id in _ENV_DICTS))):
                continue
            base = dotted_name(value)
            if base in _ENVIRON:
                record(sub.slice, sub, False, "subscript")
            elif base in _ENV_DICTS:
                record(sub.slice, sub, False, "environ_vars")
        for call in idx.nodes(ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute):
                if func.attr not in _ENV_METHODS:
                    continue
            elif not (isinstance(func, ast.Name) and func.id == "getenv"):
                continue
            has_default = len(call.args) >= 2 or any(k.arg == "default" for k in call.keywords)
            first = call.args[0] if call.args else next(
                (k.value for k in call.keywords if k.arg in ("key", "name")), None)
            given = call.args[1] if len(call.args) >= 2 else next(
                (k.value for k in call.keywords if k.arg in ("default", "value")), None)
            if isinstance(func, ast.Attribute):
                base = dotted_name(func.value)
                if func.attr == "get" and base in _ENVIRON:
                    record(first, call, has_default, "get", given)
                elif func.attr == "get" and base in _ENV_DICTS:
                    record(first, call, has_default, "environ_vars.get", given)
                elif func.attr == "setdefault" and base in _ENVIRON:
                    record(first, call, True, "setdefault", given)
                elif func.attr == "getenv" and base == "os":
                    record(first, call, has_default, "getenv", given)
            elif isinstance(func, ast.Name) and func.id == "getenv":
                record(first, call, has_default, "getenv", given)
        for cmp in idx.nodes(ast.Compare):
            if len(cmp.ops) == 1 and isinstance(cmp.ops[0], (ast.In, ast.NotIn)):
                base = dotted_name(cmp.comparators[0])
                if base in _ENVIRON:
                    record(cmp.left, cmp, True, "in")
                elif base in _ENV_DICTS:
                    record(cmp.left, cmp, True, "environ_vars.in")
        if wrappers:
            for call in idx.nodes(ast.Call):
                if isinstance(call.func, ast.Name) and call.func.id in wrappers:
                    pos, inner_default = wrappers[call.func.id]
                    if pos < len(call.args):
                        name = str_value(call.args[pos], self.strs)
                        if name is None:
                            dynamic += 1
                            note(self.stats, "dynamic-env-name", call, *_at(idx, call))
                            continue
                        given_default = len(call.args) > pos + 1 or bool(call.keywords)
                        out.append(EnvRead(name, idx.span(call), inner_default or given_default, "wrapper"))
        out.sort(key=lambda r: (r.span.line, r.span.column, r.name))
        return tuple(out), dynamic

    def _only_logged(self, node: ast.AST) -> bool:
        """The read's value goes straight into a ``print(...)`` / ``logger.info(...)`` argument
        (possibly inside an f-string or ``%``/``+`` text): a debug dump, not a behaviour input."""
        parents = self.idx.parents
        cur = node
        while True:
            p = parents.get(id(cur))
            if isinstance(p, (ast.FormattedValue, ast.JoinedStr, ast.BinOp, ast.Tuple)):
                cur = p
                continue
            if isinstance(p, ast.Call) and cur is not p.func:
                return call_name(p.func) in _LOG_CALLS
            return False

    def _converted_by(self, node: ast.AST) -> str | None:
        """``int`` / ``float`` when the read is the direct argument of that conversion."""
        p = self.idx.parents.get(id(node))
        if isinstance(p, ast.Call) and isinstance(p.func, ast.Name) and p.func.id in ("int", "float") \
                and len(p.args) == 1 and p.args[0] is node:
            return p.func.id
        return None

    def _literal_default(self, node: ast.AST | None) -> tuple[object, bool]:
        """(value, True) for a literal scalar default (or a module string constant), else (None, False)."""
        if node is None:
            return None, False
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
            return node.value, True
        text = str_value(node, self.strs)
        return (text, True) if text is not None else (None, False)

    def _loop_values(self, name: ast.Name) -> tuple[str, ...]:
        """Values of ``name`` when it is the target of an enclosing ``for`` over string literals."""
        parents = self.idx.parents
        p = parents.get(id(name))
        while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            if (isinstance(p, ast.For) and isinstance(p.target, ast.Name) and p.target.id == name.id
                    and isinstance(p.iter, (ast.List, ast.Tuple, ast.Set))):
                values = [str_value(e, self.strs) for e in p.iter.elts]
                return tuple(v for v in values if v is not None) if None not in values else ()
            p = parents.get(id(p))
        return ()

    # ------------------------------------------------------------------ argparse

    def _arg_defs(self) -> tuple[tuple[ArgDef, ...], bool]:
        idx = self.idx
        out: list[ArgDef] = []
        uses = False
        for call in idx.nodes(ast.Call):
            func = call.func
            if call_name(call) == "ArgumentParser":
                uses = True
            if not (isinstance(func, ast.Attribute) and func.attr == "add_argument"):
                continue
            uses = True
            flags = tuple(a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
            if not flags:
                note(self.stats, "dynamic-argument", call, *_at(idx, call))
                continue
            raw = next((f for f in flags if f.startswith("--")), flags[0])
            kw = {k.arg: k.value for k in call.keywords if k.arg}
            dest = str_value(kw.get("dest"), self.strs) if "dest" in kw else None
            required_node = kw.get("required")
            required = isinstance(required_node, ast.Constant) and required_node.value is True
            has_default = "default" in kw
            if not raw.startswith("-"):
                nargs = kw.get("nargs")
                optional_nargs = isinstance(nargs, ast.Constant) and nargs.value in ("?", "*")
                required = not (optional_nargs or has_default)
            out.append(ArgDef(dest or normalize_arg(raw), raw, idx.span(call), has_default, required, flags,
                              *self._literal_default(kw.get("default"))))
        out.sort(key=lambda a: (a.span.line, a.span.column))
        return tuple(out), uses

    def _arg_vars(self, main_params: set[str]) -> set[str]:
        names = {"args", "job_args"} | (main_params & {"job_args"})
        for node in self.idx.nodes(ast.Assign):
            value = node.value
            if isinstance(value, ast.Subscript):
                value = value.value
            if isinstance(value, ast.Call) and call_name(value) in ("parse_args", "parse_known_args"):
                target = node.targets[0]
                if isinstance(target, ast.Tuple) and target.elts:
                    target = target.elts[0]
                if isinstance(target, ast.Name):
                    names.add(target.id)
        return names

    def _arg_reads(self, main_params: set[str]) -> tuple[ArgRead, ...]:
        idx = self.idx
        arg_vars = self._arg_vars(main_params)
        parents = idx.parents
        out: list[ArgRead] = []
        for attr in idx.nodes(ast.Attribute):
            if isinstance(attr.value, ast.Name) and attr.value.id in arg_vars and isinstance(attr.ctx, ast.Load):
                p = parents.get(id(attr))
                if isinstance(p, ast.Call) and p.func is attr:
                    continue
                out.append(ArgRead(attr.attr, idx.span(attr), attr.value.id))
        for call in idx.nodes(ast.Call):
            if (isinstance(call.func, ast.Name) and call.func.id in ("getattr", "hasattr") and len(call.args) >= 2
                    and isinstance(call.args[0], ast.Name) and call.args[0].id in arg_vars):
                name = str_value(call.args[1], self.strs)
                if name is None:
                    note(self.stats, "dynamic-arg-read", call, *_at(idx, call))
                else:
                    out.append(ArgRead(name, idx.span(call), call.args[0].id))
        out.sort(key=lambda r: (r.span.line, r.span.column))
        return tuple(out)

    # ------------------------------------------------------------------ logical names

    def _path_dict_kinds(self) -> dict[str, str]:
        """Names of the input/output path dicts: the conventional ones and main's own."""
        kinds: dict[str, str] = {"input_paths": "input", "output_paths": "output"}
        if self.main is not None:
            positional = [a.arg for a in list(self.main.args.posonlyargs) + list(self.main.args.args)]
            if positional and "input" in positional[0]:
                kinds.setdefault(positional[0], "input")
            if len(positional) > 1 and "output" in positional[1]:
                kinds.setdefault(positional[1], "output")
        return kinds

    def _key_uses(self, main_params: set[str]) -> tuple[KeyUse, ...]:
        idx = self.idx
        kinds = self._path_dict_kinds()
        out: list[KeyUse] = []

        def add(dict_name: str, key_node: ast.AST | None, at: ast.AST, how: str) -> None:
            key = str_value(key_node, self.strs) if key_node is not None else None
            if key is None:
                note(self.stats, "dynamic-logical-name", at, *_at(idx, at))
                return
            out.append(KeyUse(key, idx.span(at), dict_name, kinds[dict_name], how, dict_name in main_params))

        for sub in idx.nodes(ast.Subscript):
            if isinstance(sub.value, ast.Name) and sub.value.id in kinds and isinstance(sub.ctx, ast.Load):
                add(sub.value.id, sub.slice, sub, "subscript")
        for call in idx.nodes(ast.Call):
            func = call.func
            if (isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, ast.Name)
                    and func.value.id in kinds and call.args):
                add(func.value.id, call.args[0], call, "get")
        for cmp in idx.nodes(ast.Compare):
            if (len(cmp.ops) == 1 and isinstance(cmp.ops[0], (ast.In, ast.NotIn))
                    and isinstance(cmp.comparators[0], ast.Name) and cmp.comparators[0].id in kinds):
                add(cmp.comparators[0].id, cmp.left, cmp, "in")
        out.sort(key=lambda k: (k.span.line, k.span.column))
        return tuple(out)

    # ------------------------------------------------------------------ whole-dict uses

    def _dict_escapes(self) -> dict[str, Span]:
        """Where a path dict, env dict or ``os.environ`` is used other than by a key read."""
        idx = self.idx
        kinds = self._path_dict_kinds()
        kinds.update({n: "env" for n in _ENV_DICTS})
        functions = {s.name: [a.arg for a in list(s.args.posonlyargs) + list(s.args.args)]
                     for s in idx.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        found: dict[str, Span] = {}
        candidates: list[tuple[ast.expr, str]] = [
            (n, kinds[n.id]) for n in idx.nodes(ast.Name) if n.id in kinds and isinstance(n.ctx, ast.Load)]
        candidates += [(a, "env") for a in idx.nodes(ast.Attribute)
                       if a.attr == "environ" and dotted_name(a) in _ENVIRON and isinstance(a.ctx, ast.Load)]
        for node, kind in sorted(candidates, key=lambda c: (c[0].lineno, c[0].col_offset)):
            if kind not in found and _escapes(node, kind, idx.parents, kinds, functions):
                found[kind] = idx.span(node)
        return found


_READ_ATTRS = {"get", "setdefault", "update", "clear", "__contains__", "__getitem__"}
_HARMLESS_CALLS = {"len", "print", "str", "repr", "bool", "isinstance", "type", "id"}
_LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}


def _escapes(node: ast.AST, kind: str, parents: dict[int, ast.AST], kinds: dict[str, str],
             functions: dict[str, list[str]]) -> bool:
    """Whether this use of a dict may read keys these facts do not record."""
    p = parents.get(id(node))
    if isinstance(p, ast.Subscript) and p.value is node:
        return False
    if isinstance(p, ast.Attribute) and p.value is node:
        return p.attr not in _READ_ATTRS
    if isinstance(p, (ast.Compare, ast.FormattedValue, ast.BoolOp, ast.UnaryOp, ast.If, ast.While, ast.IfExp)):
        return isinstance(p, ast.Compare) and not (len(p.ops) == 1 and p.comparators[0] is node)
    if isinstance(p, ast.keyword):
        call, param = parents.get(id(p)), p.arg
        position = None
    elif isinstance(p, ast.Call) and node in p.args:
        call, param, position = p, None, p.args.index(node)
    else:
        return True  # iterated, aliased, returned, unpacked, put in a container ...
    if not isinstance(call, ast.Call):
        return True
    func = call.func
    if isinstance(func, ast.Name) and func.id in _HARMLESS_CALLS:
        return False
    if isinstance(func, ast.Attribute) and func.attr in _LOG_METHODS:
        return False
    if isinstance(func, ast.Name) and func.id in functions:
        names = functions[func.id]
        if param is None and position is not None and position < len(names):
            param = names[position]
        return kinds.get(param or "") != kind
    return True


def _binds_name(node: ast.Assign | ast.AnnAssign) -> bool:
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name)
    return all(isinstance(t, ast.Name) for t in node.targets)


def _via(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return "literal"
    if isinstance(node, ast.Name):
        return "constant"
    if isinstance(node, ast.JoinedStr):
        return "fstring"
    if isinstance(node, ast.BinOp):
        return "pathlib" if isinstance(node.op, ast.Div) else "concat"
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "joinpath":
            return "pathlib"
        return _is_path_call(node) or "join"
    return "literal"


def _is_main_guard(test: ast.AST) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and consts)

"""Cheap, content-based summaries of step component files, read from the syntax tree.

The catalog needs only a handful of facts per file (class names, a contract's entry point,
the step type a spec declares, which modules a file imports) to decide which files form
which step; it never imports the files.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from cursus_core.literals import NotLiteral, call_name, dotted_name, literal_value, module_constants
from cursus_core.source import SourceFile, SourceProblem, load_source

STEP_TYPE_CALLS = {"spec_type_with_job_type", "get_spec_step_type_with_job_type", "get_spec_step_type"}


@dataclass
class FileSummary:
    path: Path
    problem: SourceProblem | None = None
    classes: dict[str, list[str]] = field(default_factory=dict)  # class name -> base names (last component)
    contract_vars: list[str] = field(default_factory=list)
    entry_points: list[str] = field(default_factory=list)
    #: (base step type, job type or None) per StepSpecification call whose step_type is readable
    spec_types: list[tuple[str, str | None]] = field(default_factory=list)
    spec_vars: list[str] = field(default_factory=list)
    #: last components of imported modules ("tabular_preprocessing_contract") and imported names
    imported_modules: set[str] = field(default_factory=set)
    imported_names: set[str] = field(default_factory=set)


def _step_type(node: ast.expr, consts: dict) -> tuple[str, str | None] | None:
    if isinstance(node, ast.Call) and call_name(node) in STEP_TYPE_CALLS:
        try:
            args = [literal_value(a, consts) for a in node.args]
        except NotLiteral:
            return None
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        if not args and "step_name" in kw:
            try:
                args = [literal_value(kw["step_name"], consts)]
            except NotLiteral:
                return None
        if not args or not isinstance(args[0], str):
            return None
        job = args[1] if len(args) > 1 and isinstance(args[1], str) else None
        if job is None and "job_type" in kw:
            try:
                job = literal_value(kw["job_type"], consts)
            except NotLiteral:
                job = None
        return args[0], job if isinstance(job, str) else None
    try:
        value = literal_value(node, consts)
    except NotLiteral:
        return None
    if isinstance(value, str):
        base, _, job = value.partition("_")
        return base, (job or None)
    return None


def summarize(source: SourceFile) -> FileSummary:
    summary = FileSummary(source.path, source.problem)
    tree = source.tree
    if tree is None:
        return summary
    consts = module_constants(tree)
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef):
            summary.classes[stmt.name] = [(dotted_name(b) or "").rsplit(".", 1)[-1] for b in stmt.bases]
        elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            name = call_name(stmt.value) or ""
            targets = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
            if name.endswith("ScriptContract"):
                summary.contract_vars.extend(targets)
            elif name == "StepSpecification":
                summary.spec_vars.extend(targets)
    for node in ast.walk(tree):
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
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if name.endswith("ScriptContract") and "entry_point" in kw:
                try:
                    ep = literal_value(kw["entry_point"], consts)
                except NotLiteral:
                    ep = None
                if isinstance(ep, str):
                    summary.entry_points.append(ep)
            elif name == "StepSpecification" and "step_type" in kw:
                st = _step_type(kw["step_type"], consts)
                if st is not None:
                    summary.spec_types.append(st)
    return summary


def summarize_path(path: Path) -> FileSummary:
    return summarize(load_source(path))

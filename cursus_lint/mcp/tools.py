"""What the MCP tools do, without the MCP SDK: plain methods over one server root.

Each tool is one method of :class:`LintTools` marked with :func:`tool`; the server
(:mod:`.server`) registers every marked method, so adding a tool is writing one method here.
A method's typed parameters become the tool's input schema and its return type (a TypedDict of
:mod:`.schema`) its output schema. Bad input raises :class:`ToolFailure` with one sentence;
paths are relative to the root (absolute ones must lie inside it) and never lead out of it.
Static tools never import the linted repo; only ``build`` does, in the sandboxed child of
``cursus-lint build``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .schema import (BuildOut, FixApplied, FixPreview, FixSkipped, FixWritten, NewStepFileOut, NewStepPreview,
                     NewStepWiringOut, NewStepWritten, Report, RuleDoc, StepOut, WiringOut)

if TYPE_CHECKING:  # pragma: no cover
    from ..config import LintConfig
    from ..diagnostic import Diagnostic
    from ..fix.apply import FixOutcome
    from ..model import ProjectModel
    from ..scaffold import ScaffoldPlan

F = TypeVar("F", bound=Callable[..., Any])


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def workspace_id(self) -> str | None: ...


S = TypeVar("S", bound=_Named)


class ToolFailure(Exception):
    """A tool cannot answer (bad argument, unknown step, path outside the root): one sentence."""


@dataclass(frozen=True)
class ToolDef:
    """A registered tool: the method that implements it and whether it writes files."""

    name: str
    method: str
    write: bool


#: every tool, in the order ``tools/list`` shows them
TOOLS: list[ToolDef] = []


def tool(*, write: bool = False) -> Callable[[F], F]:
    """Register a :class:`LintTools` method as an MCP tool named like the method; ``write`` tools
    exist only when the server runs with ``--allow-write``. The docstring is the description."""

    def mark(fn: F) -> F:
        TOOLS.append(ToolDef(fn.__name__, fn.__name__, write))
        return fn

    return mark


class LintTools:
    """The tools over one step repo (``root``); every call reads the files afresh."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))

    def warm(self) -> None:
        """Import what every call needs (rules, engine, reporters) once, at start."""
        from .. import engine  # noqa: F401
        from ..report import json  # noqa: F401

        self._rules()

    # -------------------------------------------------------------------------- helpers
    def _rules(self) -> dict[str, Any]:
        from ..rules_index import all_rules

        return all_rules()

    def _settings(self, select: list[str] | None = None, ignore: list[str] | None = None) -> LintConfig:
        from ..config import ConfigError, load_config

        overrides: dict[str, Any] = {}
        if select:
            overrides["select"] = list(select)
        if ignore:
            overrides["ignore"] = list(ignore)
        try:
            return load_config(self.root, set(self._rules()), overrides=overrides)
        except ConfigError as exc:  # select/ignore come from the call, not from a command line
            raise ToolFailure(str(exc).replace("of command-line options", "of the tool's arguments")) from None

    def _path(self, given: str, what: str = "path") -> Path:
        """``given`` (relative to the root, or absolute) as an absolute path inside the root."""
        from cursus_core.sandbox import inside_root

        if not isinstance(given, str) or not given.strip() or "\x00" in given:
            raise ToolFailure(f"{what} must be a non-empty path")
        path = Path(given)
        path = Path(os.path.abspath(path if path.is_absolute() else self.root / path))
        if not inside_root(path, self.root):
            raise ToolFailure(f"{what} '{given}' is outside the server root {self.root}")
        if not path.exists():
            raise ToolFailure(f"{what} '{given}' does not exist under the server root {self.root}")
        return path

    def _rel(self, path: Path | str | None) -> str | None:
        if path is None:
            return None
        try:
            return Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def _project(self, settings: LintConfig) -> ProjectModel:
        from ..engine import Engine

        return Engine(settings, self._rules()).project(self.root)

    def _step(self, found: Sequence[S], name: str, workspace: str | None) -> S:
        """The step called ``name`` (registry key, any case) among ``found`` (step models or catalog
        entries); the core one unless ``workspace``."""
        steps = [s for s in found if s.name == name] or [s for s in found if s.name.lower() == name.strip().lower()]
        if workspace is not None:
            steps = [s for s in steps if s.workspace_id == workspace]
        elif len({s.workspace_id for s in steps}) > 1:
            steps = [s for s in steps if s.workspace_id is None] or steps
        if not steps:
            names = sorted({s.name for s in found})
            close = difflib.get_close_matches(name, names, n=3)
            where = f" in workspace '{workspace}'" if workspace is not None else ""
            listed = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known steps: {listed or 'none'}"
            raise ToolFailure(f"no step '{name}'{where} under {self.root}{hint}")
        return steps[0]

    def _targets(self, paths: list[str] | None, step: str | None,
                 settings: LintConfig) -> tuple[list[Path], str | None]:
        """What a check or fix run lints: the given paths, or the files of one step."""
        if step is not None and paths:
            raise ToolFailure("give either 'paths' or 'step', not both")
        if step is not None:  # the catalog alone knows a step's files: no facts needed
            from cursus_core.catalog import StepCatalog, find_repo_root

            layout: dict[str, list[str]] | None = {str(k): v for k, v in settings.layout.items()} or None
            catalog = StepCatalog([find_repo_root(self.root, layout)],
                                  workspace_dirs=[w.absolute() for w in settings.workspace_paths],
                                  registry=settings.registry_path.absolute() if settings.registry_path else None,
                                  layout=layout, interface_dirs=[d.absolute() for d in settings.interface_paths])
            info = self._step(catalog.iter_steps(), step, None)
            return list(info.files), info.name
        return [self._path(p) for p in (paths or ["."])], None

    def _report(self, diagnostics: Iterable[Diagnostic], files: int, steps: int, elapsed_ms: float) -> Report:
        from ..report import Summary
        from ..report.json import document

        summary = Summary(files=files, steps=steps, elapsed_ms=elapsed_ms)
        return document(diagnostics, summary, cwd=self.root)  # type: ignore[return-value]

    def _fix_outcome(self, paths: list[str] | None, step: str | None, unsafe: bool) -> FixOutcome:
        from ..engine import Engine
        from ..fix.apply import run_fixes

        settings = self._settings()
        targets, _ = self._targets(paths, step, settings)
        rules = self._rules()
        return run_fixes(lambda overlay: Engine(settings, rules, overlay=overlay).run(targets), unsafe=unsafe,
                         fix=True, add_noqa=False)

    def _fix_lists(self, outcome: FixOutcome) -> tuple[list[FixApplied], list[FixSkipped]]:
        applied = [FixApplied(path=self._rel(a.path) or "", line=a.line, code=a.code, message=a.message,
                              file=self._rel(a.target) or "") for a in outcome.applied]
        skipped = [FixSkipped(path=self._rel(s.path) or "", code=s.code, message=s.message, reason=s.reason)
                   for s in outcome.skipped]
        return applied, skipped

    # -------------------------------------------------------------------------- tools
    @tool()
    def check(self, paths: list[str] | None = None, step: str | None = None, select: list[str] | None = None,
              ignore: list[str] | None = None) -> Report:
        """Lint step repos, directories or files under the server root (default: the whole root), or
        the files of one step (by registry name); returns the JSON output contract of
        `cursus-lint check --format json`. `select`/`ignore` take codes or prefixes (CL1, CL402)."""
        from ..engine import Engine

        settings = self._settings(select, ignore)
        targets, name = self._targets(paths, step, settings)
        result = Engine(settings, self._rules()).run(targets)
        if result.empty_dirs:
            raise ToolFailure(f"no step repo under {self._rel(result.empty_dirs[0])} (no steps/ directory with "
                              "scripts, contracts, specs, builders or configs)")
        found = result.diagnostics if name is None else [d for d in result.diagnostics if d.step in (name, None)]
        return self._report(found, result.files, result.steps, result.elapsed_ms)

    @tool()
    def rule(self, code: str) -> RuleDoc:
        """The documentation of one rule, by code (CL103) or name (undeclared-env-var): what it checks,
        why, a bad and a good example, how to fix it (markdown, as `cursus-lint rule CODE`)."""
        rules = self._rules()
        wanted = code.strip()
        found = rules.get(wanted.upper()) or next((r for r in rules.values() if r.name == wanted.lower()), None)
        if found is None:
            close = difflib.get_close_matches(wanted.upper(), list(rules), n=3) or difflib.get_close_matches(
                wanted.lower(), [r.name for r in rules.values()], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ToolFailure(f"unknown rule '{code}'{hint}")
        fix = {"no": "not fixable", "safe": "safe autofix", "unsafe": "unsafe autofix (--unsafe-fixes)"}[found.fixable]
        markdown = (f"# {found.code} {found.name}\n\n{found.summary}\n\nFamily: {found.family} · default severity: "
                    f"{found.severity.value} · {fix}\n\n{found.docs.strip()}\n")
        return RuleDoc(code=found.code, name=found.name, family=found.family, severity=found.severity.value,
                       fixable=found.fixable, summary=found.summary, markdown=markdown)

    @tool()
    def step(self, name: str, workspace: str | None = None) -> StepOut:
        """One step as the linter sees it (classic or interface layout): its component files, its
        input and output ports with container paths and spec types, env vars and job arguments."""
        from .describe import describe_step

        model = self._step(self._project(self._settings()).steps, name, workspace)
        return describe_step(model, self._rel)

    @tool()
    def wiring(self, step: str, input: str | None = None, job_type: str | None = None,
               workspace: str | None = None, upstream: list[str] | None = None, limit: int = 5) -> WiringOut:
        """Which step outputs can feed the inputs (spec dependencies) of a step, ranked by the
        dependency resolver with its explained scores; `input` narrows to one logical name,
        `job_type` to one spec variant, `upstream` to the outputs of these steps (the step's
        predecessors in a DAG; default: every step), `limit` caps the candidates per input."""
        from .describe import wire_inputs

        if limit < 1:
            raise ToolFailure("limit must be at least 1")
        settings = self._settings()
        project = self._project(settings)
        model = self._step(project.steps, step, workspace)
        sources = None
        if upstream is not None:
            sources = {self._step(project.steps, name, None).name for name in upstream}
        inputs = wire_inputs(project, model, settings.resolver.threshold, settings.resolver.tie_margin,
                             self._rel, input_name=input, job_type=job_type, limit=limit, upstream=sources)
        if not inputs and (input is not None or job_type is not None):
            what = " and ".join(x for x in (f"input '{input}'" if input else "",
                                             f"job type '{job_type}'" if job_type else "") if x)
            raise ToolFailure(f"step '{model.name}' has no {what} in its specs")
        return WiringOut(step=model.name, threshold=settings.resolver.threshold,
                         tie_margin=settings.resolver.tie_margin, inputs=inputs)

    @tool()
    def fix_preview(self, paths: list[str] | None = None, step: str | None = None, unsafe: bool = False) -> FixPreview:
        """The unified diff the fixes would make (safe ones; with `unsafe` also those that need
        review) for paths or one step, without writing anything (as `cursus-lint check --diff`)."""
        outcome = self._fix_outcome(paths, step, unsafe)
        applied, skipped = self._fix_lists(outcome)
        return FixPreview(diff=outcome.diff(cwd=self.root), files=sorted(self._rel(p) or "" for p in outcome.changed),
                          fixes=applied, skipped=skipped, unsafe_available=0 if unsafe else outcome.unsafe_available())

    @tool()
    def build(self, dag: str | None = None, config: str | None = None, timeout: float = 300.0,
              pipeline_name: str | None = None, strict: bool = False) -> BuildOut:
        """Dry-run build of a pipeline DAG + saved config (default: `dag` and `pipeline-config` of
        [tool.cursus-lint]) as `cursus-lint build` does: it imports the repo's builders and configs in
        a sandboxed child process (no network, stopped after `timeout` s) and returns the CL8xx
        findings in the JSON output contract. Needs the build extra."""
        from ..build import BuildCrash, MissingBuildExtra, build_findings, run_build

        if not 0 < timeout <= 3600:
            raise ToolFailure("timeout must be more than 0 and at most 3600 seconds")
        settings = self._settings()
        dag_given = dag or (self._rel(settings.dag_path) if settings.dag_path else None)
        config_given = config or (self._rel(settings.pipeline_config_path) if settings.pipeline_config_path else None)
        if dag_given is None:
            raise ToolFailure("no pipeline DAG: pass 'dag' or set 'dag' in [tool.cursus-lint]")
        if config_given is None:
            raise ToolFailure("no saved pipeline config: pass 'config' or set 'pipeline-config' in [tool.cursus-lint]")
        dag_path, config_path = self._path(dag_given, "dag"), self._path(config_given, "config")
        for what, path in (("dag", dag_path), ("config", config_path)):
            if not path.is_file():
                raise ToolFailure(f"{what} '{self._rel(path)}' is not a file")
        try:
            outcome = run_build(dag_path, config_path, self.root, timeout=timeout, pipeline_name=pipeline_name,
                                source_root=settings.source_root_path)
        except (MissingBuildExtra, BuildCrash) as exc:
            raise ToolFailure(str(exc)) from None
        found = build_findings(outcome, dag_path, config_path, self.root, settings, self._rules(), strict=strict)
        steps = len(outcome.definition.get("Steps", [])) if outcome.definition else 0
        report = self._report(found, 2, steps, outcome.elapsed_s * 1000)
        return BuildOut(built=outcome.definition is not None, steps=steps, report=report)

    @tool(write=True)
    def fix(self, paths: list[str] | None = None, step: str | None = None, unsafe: bool = False) -> FixWritten:
        """Apply the fixes (safe ones; with `unsafe` also those that need review) for paths or one
        step and write them, all files or none, only inside the server root; returns what was fixed
        and the findings that remain. Exists only when the server runs with --allow-write."""
        from ..fix.write import FixWriteError

        outcome = self._fix_outcome(paths, step, unsafe)
        try:
            written = outcome.write([self.root])
        except FixWriteError as exc:
            raise ToolFailure(f"cannot write fixes: {self._rel(exc.path)} {exc.reason}; no file was changed") from None
        applied, skipped = self._fix_lists(outcome)
        result: Any = outcome.result
        remaining = self._report(result.diagnostics, result.files, result.steps, result.elapsed_ms)
        return FixWritten(written=sorted(self._rel(p) or "" for p in written), fixes=applied, skipped=skipped,
                          remaining=remaining)


    def _plan(self, name: str, sagemaker_type: str, after: list[str] | None, inputs: list[str] | None,
              outputs: list[str] | None, env: list[str] | None, job_types: list[str] | None,
              layout: str | None) -> ScaffoldPlan:
        from ..scaffold import NewStepRequest, ScaffoldError, plan_new_step

        request = NewStepRequest(name=name, sagemaker_type=sagemaker_type, after=tuple(after or ()),
                                 inputs=tuple(inputs or ()), outputs=tuple(outputs or ()), env=tuple(env or ()),
                                 job_types=tuple(job_types or ()), layout=layout)
        try:
            return plan_new_step(self.root, request)
        except ScaffoldError as exc:
            raise ToolFailure(str(exc)) from None

    @staticmethod
    def _wiring(plan: ScaffoldPlan) -> list[NewStepWiringOut]:
        return [NewStepWiringOut(dependency=w.dependency, upstream_step=w.upstream_step,
                                 upstream_output=w.upstream_output, score=w.score, explanation=w.explanation)
                for w in plan.wiring]

    @tool()
    def new_step_preview(self, name: str, sagemaker_type: str, after: list[str] | None = None,
                         inputs: list[str] | None = None, outputs: list[str] | None = None,
                         env: list[str] | None = None, job_types: list[str] | None = None,
                         layout: str | None = None) -> NewStepPreview:
        """The files `cursus-lint new-step` would write for a new aligned step (as a unified diff,
        nothing written) and how the resolver would wire its inputs. `sagemaker_type` is Processing,
        Training, CreateModel or Transform; `after` names upstream steps whose outputs feed it; `env`
        entries are NAME (required) or NAME=default (optional); `layout` is classic or interface
        (default: the repo's own)."""
        plan = self._plan(name, sagemaker_type, after, inputs, outputs, env, job_types, layout)
        return NewStepPreview(step=plan.step_name, layout=plan.layout,
                              files=[NewStepFileOut(path=f.path.as_posix(), is_edit=f.is_edit) for f in plan.files],
                              wiring=self._wiring(plan), diff=plan.diff())

    @tool(write=True)
    def new_step(self, name: str, sagemaker_type: str, after: list[str] | None = None,
                 inputs: list[str] | None = None, outputs: list[str] | None = None,
                 env: list[str] | None = None, job_types: list[str] | None = None,
                 layout: str | None = None) -> NewStepWritten:
        """Write the files of `new_step_preview` (all or none; an existing file is never overwritten).
        Exists only when the server runs with --allow-write."""
        from ..scaffold import ScaffoldError, write_plan

        plan = self._plan(name, sagemaker_type, after, inputs, outputs, env, job_types, layout)
        try:
            written = write_plan(self.root, plan)
        except ScaffoldError as exc:
            raise ToolFailure(str(exc)) from None
        return NewStepWritten(step=plan.step_name, layout=plan.layout,
                              written=sorted(self._rel(p) or "" for p in written), wiring=self._wiring(plan))

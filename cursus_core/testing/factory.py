"""RuntimeTestingFactory: from a DAG and a saved config to the pipeline's real scripts, run in order.

Scripts are found from each node's config entry point (never assumed). Each runs in a child
process with a time limit (see :mod:`cursus_core.testing.harness` for how container paths are
mapped to local directories); an upstream script's outputs become a downstream script's inputs
by the compiler's wiring (:func:`cursus_core.deps.resolver.resolve` over the specs). Everything a
run writes goes under ``workspace_dir/<node>/``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cursus_core.catalog.layout import find_repo_root
from cursus_core.dag import PipelineDAG, load_dag_isolated

from .models import FAILED_STATUSES, RunReport, ScriptRequirements, ScriptResult
from .plan import NodePlan, TestingSetupError, plan_pipeline
from .runner import list_files, run_child
from .spec import ScriptSpec, TestingSpec, read_testing_spec, relative_to_spec, write_testing_spec

__all__ = ["RuntimeTestingFactory", "ScriptConfigurationError", "ScriptSettings", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 300.0


class ScriptConfigurationError(ValueError):
    """``configure`` found problems; ``problems`` lists each one, the message lists what is expected."""

    def __init__(self, node: str, problems: list[str], expected: str) -> None:
        self.node = node
        self.problems = problems
        super().__init__(f"cannot configure '{node}': " + "; ".join(problems) + f". Expected: {expected}")


@dataclass
class ScriptSettings:
    """What the user configured for one script (local paths are absolute)."""

    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class RuntimeTestingFactory:
    """Plans, configures and runs the runtime test of a pipeline's scripts."""

    def __init__(self, dag: PipelineDAG | str | os.PathLike[str], config_path: str | os.PathLike[str], *,
                 workspace_dir: str | os.PathLike[str], repo_root: str | os.PathLike[str] | None = None,
                 timeout: float = DEFAULT_TIMEOUT, node_configs: Mapping[str, str] | None = None,
                 python: str | None = None, source_root: str | os.PathLike[str] | None = None) -> None:
        # a .py DAG is user code: run in a sandboxed child with the scripts' time limit
        self.dag = dag if isinstance(dag, PipelineDAG) else load_dag_isolated(dag, timeout=timeout)
        self.dag_path = None if isinstance(dag, PipelineDAG) else Path(dag).resolve()
        self.config_path = Path(config_path).resolve()
        if not self.config_path.is_file():
            raise TestingSetupError(f"{config_path}: saved config not found")
        self.repo_root = Path(repo_root).resolve() if repo_root is not None else find_repo_root(self.config_path)
        self.workspace = Path(workspace_dir).resolve()
        self.timeout = timeout
        #: the interpreter the scripts run in (None: this one); see :mod:`cursus_core.testing.interpreter`
        self.python = python
        self._harness_dir: Path | None = None
        self.plans: dict[str, NodePlan] = plan_pipeline(
            self.dag, self.config_path, self.repo_root, dict(node_configs or {}),
            Path(source_root).resolve() if source_root is not None else None)
        self.settings: dict[str, ScriptSettings] = {}
        for node in self.scripts_requiring_testing():  # what the builder mounts from the config
            req = self.plans[node].requirements
            assert req is not None
            mounted = {i.logical_name: i.builder_path for i in req.inputs if i.builder_path is not None}
            if mounted:
                self.settings[node] = ScriptSettings(inputs=mounted)

    # -- what there is ---------------------------------------------------------------------
    def scripts_requiring_testing(self) -> list[str]:
        """Nodes with a script to run, in topological order."""
        return [n for n, p in self.plans.items() if p.kind == "script"]

    def skipped_nodes(self) -> dict[str, str]:
        """Nodes without a script, with the reason."""
        return {n: p.reason or "" for n, p in self.plans.items() if p.kind == "skipped"}

    def node_errors(self) -> dict[str, str]:
        """Nodes that cannot be tested: no config, entry point file missing, no contract."""
        return {n: p.reason or "" for n, p in self.plans.items() if p.kind == "error"}

    def _node(self, script: str) -> str:
        if script in self.plans:
            if self.plans[script].kind != "script":
                raise KeyError(f"node '{script}' has no script to test: {self.plans[script].reason}")
            return script
        matches = [n for n, p in self.plans.items() if p.script is not None and p.script.name == script
                   and p.kind == "script"]
        if len(matches) == 1:
            return matches[0]
        listed = ", ".join(self.scripts_requiring_testing()) or "none"
        if matches:
            raise KeyError(f"script '{script}' runs in several nodes ({', '.join(matches)}); name the node")
        raise KeyError(f"unknown script or node '{script}' (nodes with scripts: {listed})")

    def requirements(self, script: str) -> ScriptRequirements:
        """What ``script`` (a node name, or a script file name used by one node) expects."""
        plan = self.plans[self._node(script)]
        assert plan.requirements is not None
        return plan.requirements.model_copy(deep=True)

    # -- configuring -------------------------------------------------------------------------
    def _missing(self, node: str, settings: ScriptSettings) -> list[str]:
        req = self.plans[node].requirements
        assert req is not None
        missing = []
        for item in req.inputs:
            if item.required and item.upstream is None and item.logical_name not in settings.inputs:
                why = f" ({item.note})" if item.note else ""
                missing.append(f"required input '{item.logical_name}' has no source{why}")
        for env in req.env_vars:
            if env.required and env.value is None and env.name not in settings.env:
                missing.append(f"required env var '{env.name}' has no value in the config")
        return missing

    @staticmethod
    def _expected(req: ScriptRequirements) -> str:
        def listing(items: list[Any]) -> str:
            return ", ".join(f"{i.logical_name} ({'required' if i.required else 'optional'}"
                             f"{', from ' + i.upstream if i.upstream else ''})" for i in items) or "none"
        env = ", ".join(e.name for e in req.env_vars) or "none"
        args = ", ".join(a for a in req.job_args if a.startswith("--")) or "none"
        return f"inputs: {listing(req.inputs)}; outputs: {', '.join(o.logical_name for o in req.outputs) or 'none'}; " \
               f"env vars: {env}; arguments: {args}"

    def configure(self, script: str, inputs: Mapping[str, str | os.PathLike[str]] | None = None,
                  outputs: Mapping[str, str | os.PathLike[str]] | None = None,
                  env: Mapping[str, str] | None = None, args: Mapping[str, str] | None = None) -> ScriptSettings:
        """Add local inputs, output dirs, env vars or arguments for ``script``; checked at once.

        Settings accumulate over calls. Raises :class:`ScriptConfigurationError` naming unknown
        logical names, paths that do not exist, outputs outside the workspace, and required
        inputs or env vars that still have no source.
        """
        node = self._node(script)
        req = self.plans[node].requirements
        assert req is not None
        current = self.settings.get(node, ScriptSettings())
        new = ScriptSettings(dict(current.inputs), dict(current.outputs), dict(current.env), dict(current.args))
        problems: list[str] = []
        in_names = [i.logical_name for i in req.inputs]
        out_names = [o.logical_name for o in req.outputs]
        env_names = [e.name for e in req.env_vars]
        arg_names = [a[2:] for a in req.job_args if a.startswith("--")]
        for name, value in (inputs or {}).items():
            path = Path(value).resolve()
            if name not in in_names:
                problems.append(f"unknown input '{name}'")
            elif not path.exists():
                problems.append(f"input '{name}' path {path} does not exist")
            else:
                new.inputs[name] = str(path)
        for name, value in (outputs or {}).items():
            path = Path(value).resolve()
            if name not in out_names:
                problems.append(f"unknown output '{name}'")
            elif not _inside(path, self.workspace):
                problems.append(f"output '{name}' path {path} is outside the workspace {self.workspace}")
            else:
                new.outputs[name] = str(path)
        for name, value in (env or {}).items():
            if name not in env_names:
                problems.append(f"env var '{name}' is not declared by the contract")
            else:
                new.env[name] = str(value)
        for name, value in (args or {}).items():
            if name.lstrip("-") not in arg_names:
                problems.append(f"unknown argument '{name}'")
            else:
                new.args[name.lstrip("-")] = str(value)
        problems += self._missing(node, new)
        if problems:
            raise ScriptConfigurationError(node, problems, self._expected(req))
        self.settings[node] = new
        return new

    def generate_inputs(self, given: Mapping[str, Iterable[str]] | None = None) -> dict[str, dict[str, str]]:
        """Write a small table (see :mod:`.generate`) for each required tabular input that no
        upstream script feeds and no local path was given for, and a placeholder ``model.tar.gz``
        for each such model input; returns node -> input -> what was generated.

        ``given`` names inputs per node that a testing spec loaded afterwards will give."""
        from .generate import ROWS, is_model, is_tabular, write_model, write_table
        from .plan import read_saved_config

        configs = read_saved_config(self.config_path)
        made: dict[str, dict[str, str]] = {}
        for node in self.scripts_requiring_testing():
            req = self.plans[node].requirements
            assert req is not None
            current = self.settings.get(node, ScriptSettings())
            env = {e.name: e.value for e in req.env_vars if e.value is not None} | current.env
            for item in req.inputs:
                if not item.required or item.upstream is not None or item.logical_name in current.inputs \
                        or item.logical_name in (given or {}).get(node, ()):
                    continue
                where = self.workspace / "generated" / node / item.logical_name
                if is_model(item.logical_name):
                    write_model(where, f"{node}.{item.logical_name}")
                    what = "a placeholder model.tar.gz (not a trained model)"
                elif is_tabular(item.logical_name):
                    write_table(where, env, configs.get(node, {}), f"{node}/{item.logical_name}")
                    what = f"{ROWS} rows of CSV"
                else:
                    continue
                current.inputs[item.logical_name] = str(where)
                made.setdefault(node, {})[item.logical_name] = what
            self.settings[node] = current
        return made

    def pending_scripts(self) -> dict[str, list[str]]:
        """Scripts that cannot run yet, with what each still needs."""
        out = {}
        for node in self.scripts_requiring_testing():
            missing = self._missing(node, self.settings.get(node, ScriptSettings()))
            if missing:
                out[node] = missing
        return out

    def summary(self) -> dict[str, Any]:
        """Counts and reasons, for people and for ``--format json``."""
        return {
            "nodes": len(self.plans),
            "scripts": self.scripts_requiring_testing(),
            "skipped": self.skipped_nodes(),
            "errors": self.node_errors(),
            "pending": self.pending_scripts(),
            "configured": sorted(self.settings),
        }

    # -- running ---------------------------------------------------------------------------
    def _blocker(self, node: str, results: dict[str, ScriptResult]) -> str | None:
        for up in self.dag.get_dependencies(node):
            result = results.get(up)
            if result is not None and result.status in FAILED_STATUSES:
                verb = {"timeout": "timed out", "blocked": "was blocked", "unconfigured": "was not configured",
                        "error": "could not be tested"}.get(result.status, "failed")
                return f"upstream '{up}' {verb}"
        return None

    def run(self, nodes: list[str] | None = None,
            on_progress: Callable[[str, ScriptResult | None], None] | None = None) -> RunReport:
        """Run every script (or only ``nodes`` and what they need) in topological order.

        ``on_progress(node, None)`` is called before a script starts and ``on_progress(node,
        result)`` after every node.
        """
        wanted = None
        if nodes is not None:
            wanted = set()
            for n in nodes:
                wanted |= {self._node(n), *self.dag.upstream(self._node(n))}
        start = time.monotonic()
        self.workspace.mkdir(parents=True, exist_ok=True)
        results: dict[str, ScriptResult] = {}
        try:
            self._run_all(wanted, results, on_progress)
        finally:  # the harness copy for another interpreter is ours to remove
            if self._harness_dir is not None:
                shutil.rmtree(self._harness_dir, ignore_errors=True)
                self._harness_dir = None
        return RunReport(workspace=str(self.workspace), dag=str(self.dag_path) if self.dag_path else None,
                         config=str(self.config_path), duration_s=round(time.monotonic() - start, 3),
                         results=list(results.values()), python=self.python)

    def _harness(self) -> Path | None:
        """The harness copy another interpreter imports (made once per run), None for this one."""
        from .interpreter import Interpreter, write_harness

        if self.python is None or Interpreter(self.python, "").is_current:
            return None
        if self._harness_dir is None:
            self._harness_dir = write_harness(Path(tempfile.mkdtemp(prefix="cursus-test-harness-")))
        return self._harness_dir

    def _run_all(self, wanted: set[str] | None, results: dict[str, ScriptResult],
                 on_progress: Callable[[str, ScriptResult | None], None] | None) -> None:
        for node, plan in self.plans.items():
            if wanted is not None and node not in wanted:
                continue
            if plan.kind == "script":
                blocker = self._blocker(node, results)
                missing = self._missing(node, self.settings.get(node, ScriptSettings()))
                if blocker:
                    result = ScriptResult(node=node, status="blocked", script=str(plan.script), reason=blocker)
                elif missing:
                    result = ScriptResult(node=node, status="unconfigured", script=str(plan.script),
                                          reason="; ".join(missing))
                else:
                    if on_progress:
                        on_progress(node, None)
                    result = self._run_one(node, plan, results)
            else:
                result = ScriptResult(node=node, status=plan.kind, reason=plan.reason,  # type: ignore[arg-type]
                                      script=str(plan.script) if plan.script else None)
            results[node] = result
            if on_progress:
                on_progress(node, result)

    def _run_one(self, node: str, plan: NodePlan, results: dict[str, ScriptResult]) -> ScriptResult:
        req = plan.requirements
        assert req is not None and plan.script is not None
        settings = self.settings.get(node, ScriptSettings())
        node_dir = self.workspace / node
        if node_dir.exists():
            shutil.rmtree(node_dir)
        for sub in ("work", "tmp", "container"):
            (node_dir / sub).mkdir(parents=True)
        container = node_dir / "container"
        path_map: dict[str, str] = {}
        inputs: dict[str, str] = {}
        for item in req.inputs:
            if item.logical_name in settings.inputs:
                local = settings.inputs[item.logical_name]
            elif item.logical_name in plan.wiring:
                up, out = plan.wiring[item.logical_name]
                local = results[up].output_paths[out]
            else:  # optional and absent, as in the container: the path exists in no form
                local = str(container / item.container_path.lstrip("/"))
            inputs[item.logical_name] = local
            path_map[item.container_path] = local
        outputs: dict[str, str] = {}
        for item in req.outputs:
            local = settings.outputs.get(item.logical_name) or str(node_dir / "outputs" / item.logical_name)
            Path(local).mkdir(parents=True, exist_ok=True)
            outputs[item.logical_name] = local
            path_map[item.container_path] = local
        environ_vars = {e.name: e.value for e in req.env_vars if e.value is not None}
        environ_vars.update(settings.env)
        job_args = list(req.job_args)
        for name, value in settings.args.items():
            job_args[job_args.index(f"--{name}") + 1] = value
        job = {"script": str(plan.script), "mode": "main" if req.has_main else "program", "inputs": inputs,
               "outputs": outputs, "environ_vars": environ_vars, "env": environ_vars, "job_args": job_args,
               "path_map": path_map, "container_root": str(container)}
        env = dict(os.environ)
        tmp = str(node_dir / "tmp")
        env.update({"TMPDIR": tmp, "TMP": tmp, "TEMP": tmp, "PYTHONDONTWRITEBYTECODE": "1",
                    "PYTHONUNBUFFERED": "1", "MPLCONFIGDIR": tmp})
        harness = self._harness()
        result = run_child(node, node_dir, job, env, self.timeout, python=self.python if harness else None,
                           harness_dir=harness)
        result.output_paths = outputs
        result.outputs = {name: list_files(Path(path)) for name, path in outputs.items()}
        return result

    # -- saved testing spec --------------------------------------------------------------------
    def save_spec(self, path: str | os.PathLike[str]) -> Path:
        """Write this configuration as a testing spec; local paths are stored relative to the spec file."""
        path = Path(path)
        base = path.resolve().parent
        scripts = {node: ScriptSpec(inputs={k: relative_to_spec(v, base) for k, v in settings.inputs.items()},
                                    outputs={k: relative_to_spec(v, base) for k, v in settings.outputs.items()},
                                    env=dict(settings.env), args=dict(settings.args))
                   for node, settings in self.settings.items()}
        spec = TestingSpec(dag=relative_to_spec(self.dag_path, base) if self.dag_path else None,
                           config=relative_to_spec(self.config_path, base), timeout=self.timeout, scripts=scripts)
        return write_testing_spec(spec, path)

    def load_spec(self, path: str | os.PathLike[str]) -> None:
        """Configure from the spec at ``path`` (each script checked as by :meth:`configure`)."""
        path = Path(path)
        spec = read_testing_spec(path)
        base = path.resolve().parent
        known = self.scripts_requiring_testing()
        unknown = [n for n in spec.scripts if n not in known]
        if unknown:
            raise TestingSetupError(f"{path}: no script to configure in node(s) {', '.join(unknown)} "
                                    f"(nodes with scripts: {', '.join(known) or 'none'})")
        if spec.timeout is not None:
            self.timeout = spec.timeout
        for node, entry in spec.scripts.items():
            self.configure(node, inputs={k: base / v for k, v in entry.inputs.items()},
                           outputs={k: base / v for k, v in entry.outputs.items()}, env=entry.env, args=entry.args)

"""``cursus-lint build``: run the dry-run build in a child process and turn its problems into CL8xx.

The dry run imports the repo's builders and configs (user code) and sagemaker, so the parent —
the linter process — never does: it starts ``python -m cursus_lint.build CHILD REQUEST RESULT``
in the sandbox of :mod:`cursus_core.sandbox` (no network; every process the run starts is killed
at its end, and the whole tree at ``timeout`` seconds), and reads the child's JSON result from a
temporary file (the child's stdout belongs to user code's prints). User code can reach that
file too, so the parent checks its size and shape before trusting it.
Problems are located in the DAG or saved config file by reading them as data, so every
reporter can show them like any other finding.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostic import Diagnostic, Location, Severity
from .rule import make_location

__all__ = ["BuildOutcome", "BuildChild", "MissingBuildExtra", "BuildCrash", "KIND_CODES", "build_findings", "run_build",
           "to_diagnostics", "write_definition", "ProgressTail", "check_build_python"]

#: dry-run problem kind -> rule code
KIND_CODES: dict[str, str] = {
    "dag-invalid": "CL901",  # a DAG file that cannot be read as a DAG, as in `check`
    "dag-cycle": "CL801",
    "node-without-config": "CL802",
    "config-without-node": "CL803",
    "builder-not-found": "CL804",
    "required-input-not-wired": "CL805",
    "ambiguous-wiring": "CL806",
    "config-invalid": "CL807",
    "entry-point-missing": "CL808",
    "builder-exception": "CL809",
    "build-timeout": "CL811",
    "placeholder-node": "CL812",
}
#: modules of the ``build`` extra; the child checks them before importing any user code
EXTRA_MODULES = ("sagemaker", "boto3")
INSTALL_HINT = "pip install '.[build]' in a clone of cursus-lint"
_CHILD = "__child__"


class MissingBuildExtra(Exception):
    """The child could not import the ``build`` extra; the message says what to install."""


class BuildCrash(Exception):
    """The child died without a result (an internal error, not a finding)."""


@dataclass
class BuildOutcome:
    definition: dict[str, Any] | None
    problems: list[dict[str, Any]] = field(default_factory=list)
    report: Any = None
    elapsed_s: float = 0.0
    timed_out: bool = False


class BuildChild:
    """The sandboxed build child, started before the parent knows the work.

    Why: the child's ``import sagemaker`` is most of a build, and the parent has seconds of its own
    static work (rules, settings, reading the DAG and saved config) that need none of it. So the
    child starts first, with the network guard on, and imports sagemaker meanwhile; it runs no user
    code until :func:`run_build` sends its work order. It starts in its own temporary directory (not
    the repo, which is not known yet: nothing of the repo is importable during the SDK import) and
    moves to the repo with the order. :meth:`close` (or leaving the ``with``) ends it and everything
    it started when the parent stops early (a usage error): no process outlives the command.
    """

    def __init__(self, *, progress: bool = False, python: str | None = None) -> None:
        from cursus_core.sandbox import Sandboxed

        self._tmp = tempfile.TemporaryDirectory(prefix="cursus-lint-build-")
        tmp = Path(self._tmp.name)
        self.result_file, self.err_file = tmp / "result.json", tmp / "stderr.txt"
        self.progress_file = tmp / "progress.txt" if progress else None
        start = {"progress": str(self.progress_file) if self.progress_file else None}
        env = {**os.environ, "SAGEMAKER_SUPPRESS_V2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        with open(self.err_file, "wb") as err:
            self.run = Sandboxed([python or sys.executable, "-m", "cursus_lint.build", _CHILD, json.dumps(start),
                                  str(self.result_file)], cwd=tmp, env=env, stdout=err, stderr=err,
                                 stdin_order=True)

    def close(self) -> None:
        """Stop the run (if still there) and remove its files."""
        try:
            self.run.close()
        finally:
            self._tmp.cleanup()

    def __enter__(self) -> BuildChild:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_build(dag: Path, config: Path, repo: Path, *, timeout: float = 300.0,
              pipeline_name: str | None = None, source_root: Path | None = None,
              on_progress: Callable[[str], None] | None = None, python: str | None = None,
              child: BuildChild | None = None) -> BuildOutcome:
    """Run the dry run in a sandboxed child (no network, no surviving processes, see
    :mod:`cursus_core.sandbox`); a timeout becomes a ``build-timeout`` problem and a result the
    child could not have written (user code overwrote it) a ``builder-exception`` one.

    ``on_progress`` gets each progress line of the child (a file it appends to, read while the
    parent waits); ``python`` runs the child under another interpreter, which must be able to
    import cursus-lint (see :func:`check_build_python`). ``child`` is one started earlier
    (:class:`BuildChild`, with ``progress`` when ``on_progress`` is given); it is closed here.
    ``timeout`` counts from the work order."""
    order = {"dag": str(Path(dag).absolute()), "config": str(Path(config).absolute()),
             "repo": str(Path(repo).absolute()), "pipeline_name": pipeline_name,
             "source_root": str(Path(source_root).absolute()) if source_root is not None else None}
    with child if child is not None else BuildChild(progress=on_progress is not None, python=python) as started:
        tick = None
        if on_progress is not None and started.progress_file is not None:
            tick = ProgressTail(started.progress_file, on_progress).poll
        started.run.send(json.dumps(order).encode("utf-8"))
        finished = started.run.wait(timeout, tick)
        result_file, err_file = started.result_file, started.err_file
        if finished.timed_out:
            return BuildOutcome(None, [{"kind": "build-timeout", "message": f"dry-run build timed out after "
                                        f"{timeout:g} s and was stopped (a builder or config module that "
                                        "blocks or loops at import or build time?)",
                                        "node": None, "path": None, "line": None}],
                                elapsed_s=finished.elapsed_s, timed_out=True)
        if not result_file.is_file():
            tail = [line for line in err_file.read_text(errors="replace").splitlines() if line.strip()][-1:]
            raise BuildCrash(f"dry-run child process exited with status {finished.returncode} and no result"
                             + (f": {tail[0].strip()}" if tail else ""))
        try:
            result = read_result(result_file)
        except InvalidResult as exc:
            return BuildOutcome(None, [{"kind": "builder-exception", "message": f"the build child returned an "
                                        f"invalid result ({exc}); did user code overwrite or corrupt it?",
                                        "node": None, "path": None, "line": None}], elapsed_s=finished.elapsed_s)
    if "missing_extra" in result:
        if not result["missing_extra"]:  # importable, but not a version the dry run supports
            raise MissingBuildExtra(str(result.get("message") or INSTALL_HINT).splitlines()[0])
        raise MissingBuildExtra(f"the dry-run build needs the 'build' extra (cannot import "
                                f"'{result['missing_extra']}'): {INSTALL_HINT}")
    if "crash" in result:
        raise BuildCrash(f"dry-run build failed: {result['crash']}")
    return BuildOutcome(result["definition"], list(result["problems"]), result.get("report"), finished.elapsed_s)


class ProgressTail:
    """Complete new lines of the child's progress file, passed on as they appear (at most 200
    characters each and 10,000 lines: user code in the child can write to the file too)."""

    def __init__(self, path: Path, on_line: Callable[[str], None]) -> None:
        self.path, self.on_line, self.offset, self.lines = path, on_line, 0, 0

    def poll(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read(1024 * 1024)
        except OSError:
            return
        end = data.rfind(b"\n")
        if end < 0:
            return
        self.offset += end + 1
        for raw in data[:end].split(b"\n"):
            if self.lines < 10_000:
                self.lines += 1
                self.on_line(raw.decode("utf-8", "replace").strip()[:200])


def check_build_python(python: str, cwd: Path) -> str | None:
    """Why ``python`` cannot run the build child (it must import cursus_lint and cursus_core,
    the same version as this one), or None when it can; asked in ``cwd``, where the child runs."""
    import subprocess

    from ._version import __version__

    probe = "import cursus_core, cursus_lint; print(cursus_lint.__version__)"
    try:
        proc = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL, cwd=cwd)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"--python {python} cannot be run: {getattr(exc, 'strerror', None) or exc}"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return (f"--python {python} cannot import cursus-lint ({last}); the build child runs in that "
                f"interpreter, so install cursus-lint with its build extra there: {INSTALL_HINT}")
    if proc.stdout.strip() != __version__:
        return (f"--python {python} has cursus-lint {proc.stdout.strip()}, this is {__version__}; "
                "install the same version there")
    return None


# ---------------------------------------------------------------------------- the child's result

#: the largest result file the parent reads (a definition of hundreds of steps is a few MB)
MAX_RESULT_BYTES = 64 * 1024 * 1024
_PROBLEM_TYPES: dict[str, tuple[type, ...]] = {"kind": (str,), "message": (str,), "node": (str, type(None)),
                                               "path": (str, type(None)), "line": (int, type(None))}


class InvalidResult(ValueError):
    """The child's result file is not what the child writes: too big, not JSON, wrong shape."""


def read_result(path: Path) -> dict[str, Any]:
    """The child's result, checked key by key: the file is reachable by user code in the child."""
    with open(path, "rb") as f:
        data = f.read(MAX_RESULT_BYTES + 1)
    if len(data) > MAX_RESULT_BYTES:
        raise InvalidResult(f"larger than {MAX_RESULT_BYTES} bytes")
    try:
        result = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidResult(f"not JSON: {type(exc).__name__}") from None
    if not isinstance(result, dict):
        raise InvalidResult(f"a JSON {type(result).__name__}, not an object")
    if "missing_extra" in result:
        if not isinstance(result["missing_extra"], str) or not isinstance(result.get("message", ""), str):
            raise InvalidResult("'missing_extra' and 'message' must be strings")
        return result
    if "crash" in result:
        if not isinstance(result["crash"], str):
            raise InvalidResult("'crash' must be a string")
        return result
    if set(result) - {"definition", "problems", "report"} or "problems" not in result:
        raise InvalidResult("unexpected keys " + ", ".join(sorted(map(repr, result))))
    definition, problems = result.get("definition"), result["problems"]
    if definition is not None and not (isinstance(definition, dict) and isinstance(definition.get("Steps"), list)):
        raise InvalidResult("'definition' is not a pipeline definition")
    if not isinstance(problems, list):
        raise InvalidResult("'problems' is not a list")
    for i, problem in enumerate(problems):
        if not isinstance(problem, dict) or set(problem) != set(_PROBLEM_TYPES):
            raise InvalidResult(f"problem #{i} does not have the keys {', '.join(_PROBLEM_TYPES)}")
        for key, types in _PROBLEM_TYPES.items():
            if not isinstance(problem[key], types) or isinstance(problem[key], bool):
                raise InvalidResult(f"problem #{i}: '{key}' has the wrong type")
    return result


def write_definition(definition: dict[str, Any], path: Path) -> None:
    """Deterministic JSON (sorted keys, indent 2), so definitions can be diffed in review."""
    path.write_text(json.dumps(definition, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------- problems -> diagnostics


def to_diagnostics(problems: list[dict[str, Any]], dag: Path, config: Path, repo: Path,
                   rules: dict[str, Any]) -> list[Diagnostic]:
    """One CL8xx diagnostic per problem, located at the problem's file:line when it has one, else
    at the node in the DAG file or the step's entry in the saved config."""
    if not problems:  # a clean build: nothing to locate, so the files are not read again
        return []
    from cursus_core.compiler.node_mapping import split_step_name

    from .facts.pipeline import load_pipeline

    facts = load_pipeline(dag, config, repo)
    nodes = {n.name: n.span for n in (facts.nodes or ())} if facts else {}
    configs = (facts.configs or {}) if facts else {}
    out: list[Diagnostic] = []
    for p in problems:
        kind = str(p.get("kind"))
        code = KIND_CODES.get(kind, "CL809")
        rule = rules.get(code)
        node = p.get("node")
        location = _locate(kind, node, p.get("path"), p.get("line"), dag, config, repo, nodes, configs)
        severity = rule.severity if rule is not None else Severity.ERROR
        name = rule.name if rule is not None else kind
        step = split_step_name(node)[0] if isinstance(node, str) and node else None
        message = str(p.get("message", kind))
        for prefix in {str(p.get("path") or ""), str(location.path), str(location.path.resolve())} - {""}:
            message = message.removeprefix(f"{prefix}: ")  # the location already names the file
        if kind == "builder-exception" and p.get("path") and f"{location.path.name}:{location.line}" not in message:
            message += f" (at {_shown(location.path, repo)}:{location.line})"  # where, without a traceback
        if kind == "placeholder-node" and p.get("path") and location.path != Path(str(p["path"])).absolute():
            message += f" (builder {_shown(Path(str(p['path'])), repo)})"  # located at the node: say which file
        out.append(Diagnostic(code, name, severity, location, message, step))
    out.sort(key=Diagnostic.sort_key)
    return out


def build_findings(outcome: BuildOutcome, dag: Path, config: Path, repo: Path, settings: Any,
                   rules: dict[str, Any], *, strict: bool = False) -> list[Diagnostic]:
    """The findings of a dry run as `cursus-lint build` (and the MCP ``build`` tool) report them:
    located, selected and ignored as configured, with configured severities; with ``strict`` a
    placeholder node (CL812) is an error."""
    out: list[Diagnostic] = []
    for d in to_diagnostics(outcome.problems, dag, config, repo.absolute(), rules):
        if settings.enabled(d.code) and not settings.ignored_for_path(d.code, d.location.path):
            d.severity = Severity(settings.severity_for(d.code, d.severity.value))
            if strict and d.code == "CL812":
                d.severity = Severity.ERROR
            out.append(d)
    return out


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _locate(kind: str, node: str | None, path: Any, line: Any, dag: Path, config: Path, repo: Path,
            nodes: dict, configs: dict) -> Location:
    if kind == "placeholder-node" and node:  # about the node; the message names its builder file
        if node in nodes:
            return make_location(dag.absolute(), nodes[node])
        located = _line_naming(dag, node) if dag.suffix == ".py" else None
        if located:
            return Location(dag.absolute(), located)
        if node in configs:
            return make_location(config.absolute(), configs[node].span)
    if path:
        file = Path(path)
        file = (file if file.is_absolute() else repo / file).absolute()
        if isinstance(line, int) and line > 0:
            return Location(file, line)
        if node in nodes and _same_file(file, dag):  # e.g. a cycle: point at its first node
            return make_location(dag.absolute(), nodes[node])
        if node in configs and _same_file(file, config):
            return make_location(config.absolute(), configs[node].span)
        return Location(file, 1)
    entry = configs.get(node) if node else None
    if kind == "entry-point-missing" and entry is not None and entry.entry_points:
        return make_location(config.absolute(), entry.entry_points[0].span)
    in_config = kind in ("config-without-node", "config-invalid", "entry-point-missing", "builder-not-found")
    if in_config and entry is not None:
        return make_location(config.absolute(), entry.span)
    if node in nodes:
        return make_location(dag.absolute(), nodes[node])
    if node and dag.suffix == ".py":  # a DAG written in Python: the line naming the node
        located = _line_naming(dag, node)
        if located:
            return Location(dag.absolute(), located)
    if entry is not None:
        return make_location(config.absolute(), entry.span)
    return Location((config if in_config else dag).absolute(), 1)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _line_naming(file: Path, node: str) -> int | None:
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for quote in ('"', "'"):
        for i, text in enumerate(lines, start=1):
            if f"{quote}{node}{quote}" in text:
                return i
    return None


# ---------------------------------------------------------------------------- the child process


def _problem_dict(problem: Any) -> dict[str, Any]:
    out = {key: getattr(problem, key, None) for key in ("kind", "message", "node", "path", "line")}
    out["path"] = None if out["path"] is None else str(out["path"])  # often a Path
    out["line"] = out["line"] if isinstance(out["line"], int) else None
    return out


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return str(value)


def _user_frame(exc: BaseException, repo: Path) -> tuple[str, int] | None:
    """Innermost traceback frame inside the repo: where user code raised."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            Path(frame.filename).resolve().relative_to(repo.resolve())
        except ValueError:
            continue
        found = (frame.filename, frame.lineno or 1)
    return found


def _missing_extra(exc: BaseException) -> str | None:
    """The build-extra module an ImportError (or its cause) is about, "" for a wrong version."""
    seen: BaseException | None = exc
    while seen is not None:
        name = (getattr(seen, "name", None) or "").split(".")[0]
        if name in EXTRA_MODULES:
            return name
        seen = seen.__cause__
    return "" if INSTALL_HINT.split("'")[1] in str(exc) else None


def _child(start: dict[str, Any], result_file: Path) -> int:
    """Runs in the child: import the extra, wait for the work order (stdin), run the dry run,
    write the result as JSON. No user code runs before the order: an EOF instead of one (the
    parent stopped early) ends the child here."""
    sys.stdout = sys.stderr  # prints of user code must not mix with anything we read
    from cursus_core.network_guard import install_network_guard, set_user_root

    install_network_guard("the dry-run build")  # before sagemaker and any user code; the root comes with the order
    progress_file = start.get("progress")

    def progress(text: str) -> None:
        if progress_file:
            with open(progress_file, "a", encoding="utf-8") as f:
                f.write(text.replace("\n", " ") + "\n")

    def write(result: dict[str, Any]) -> int:
        tmp = result_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(result), encoding="utf-8")
        tmp.replace(result_file)
        return 0

    missing: dict[str, Any] | None = None
    try:  # before any user code: the offline environment decides how sagemaker is imported
        from cursus_core.compiler.offline import require_build_extra

        progress("importing sagemaker")
        require_build_extra()
    except ImportError as exc:
        name = _missing_extra(exc)
        if name is None:
            raise
        missing = {"missing_extra": name, "message": str(exc)}
    request = _read_order()
    if request is None:
        return 0
    repo = Path(request["repo"])
    _enter_repo(repo)
    set_user_root(repo)
    if missing is not None:
        return write(missing)
    try:
        from cursus_core.compiler.dry_run import dry_run

        result = dry_run(request["dag"], request["config"], repo, pipeline_name=request["pipeline_name"],
                         source_root=request.get("source_root"), on_progress=progress)
    except Exception as exc:  # the dry run reports user errors as problems; this is the rest
        where = _user_frame(exc, repo)
        if where is None and not _network_problems([]):
            return write({"crash": f"{type(exc).__name__}: {exc}"})
        problems = [] if where is None else [{
            "kind": "builder-exception", "message": f"{type(exc).__name__}: {exc} (at {where[0]}:{where[1]})",
            "node": None, "path": where[0], "line": where[1]}]
        return write({"definition": None, "problems": problems + _network_problems(problems)})
    report = getattr(result, "report", None)
    to_dict = getattr(report, "to_dict", None)
    if callable(to_dict):
        report = to_dict()
    problems = [_problem_dict(p) for p in result.problems]
    return write({"definition": result.definition, "problems": problems + _network_problems(problems),
                  "report": _jsonable(report if report is None or isinstance(report, (str, dict, list))
                                      else str(report))})


def _read_order() -> dict[str, Any] | None:
    """The parent's work order from stdin, read to EOF; None for an EOF without one. Afterwards
    stdin is /dev/null, as user code always had it."""
    chunks = []
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if not chunks:
        return None
    order = json.loads(b"".join(chunks).decode("utf-8"))
    return order if isinstance(order, dict) else None


def _enter_repo(repo: Path) -> None:
    """Work in the repo as if the child had started there: its directory, and in place of the start
    directory ``python -m`` put first on ``sys.path``."""
    started = os.getcwd()
    os.chdir(repo)
    if sys.path and sys.path[0] == started:
        sys.path[0] = os.getcwd()


def _exit_now(code: int) -> None:
    """End the child without the interpreter's teardown: with sagemaker loaded, freeing thousands of
    modules and botocore's data took 1-3 s after the result was written, time the parent waited
    for. Exit handlers (the build's own temporary views, logging, user code's) still run."""
    run_exit_handlers = getattr(__import__("atexit"), "_run_exitfuncs", None)
    if callable(run_exit_handlers):
        run_exit_handlers()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _network_problems(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A builder-exception per blocked network attempt that no problem reports yet (user code may
    have caught the error and carried on: the build must still not pass)."""
    from cursus_core.network_guard import BLOCKED_TEXT, blocked_attempts

    out: list[dict[str, Any]] = []
    for attempt in blocked_attempts():
        if any(attempt.what in str(p.get("message")) for p in problems + out):
            continue
        out.append({"kind": "builder-exception", "message": f"{BLOCKED_TEXT} in the dry-run build: user code "
                    f"tried {attempt.what}; the build runs offline", "node": None,
                    "path": attempt.path, "line": attempt.line})
    return out[:10]


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == _CHILD:
    _exit_now(_child(json.loads(sys.argv[2]), Path(sys.argv[3])))

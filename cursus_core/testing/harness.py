"""The child-process side of a runtime test: run one script on local directories.

Run as ``python -m cursus_core.testing.harness JOB.json``. The job names the script, its local
input/output paths by logical name, env vars, job arguments and a container-path map. The
script's source is compiled with every string literal that starts with a mapped container path
(``/opt/ml/processing/input/data``...) rewritten to its local directory, and any other ``/opt/ml/``
literal re-rooted under the node's private ``container`` directory, so a script's module
constants and its ``__main__`` block point at the test workspace without edits. Line numbers
are kept, so tracebacks point at the real file. The same map is exported as
``CURSUS_RUNTIME_PATHS``/``CURSUS_RUNTIME_ROOT`` for scripts that use :class:`ContractRuntime`.

With a testable ``main(input_paths, output_paths, environ_vars, job_args)`` the module is loaded
(not as ``__main__``) and ``main`` is called; otherwise the script runs as a program with
``sys.argv`` set to the job arguments. The outcome (and, on error, the last traceback frame
inside the script) is written to the job's ``result`` file.

Before the script is loaded, :func:`cursus_core.sandbox.install_network_guard` blocks every
connection outside the loopback (a blocked attempt fails the run, even if the script caught the
error); the parent runs this process under the sandbox's supervisor, which kills every process
the script started when it ends.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from cursus_core.runtime import PATHS_ENV, ROOT_ENV, map_container_path

CONTAINER_PREFIX = "/opt/ml"


class _Rewriter(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str], root: str) -> None:
        self.mapping, self.root = mapping, root

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, str) and (value == CONTAINER_PREFIX or value.startswith(CONTAINER_PREFIX + "/")):
            return ast.copy_location(ast.Constant(map_container_path(value, self.mapping, self.root)), node)
        return node


def compile_script(path: Path, mapping: dict[str, str], root: str) -> Any:
    """The script's code object with container-path literals pointing at local directories."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    tree = ast.fix_missing_locations(_Rewriter(mapping, root).visit(tree))
    return compile(tree, str(path), "exec")


def job_namespace(args: list[str]) -> argparse.Namespace:
    """``["--job_type", "training"]`` -> ``Namespace(job_type="training")``."""
    ns = argparse.Namespace()
    i = 0
    while i < len(args):
        name = args[i].lstrip("-").replace("-", "_")
        if i + 1 < len(args) and not args[i + 1].startswith("--"):
            setattr(ns, name, args[i + 1])
            i += 2
        else:
            setattr(ns, name, "true")
            i += 1
    return ns


def _frame(exc: BaseException, script: Path) -> dict[str, Any] | None:
    inside = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == script]
    if not inside:
        return None
    last = inside[-1]
    return {"path": str(script), "line": last.lineno, "function": last.name, "code": (last.line or "").strip()}


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    script = Path(job["script"])
    mapping: dict[str, str] = job["path_map"]
    root: str = job["container_root"]
    os.environ.update(job["env"])
    os.environ[PATHS_ENV] = json.dumps(mapping)
    os.environ[ROOT_ENV] = root
    sys.path.insert(0, str(script.parent))
    sys.argv = [str(script), *job["job_args"]]
    mode = job["mode"]
    try:
        code = compile_script(script, mapping, root)
        namespace: dict[str, Any] = {"__name__": "__main__" if mode == "program" else "__cursus_script__",
                                     "__file__": str(script), "__builtins__": __builtins__}
        exec(code, namespace)
        if mode == "main":
            namespace["main"](dict(job["inputs"]), dict(job["outputs"]), dict(job["environ_vars"]),
                              job_namespace(job["job_args"]))
    except SystemExit as exc:
        if exc.code in (None, 0):
            return {"ok": True}
        return {"ok": False, "error": f"SystemExit: {exc.code}", "frame": _frame(exc, script),
                "exit_code": exc.code if isinstance(exc.code, int) else 1}
    except BaseException as exc:  # the script's own failure, whatever it is
        text = f"{type(exc).__name__}: {exc}".rstrip(": ")
        if isinstance(exc, ModuleNotFoundError) and exc.name:  # usually: the wrong environment
            text += (f" (the interpreter {sys.executable} cannot import '{exc.name}'; run the scripts with "
                     "one that has it: test-scripts --python PATH)")
        traceback.print_exc()
        return {"ok": False, "error": text, "frame": _frame(exc, script), "exit_code": 1}
    return {"ok": True}


def _network_failure(result: dict[str, Any], script: Path) -> dict[str, Any]:
    """A run that tried the network fails, even if the script caught the error and carried on."""
    from cursus_core.network_guard import BLOCKED_TEXT, blocked_attempts

    attempts = blocked_attempts()
    if not attempts or BLOCKED_TEXT in str(result.get("error")):
        return result
    first = attempts[0]
    error = f"NetworkBlockedError: {BLOCKED_TEXT} in runtime testing: the script tried {first.what}"
    if not result["ok"]:
        return {**result, "error": f"{result.get('error')}; and before that, {error}"}
    frame = None
    if first.path is not None and Path(first.path) == script and first.line is not None:
        import linecache

        frame = {"path": str(script), "line": first.line, "function": first.function or "<module>",
                 "code": linecache.getline(str(script), first.line).strip()}
    return {"ok": False, "error": error, "frame": frame, "exit_code": 1}


def main(argv: list[str] | None = None) -> int:
    job_file = Path((argv or sys.argv[1:])[0])
    job = json.loads(job_file.read_text(encoding="utf-8"))
    from cursus_core.network_guard import install_network_guard

    # local sockets stay usable: multiprocessing managers and local clusters talk over them
    install_network_guard("runtime testing", user_root=Path(job["script"]).parent, allow_local=True)
    result = _network_failure(run_job(job), Path(job["script"]))
    sys.stdout.flush()
    sys.stderr.flush()
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0 if result["ok"] else int(result.get("exit_code") or 1)


if __name__ == "__main__":
    sys.exit(main())

"""PipelineDAG: the steps of a pipeline and which step feeds which.

Node names are registry step names, optionally with a job type (``"DataLoading_training"``).
Node and edge order is kept as inserted, so every listing and the topological order are
stable across runs (ties go to the node added first): golden files and diagnostics depend
on that.

:func:`load_dag` reads ``.json``, ``.yaml``/``.yml`` and ``.py`` files. A ``.py`` DAG is user
code: :func:`load_dag` runs it with :mod:`runpy` in the *current* process, which is only
acceptable inside a sandboxed child (the dry-run build's). Everywhere else
:func:`load_dag_isolated` runs a ``.py`` DAG in a child of :mod:`cursus_core.sandbox` with a
time limit and reads the nodes and edges back as data (``.json``/``.yaml`` DAGs are read in
process: they are data). The static linter never loads a ``.py`` DAG.
"""

from __future__ import annotations

import difflib
import heapq
import json
import os
import runpy
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

__all__ = [
    "DAGError",
    "DAGCycleError",
    "DAGFormatError",
    "PipelineDAG",
    "load_dag",
    "load_dag_isolated",
    "DAG_FACTORY_NAMES",
]

#: Functions a ``.py`` DAG file may define, tried in this order before a module-level ``dag``.
DAG_FACTORY_NAMES: tuple[str, ...] = ("create_dag", "build_dag")


class DAGError(ValueError):
    """A DAG that cannot be built as written (unknown node, duplicate edge, ...)."""


class DAGCycleError(DAGError):
    """The edges form a cycle; ``cycle`` lists its nodes, first node repeated at the end."""

    def __init__(self, cycle: list[str], where: str = ""):
        self.cycle = cycle
        super().__init__(f"{where}cycle: " + " -> ".join(cycle))


class DAGFormatError(DAGError):
    """A DAG file that cannot be read or does not have the expected shape."""


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class PipelineDAG:
    """Directed acyclic graph of step names, on networkx, in insertion order."""

    def __init__(self, nodes: Iterable[str] = (), edges: Iterable[tuple[str, str]] = ()) -> None:
        self._graph: nx.DiGraph = nx.DiGraph()
        self._edges: list[tuple[str, str]] = []
        for node in nodes:
            self.add_node(node)
        for src, dst in edges:
            self.add_edge(src, dst)

    # -- building ----------------------------------------------------------------------
    def add_node(self, node: str) -> None:
        """Add a step; a second node with the same name is an error, not a no-op."""
        if not isinstance(node, str) or not node.strip():
            raise DAGError(f"node names must be non-empty strings, got {node!r}")
        if node in self._graph:
            raise DAGError(f"duplicate node '{node}'")
        self._graph.add_node(node)

    def add_edge(self, src: str, dst: str) -> None:
        """Add ``src -> dst`` (``dst`` depends on ``src``); both nodes must exist already."""
        for name in (src, dst):
            if name not in self._graph:
                raise DAGError(f"edge {src} -> {dst}: unknown node '{name}'{_hint(str(name), self._graph)}")
        if src == dst:
            raise DAGError(f"edge {src} -> {dst}: a step cannot depend on itself")
        if self._graph.has_edge(src, dst):
            raise DAGError(f"duplicate edge {src} -> {dst}")
        self._graph.add_edge(src, dst)
        self._edges.append((src, dst))

    # -- views -------------------------------------------------------------------------
    @property
    def nodes(self) -> list[str]:
        return list(self._graph.nodes)

    @property
    def edges(self) -> list[tuple[str, str]]:
        return list(self._edges)

    def __contains__(self, node: object) -> bool:
        return node in self._graph

    def __len__(self) -> int:
        return self._graph.number_of_nodes()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PipelineDAG):
            return NotImplemented
        return self.nodes == other.nodes and self.edges == other.edges

    #: Equal DAGs compare by content and a DAG grows (add_node/add_edge): it cannot be a dict key.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PipelineDAG(nodes={self.nodes!r}, edges={self.edges!r})"

    def _require(self, node: str) -> None:
        if node not in self._graph:
            raise DAGError(f"unknown node '{node}'{_hint(node, self._graph)}")

    def _index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self._graph.nodes)}

    def get_dependencies(self, node: str) -> list[str]:
        """Direct predecessors of ``node``, in edge insertion order."""
        self._require(node)
        return [src for src, dst in self._edges if dst == node]

    def get_dependents(self, node: str) -> list[str]:
        """Direct successors of ``node``, in edge insertion order."""
        self._require(node)
        return [dst for src, dst in self._edges if src == node]

    def upstream(self, node: str) -> list[str]:
        """Every step ``node`` depends on, directly or not, in insertion order."""
        self._require(node)
        found = nx.ancestors(self._graph, node)
        return [n for n in self._graph.nodes if n in found]

    def downstream(self, node: str) -> list[str]:
        """Every step that depends on ``node``, directly or not, in insertion order."""
        self._require(node)
        found = nx.descendants(self._graph, node)
        return [n for n in self._graph.nodes if n in found]

    # -- checks ------------------------------------------------------------------------
    def find_cycle(self) -> list[str] | None:
        """One cycle as ``[a, b, ..., a]``, starting at its earliest-added node; None if acyclic."""
        try:
            cycle_edges = nx.find_cycle(self._graph)
        except nx.NetworkXNoCycle:
            return None
        cycle = [src for src, _ in cycle_edges]
        index = self._index()
        start = min(range(len(cycle)), key=lambda i: index[cycle[i]])
        cycle = cycle[start:] + cycle[:start]
        return cycle + [cycle[0]]

    def validate(self) -> None:
        """Raise :class:`DAGCycleError` naming a cycle if there is one."""
        cycle = self.find_cycle()
        if cycle is not None:
            raise DAGCycleError(cycle)

    def topological_order(self) -> list[str]:
        """Dependencies first; among steps ready at the same time, the earliest added first."""
        index = self._index()
        waiting = {node: self._graph.in_degree(node) for node in self._graph.nodes}
        ready = [(index[n], n) for n, degree in waiting.items() if degree == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            _, node = heapq.heappop(ready)
            order.append(node)
            for succ in self._graph.successors(node):
                waiting[succ] -= 1
                if waiting[succ] == 0:
                    heapq.heappush(ready, (index[succ], succ))
        if len(order) != len(index):
            self.validate()
        return order

    # -- (de)serialization -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": [[src, dst] for src, dst in self._edges]}

    @classmethod
    def from_dict(cls, data: Any) -> PipelineDAG:
        """Build from ``{"nodes": [...], "edges": [[a, b], ...]}`` (cycles are checked by validate)."""
        if not isinstance(data, Mapping):
            raise DAGFormatError(f"a DAG must be a mapping with 'nodes' and 'edges', got {type(data).__name__}")
        unknown = sorted(str(k) for k in data if k not in ("nodes", "edges"))
        if unknown:
            keys = ", ".join(repr(k) for k in unknown)
            raise DAGFormatError(f"unknown DAG key(s): {keys} (expected 'nodes', 'edges')")
        nodes = data.get("nodes")
        if not isinstance(nodes, list):
            raise DAGFormatError("'nodes' must be a list of step names")
        edges = data.get("edges", [])
        if not isinstance(edges, list):
            raise DAGFormatError("'edges' must be a list of [source, target] pairs")
        dag = cls(nodes)
        for i, edge in enumerate(edges):
            if not isinstance(edge, (list, tuple)) or len(edge) != 2:
                raise DAGFormatError(f"edge #{i} must be a [source, target] pair, got {edge!r}")
            dag.add_edge(edge[0], edge[1])
        return dag


def _load_py(path: Path) -> PipelineDAG:
    """Run a ``.py`` DAG file and take its factory's result (see the module docstring)."""
    try:
        namespace = runpy.run_path(str(path), run_name="__cursus_dag__")
    except Exception as exc:  # user code: any failure is reported, with its type
        raise DAGFormatError(f"{path}: running the DAG file failed: {type(exc).__name__}: {exc}") from exc
    for name in DAG_FACTORY_NAMES:
        factory = namespace.get(name)
        if callable(factory):
            try:
                result = factory()
            except Exception as exc:
                raise DAGFormatError(f"{path}: {name}() failed: {type(exc).__name__}: {exc}") from exc
            return _as_dag(result, path, f"{name}()")
    if "dag" in namespace:
        return _as_dag(namespace["dag"], path, "'dag'")
    raise DAGFormatError(f"{path}: defines no create_dag() or build_dag() function and no module-level 'dag'")


def _as_dag(value: Any, path: Path, source: str) -> PipelineDAG:
    """Accept our PipelineDAG or any object with ``nodes`` and ``edges`` (e.g. cursus's own)."""
    if isinstance(value, PipelineDAG):
        return value
    nodes, edges = getattr(value, "nodes", None), getattr(value, "edges", None)
    if isinstance(nodes, (list, tuple)) and isinstance(edges, (list, tuple)):
        try:
            return PipelineDAG.from_dict({"nodes": list(nodes), "edges": [list(e) for e in edges]})
        except DAGError as exc:
            raise type(exc)(f"{path}: {source}: {exc}") from exc
    verb = "is" if source == "'dag'" else "returned"
    raise DAGFormatError(f"{path}: {source} {verb} {type(value).__name__}, not a PipelineDAG")


def _load_data(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DAGFormatError(f"{path}: cannot read: {exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise DAGFormatError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc
    try:
        import yaml  # PyYAML: only needed for YAML DAGs
    except ImportError as exc:  # pragma: no cover - pyyaml is installed with the test extra
        raise DAGFormatError(f"{path}: reading a YAML DAG needs PyYAML (pip install pyyaml)") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DAGFormatError(f"{path}{where}: invalid YAML: {problem}") from exc


def load_dag(path: str | os.PathLike[str]) -> PipelineDAG:
    """Read a DAG from ``.json``, ``.yaml``/``.yml`` or ``.py`` and check it has no cycle.

    ``.py`` files are executed; only the dry-run build calls this for them, in a child process.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".py":
        if not file.is_file():
            raise DAGFormatError(f"{file}: cannot read: no such file")
        dag = _load_py(file)
    elif suffix in (".json", ".yaml", ".yml"):
        data = _load_data(file)
        try:
            dag = PipelineDAG.from_dict(data)
        except DAGError as exc:
            raise type(exc)(f"{file}: {exc}") from exc
    else:
        raise DAGFormatError(f"{file}: unsupported DAG file type '{file.suffix}' (expected .json, .yaml, .yml or .py)")
    cycle = dag.find_cycle()
    if cycle is not None:
        raise DAGCycleError(cycle, where=f"{file}: ")
    return dag


# ---------------------------------------------------------------------------- .py DAGs in a child

#: the largest DAG result read back from the child (nodes and edges as JSON)
MAX_CHILD_RESULT_BYTES = 16 * 1024 * 1024
_CHILD_CODE = "import sys; from cursus_core.dag import _child; sys.exit(_child(sys.argv[1], sys.argv[2]))"


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def load_dag_isolated(path: str | os.PathLike[str], *, timeout: float = 300.0) -> PipelineDAG:
    """:func:`load_dag`, with a ``.py`` DAG run in a sandboxed child stopped after ``timeout`` s.

    Whatever the DAG file does — loop, exit, raise, reach for the network — the result is a
    DAG or a one-line :class:`DAGFormatError` naming the file.
    """
    import tempfile

    from cursus_core.sandbox import run_sandboxed

    file = Path(path)
    if file.suffix.lower() != ".py":
        return load_dag(file)
    if not file.is_file():
        raise DAGFormatError(f"{file}: cannot read: no such file")
    with tempfile.TemporaryDirectory(prefix="cursus-dag-") as tmp:
        result_file, log_file = Path(tmp) / "dag.json", Path(tmp) / "output.txt"
        with open(log_file, "wb") as log:
            finished = run_sandboxed([sys.executable, "-c", _CHILD_CODE, str(file.absolute()), str(result_file)],
                                     cwd=os.getcwd(), env=dict(os.environ), stdout=log, stderr=log, timeout=timeout)
        if finished.timed_out:
            raise DAGFormatError(f"{file}: running the DAG file timed out after {timeout:g} s and was stopped")
        try:
            if not result_file.is_file():  # nothing, or a FIFO/device the DAG file put there
                raise OSError("no result")
            with open(result_file, "rb") as f:
                data = f.read(MAX_CHILD_RESULT_BYTES + 1)
            result = json.loads(data.decode("utf-8")) if len(data) <= MAX_CHILD_RESULT_BYTES else None
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            result = None
    if isinstance(result, dict) and set(result) == {"error"} and isinstance(result["error"], str):
        raise DAGFormatError(_first_line(result["error"]) or f"{file}: running the DAG file failed")
    if not (isinstance(result, dict) and set(result) == {"dag"}):
        raise DAGFormatError(f"{file}: running the DAG file gave no valid result (the process exited with "
                             f"status {finished.returncode})")
    try:
        dag = PipelineDAG.from_dict(result["dag"])
    except DAGError as exc:
        raise DAGFormatError(f"{file}: {_first_line(str(exc))}") from None
    cycle = dag.find_cycle()
    if cycle is not None:
        raise DAGCycleError(cycle, where=f"{file}: ")
    return dag


def _child(path: str, result_path: str) -> int:
    """In the child: run the DAG file, write ``{"dag": ...}`` or ``{"error": ...}`` as JSON."""
    from cursus_core.network_guard import BLOCKED_TEXT, blocked_attempts, install_network_guard

    file = Path(path)
    install_network_guard("loading the DAG", user_root=file.parent)
    try:
        result: dict[str, Any] = {"dag": _load_py(file).to_dict()}
    except DAGError as exc:
        result = {"error": str(exc)}
    except BaseException as exc:  # SystemExit, KeyboardInterrupt: the DAG file did not define a DAG
        text = f"{type(exc).__name__}: {exc}".rstrip(": ")
        result = {"error": f"{file}: running the DAG file failed: {text}"}
    attempts = blocked_attempts()
    if attempts and BLOCKED_TEXT not in result.get("error", ""):
        result = {"error": f"{file}: {BLOCKED_TEXT} while loading the DAG: it tried {attempts[0].what}"}
    Path(result_path).write_text(json.dumps(result), encoding="utf-8")
    return 0

"""PipelineDAG: building, ordering, cycles, (de)serialization and the three file formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cursus_core.dag import DAGCycleError, DAGError, DAGFormatError, PipelineDAG, load_dag

PIPELINE = Path(__file__).resolve().parent.parent / "fixtures" / "example_repo" / "pipeline"

EXAMPLE_ORDER = [
    "DataLoading_training", "TabularPreprocessing_training", "XGBoostTraining", "DataLoading_calibration",
    "TabularPreprocessing_calibration", "XGBoostModelEval_calibration", "XGBoostModel", "BatchTransform_calibration",
    "Package", "Registration",
]  # fmt: skip


def diamond() -> PipelineDAG:
    return PipelineDAG(["A", "B", "C", "D"], [("A", "C"), ("A", "B"), ("B", "D"), ("C", "D")])


# -- building ---------------------------------------------------------------------------------
def test_nodes_and_edges_keep_insertion_order() -> None:
    dag = diamond()
    assert dag.nodes == ["A", "B", "C", "D"]
    assert dag.edges == [("A", "C"), ("A", "B"), ("B", "D"), ("C", "D")]
    assert len(dag) == 4 and "C" in dag and "E" not in dag


def test_edge_to_unknown_node_names_it_and_suggests() -> None:
    dag = PipelineDAG(["XGBoostTraining", "Package"])
    with pytest.raises(DAGError) as err:
        dag.add_edge("XGBoostTrainig", "Package")
    assert str(err.value) == ("edge XGBoostTrainig -> Package: unknown node 'XGBoostTrainig' "
                              "(did you mean 'XGBoostTraining'?)")
    with pytest.raises(DAGError) as err:
        dag.add_edge("Package", "Registration")
    assert str(err.value) == "edge Package -> Registration: unknown node 'Registration'"


def test_duplicate_edge_self_loop_and_duplicate_node_are_errors() -> None:
    dag = PipelineDAG(["A", "B"], [("A", "B")])
    with pytest.raises(DAGError) as err:
        dag.add_edge("A", "B")
    assert str(err.value) == "duplicate edge A -> B"
    with pytest.raises(DAGError) as err:
        dag.add_edge("A", "A")
    assert str(err.value) == "edge A -> A: a step cannot depend on itself"
    with pytest.raises(DAGError) as err:
        dag.add_node("B")
    assert str(err.value) == "duplicate node 'B'"
    with pytest.raises(DAGError) as err:
        dag.add_node("  ")
    assert str(err.value) == "node names must be non-empty strings, got '  '"
    assert dag.edges == [("A", "B")]


# -- queries ----------------------------------------------------------------------------------
def test_dependencies_upstream_downstream() -> None:
    dag = diamond()
    assert dag.get_dependencies("D") == ["B", "C"]
    assert dag.get_dependencies("A") == []
    assert dag.get_dependents("A") == ["C", "B"]
    assert dag.upstream("D") == ["A", "B", "C"]
    assert dag.upstream("B") == ["A"]
    assert dag.downstream("A") == ["B", "C", "D"]
    assert dag.downstream("D") == []
    with pytest.raises(DAGError) as err:
        dag.upstream("E")
    assert str(err.value) == "unknown node 'E'"


def test_topological_order_breaks_ties_by_insertion_order() -> None:
    # C is inserted before B, so when both are ready C comes first
    dag = PipelineDAG(["A", "C", "B", "D"], [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")])
    assert dag.topological_order() == ["A", "C", "B", "D"]
    # an independent node inserted first stays first; one inserted last waits for nothing
    dag = PipelineDAG(["X", "A", "B", "Y"], [("A", "B")])
    assert dag.topological_order() == ["X", "A", "B", "Y"]
    # a later-inserted source node comes before the children of an earlier one only when it is earlier
    dag = PipelineDAG(["B", "A"], [("A", "B")])
    assert dag.topological_order() == ["A", "B"]


def test_validate_names_the_cycle_from_its_earliest_node() -> None:
    dag = PipelineDAG(["S", "A", "B", "C"], [("S", "A"), ("B", "C"), ("C", "A"), ("A", "B")])
    with pytest.raises(DAGCycleError) as err:
        dag.validate()
    assert str(err.value) == "cycle: A -> B -> C -> A"
    assert err.value.cycle == ["A", "B", "C", "A"]
    with pytest.raises(DAGCycleError) as err:
        dag.topological_order()
    assert str(err.value) == "cycle: A -> B -> C -> A"
    assert diamond().find_cycle() is None
    diamond().validate()


# -- dicts ------------------------------------------------------------------------------------
def test_to_dict_from_dict_round_trip() -> None:
    dag = diamond()
    data = dag.to_dict()
    assert data == {"nodes": ["A", "B", "C", "D"], "edges": [["A", "C"], ["A", "B"], ["B", "D"], ["C", "D"]]}
    assert PipelineDAG.from_dict(json.loads(json.dumps(data))) == dag
    assert PipelineDAG.from_dict({"nodes": ["A"]}).edges == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["A"], "a DAG must be a mapping with 'nodes' and 'edges', got list"),
        ({"nodes": ["A"], "egdes": []}, "unknown DAG key(s): 'egdes' (expected 'nodes', 'edges')"),
        ({"edges": []}, "'nodes' must be a list of step names"),
        ({"nodes": "A"}, "'nodes' must be a list of step names"),
        ({"nodes": ["A"], "edges": {"A": "B"}}, "'edges' must be a list of [source, target] pairs"),
        ({"nodes": ["A", "B"], "edges": [["A", "B", "C"]]},
         "edge #0 must be a [source, target] pair, got ['A', 'B', 'C']"),
        ({"nodes": ["A", "A"]}, "duplicate node 'A'"),
        ({"nodes": ["A", 3]}, "node names must be non-empty strings, got 3"),
    ],
)
def test_from_dict_rejects_bad_shapes(data: object, message: str) -> None:
    with pytest.raises(DAGError) as err:
        PipelineDAG.from_dict(data)
    assert str(err.value) == message


# -- files ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["dag.json", "dag.yaml", "dag.py"])
def test_example_dag_files_are_the_same_graph(name: str) -> None:
    dag = load_dag(PIPELINE / name)
    assert dag == load_dag(PIPELINE / "dag.json")
    assert dag.topological_order() == EXAMPLE_ORDER
    assert dag.get_dependencies("Registration") == ["Package", "XGBoostModelEval_calibration"]
    assert dag.upstream("XGBoostModelEval_calibration") == [
        "DataLoading_training", "TabularPreprocessing_training", "XGBoostTraining", "DataLoading_calibration",
        "TabularPreprocessing_calibration"]  # fmt: skip
    assert len(dag.edges) == 11


def test_example_dag_nodes_are_registered_step_names() -> None:
    registry = (PIPELINE.parent / "registry" / "step_names.py").read_text(encoding="utf-8")
    for node in load_dag(PIPELINE / "dag.json").nodes:
        canonical = node.split("_", 1)[0]
        assert f'    "{canonical}": {{' in registry, node


def test_yml_suffix_and_cycle_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "dag.yml"
    path.write_text("nodes: [A, B]\nedges:\n  - [A, B]\n  - [B, A]\n", encoding="utf-8")
    with pytest.raises(DAGCycleError) as err:
        load_dag(path)
    assert str(err.value) == f"{path}: cycle: A -> B -> A"


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    bad_json = tmp_path / "dag.json"
    bad_json.write_text('{"nodes": ["A",]}', encoding="utf-8")
    with pytest.raises(DAGFormatError) as err:
        load_dag(bad_json)
    assert str(err.value) == f"{bad_json}:1:16: invalid JSON: Expecting value"

    bad_yaml = tmp_path / "dag.yaml"
    bad_yaml.write_text("nodes: [A\nedges: []\n", encoding="utf-8")
    with pytest.raises(DAGFormatError) as err:
        load_dag(bad_yaml)
    assert str(err.value) == f"{bad_yaml}:2:6: invalid YAML: expected ',' or ']', but got ':'"

    unknown_edge = tmp_path / "edge.json"
    unknown_edge.write_text('{"nodes": ["A"], "edges": [["A", "B"]]}', encoding="utf-8")
    with pytest.raises(DAGError) as err:
        load_dag(unknown_edge)
    assert str(err.value) == f"{unknown_edge}: edge A -> B: unknown node 'B'"

    with pytest.raises(DAGFormatError) as err:
        load_dag(tmp_path / "dag.txt")
    assert str(err.value) == (f"{tmp_path / 'dag.txt'}: unsupported DAG file type '.txt' "
                              "(expected .json, .yaml, .yml or .py)")

    with pytest.raises(DAGFormatError) as err:
        load_dag(tmp_path / "missing.py")
    assert str(err.value) == f"{tmp_path / 'missing.py'}: cannot read: no such file"

    with pytest.raises(DAGFormatError) as err:
        load_dag(tmp_path / "missing.json")
    assert str(err.value).startswith(f"{tmp_path / 'missing.json'}: cannot read: [Errno 2] No such file or directory")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pipeline_dag.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_py_dag_factories_and_module_level_dag(tmp_path: Path) -> None:
    header = "from cursus_core.dag import PipelineDAG\n"
    built = _write(tmp_path, header + "def build_dag():\n    return PipelineDAG(['A', 'B'], [('A', 'B')])\n")
    assert load_dag(built).to_dict() == {"nodes": ["A", "B"], "edges": [["A", "B"]]}
    # create_dag wins over build_dag and over a module-level dag
    both = _write(tmp_path, header + "dag = PipelineDAG(['X'])\n"
                  "def build_dag():\n    return PipelineDAG(['B'])\n"
                  "def create_dag():\n    return PipelineDAG(['C'])\n")
    assert load_dag(both).nodes == ["C"]
    module_level = _write(tmp_path, header + "dag = PipelineDAG(['M'])\n")
    assert load_dag(module_level).nodes == ["M"]


def test_py_dag_accepts_any_object_with_nodes_and_edges(tmp_path: Path) -> None:
    path = _write(tmp_path, "class Dag:\n    nodes = ['A', 'B']\n    edges = [('A', 'B')]\n"
                            "def create_dag():\n    return Dag()\n")
    assert load_dag(path).edges == [("A", "B")]
    bad = _write(tmp_path, "class Dag:\n    nodes = ['A']\n    edges = [('A', 'Z')]\n"
                           "def create_dag():\n    return Dag()\n")
    with pytest.raises(DAGError) as err:
        load_dag(bad)
    assert str(err.value) == f"{bad}: create_dag(): edge A -> Z: unknown node 'Z'"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = 1\n", "defines no create_dag() or build_dag() function and no module-level 'dag'"),
        ("raise RuntimeError('no network')\n", "running the DAG file failed: RuntimeError: no network"),
        ("def create_dag():\n    return {}['k']\n", "create_dag() failed: KeyError: 'k'"),
        ("def build_dag():\n    return 42\n", "build_dag() returned int, not a PipelineDAG"),
        ("dag = 'A -> B'\n", "'dag' is str, not a PipelineDAG"),
        ("from cursus_core.dag import PipelineDAG\n"
         "def create_dag():\n    d = PipelineDAG(['A', 'B'], [('A', 'B')])\n    d.add_edge('B', 'A')\n    return d\n",
         "cycle: A -> B -> A"),
    ],
)
def test_py_dag_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DAGError) as err:
        load_dag(path)
    assert str(err.value) == f"{path}: {message}"


def test_equal_dags_compare_by_content_and_cannot_be_hashed() -> None:
    a = PipelineDAG(["load", "train"], [("load", "train")])
    assert a == PipelineDAG(["load", "train"], [("load", "train")])
    assert a != PipelineDAG(["load", "train"])
    with pytest.raises(TypeError, match="unhashable type: 'PipelineDAG'"):
        hash(a)

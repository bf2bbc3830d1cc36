"""`cursus-lint mcp` driven over stdio by the MCP SDK's own client (`stdio_client` + `ClientSession`):
the tool list and schemas, every tool's exact answer on the example and interface repos, one-sentence
tool errors, paths kept inside the root, write tools only with --allow-write, and (in-process, over
the SDK's in-memory transport) a crashing rule that fails one call and not the next."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mcp import Client, ClientSession, StdioServerParameters, stdio_client

from cursus_lint.rule import StepCheck
from cursus_lint.rules_index import all_rules

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLE = FIXTURES / "example_repo"
INTERFACE = FIXTURES / "interface_repo"
READ_TOOLS = ["check", "rule", "step", "wiring", "fix_preview", "build", "new_step_preview"]
CHECK_TIMES = 5


def run_session(root: Path, calls: dict[str, tuple[str, dict[str, Any]]], *extra: str) -> dict[str, Any]:
    """Start `cursus-lint mcp --root ROOT`, list the tools, make the calls in order; also time
    CHECK_TIMES `check` calls on the started server."""

    async def go() -> dict[str, Any]:
        params = StdioServerParameters(command=sys.executable, args=["-m", "cursus_lint.cli", "mcp", "--root",
                                                                     str(root), *extra], cwd=str(root))
        out: dict[str, Any] = {"calls": {}, "check_seconds": []}
        with open(os.devnull, "w") as err:
            async with stdio_client(params, errlog=err) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                out["tools"] = (await session.list_tools()).tools
                for key, (name, args) in calls.items():
                    out["calls"][key] = await session.call_tool(name, args)
                for _ in range(CHECK_TIMES):
                    start = time.perf_counter()
                    result = await session.call_tool("check", {})
                    out["check_seconds"].append(time.perf_counter() - start)
                    assert not result.is_error
        return out

    return asyncio.run(go())


def error_text(result) -> str:
    assert result.is_error, result.structured_content
    assert len(result.content) == 1
    return result.content[0].text


EXAMPLE_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "check": ("check", {}),
    "check_step": ("check", {"step": "CurrencyConversion"}),
    "check_dir": ("check", {"paths": ["steps/scripts"]}),
    "check_parent": ("check", {"paths": ["../interface_repo"]}),
    "check_absolute_outside": ("check", {"paths": ["/etc"]}),
    "check_missing": ("check", {"paths": ["missing"]}),
    "check_both": ("check", {"paths": ["steps"], "step": "Package"}),
    "check_bad_select": ("check", {"select": ["XX1"]}),
    "rule": ("rule", {"code": "CL103"}),
    "rule_by_name": ("rule", {"code": "undeclared-env-var"}),
    "rule_unknown": ("rule", {"code": "CL999"}),
    "step": ("step", {"name": "CurrencyConversion"}),
    "step_any_case": ("step", {"name": "currencyconversion"}),
    "step_unknown": ("step", {"name": "Currency"}),
    "step_no_name": ("step", {}),
    "wiring": ("wiring", {"step": "XGBoostTraining", "input": "input_path", "limit": 2}),
    "wiring_variant": ("wiring", {"step": "RiskTableMapping", "job_type": "calibration", "limit": 1}),
    "wiring_upstream": ("wiring", {"step": "XGBoostTraining", "input": "input_path",
                                   "upstream": ["CurrencyConversion", "Package"]}),
    "wiring_unknown_upstream": ("wiring", {"step": "XGBoostTraining", "upstream": ["Nope"]}),
    "wiring_unknown_input": ("wiring", {"step": "XGBoostTraining", "input": "nope"}),
    "wiring_bad_limit": ("wiring", {"step": "XGBoostTraining", "limit": 0}),
    "fix_preview": ("fix_preview", {}),
    "build_no_dag": ("build", {}),
    "build_outside": ("build", {"dag": "../interface_repo/pipeline/dag.json", "config": "pipeline/config.json"}),
    "fix_absent": ("fix", {}),
    "new_step_preview": ("new_step_preview", {"name": "FeatureSelection", "sagemaker_type": "Processing",
                                              "after": ["CurrencyConversion"]}),
    "new_step_bad_type": ("new_step_preview", {"name": "FeatureSelection", "sagemaker_type": "Lambda"}),
    "new_step_absent": ("new_step", {"name": "FeatureSelection", "sagemaker_type": "Processing"}),
    "after_errors": ("rule", {"code": "CL101"}),
}


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return run_session(EXAMPLE, EXAMPLE_CALLS)


def test_lists_exactly_the_read_only_tools_with_schemas(example):
    tools = {t.name: t for t in example["tools"]}
    assert list(tools) == READ_TOOLS
    for tool in tools.values():
        assert tool.input_schema["type"] == "object" and tool.output_schema["type"] == "object"
        assert tool.description and tool.annotations.read_only_hint is True
    assert set(tools["check"].input_schema["properties"]) == {"paths", "step", "select", "ignore"}
    assert tools["step"].input_schema["required"] == ["name"]
    assert tools["wiring"].input_schema["required"] == ["step"]
    assert set(tools["wiring"].input_schema["properties"]) == {"step", "input", "job_type", "workspace", "upstream",
                                                              "limit"}
    assert set(tools["check"].output_schema["required"]) == {"tool", "diagnostics", "summary"}
    assert set(tools["build"].output_schema["properties"]) == {"built", "steps", "report"}


def test_check_answers_the_json_contract(example):
    result = example["calls"]["check"]
    assert not result.is_error
    doc = result.structured_content
    assert doc["tool"]["name"] == "cursus-lint" and doc["diagnostics"] == []
    assert {k: v for k, v in doc["summary"].items() if k != "elapsed_ms"} == {
        "files": 59, "steps": 12, "diagnostics": 0, "by_code": {}}
    assert json.loads(result.content[0].text) == doc  # the text block is the same document


def test_check_one_step_and_one_directory(example):
    step = example["calls"]["check_step"].structured_content
    assert step["diagnostics"] == [] and (step["summary"]["steps"], step["summary"]["files"]) == (1, 5)
    scripts = example["calls"]["check_dir"].structured_content
    assert scripts["diagnostics"] == [] and scripts["summary"]["steps"] == 12


def test_check_on_the_started_server_answers_under_a_second(example):
    times = example["check_seconds"]
    print(f"check on fixtures/example_repo over stdio: {', '.join(f'{t * 1000:.0f} ms' for t in times)}")
    assert sorted(times)[len(times) // 2] < 1.0  # the median, with the machine shared


def test_paths_must_stay_inside_the_root(example):
    calls = example["calls"]
    assert error_text(calls["check_parent"]) == (
        f"Error executing tool check: path '../interface_repo' is outside the server root {EXAMPLE}")
    assert error_text(calls["check_absolute_outside"]) == (
        f"Error executing tool check: path '/etc' is outside the server root {EXAMPLE}")
    assert error_text(calls["check_missing"]) == (
        f"Error executing tool check: path 'missing' does not exist under the server root {EXAMPLE}")
    assert error_text(calls["build_outside"]) == (
        f"Error executing tool build: dag '../interface_repo/pipeline/dag.json' is outside the server root {EXAMPLE}")


def test_argument_errors_are_one_sentence_tool_errors(example):
    calls = example["calls"]
    assert error_text(calls["check_both"]) == "Error executing tool check: give either 'paths' or 'step', not both"
    assert error_text(calls["check_bad_select"]) == (
        "Error executing tool check: unknown rule code 'XX1' in 'select' of the tool's arguments")
    assert error_text(calls["rule_unknown"]) == (
        "Error executing tool rule: unknown rule 'CL999'; did you mean CL905, CL904, CL903?")
    assert error_text(calls["step_unknown"]) == (
        f"Error executing tool step: no step 'Currency' under {EXAMPLE}; did you mean CurrencyConversion?")
    assert error_text(calls["wiring_unknown_input"]) == (
        "Error executing tool wiring: step 'XGBoostTraining' has no input 'nope' in its specs")
    assert error_text(calls["wiring_bad_limit"]) == "Error executing tool wiring: limit must be at least 1"
    assert error_text(calls["build_no_dag"]) == (
        "Error executing tool build: no pipeline DAG: pass 'dag' or set 'dag' in [tool.cursus-lint]")
    missing = error_text(calls["step_no_name"])  # the SDK validates arguments against the input schema
    assert missing.startswith("Error executing tool step:") and "name" in missing and "Field required" in missing
    assert "Unknown tool" in error_text(calls["fix_absent"])  # no write tool without --allow-write
    assert calls["after_errors"].structured_content["code"] == "CL101"  # the server lives on


def test_rule_returns_the_rule_markdown(example):
    doc = example["calls"]["rule"].structured_content
    rule = all_rules()["CL103"]
    assert {k: doc[k] for k in ("code", "name", "family", "severity", "fixable", "summary")} == {
        "code": "CL103", "name": "undeclared-env-var", "family": rule.family, "severity": "error", "fixable": "safe",
        "summary": rule.summary}
    assert doc["markdown"] == (f"# CL103 undeclared-env-var\n\n{rule.summary}\n\nFamily: {rule.family} · default "
                               f"severity: error · safe autofix\n\n{rule.docs.strip()}\n")
    assert example["calls"]["rule_by_name"].structured_content == doc


def test_step_classic_layout(example):
    step = example["calls"]["step"].structured_content
    assert step == {
        "name": "CurrencyConversion", "workspace": None, "layout": "classic", "sagemaker_step_type": "Processing",
        "config_class": "CurrencyConversionConfig", "builder_class": "CurrencyConversionStepBuilder",
        "components": {
            "script": "steps/scripts/currency_conversion.py",
            "contract": "steps/contracts/currency_conversion_contract.py",
            "specs": {"": "steps/specs/currency_conversion_spec.py"},
            "builder": "steps/builders/builder_currency_conversion_step.py",
            "config": "steps/configs/config_currency_conversion_step.py", "hyperparams": [], "interface": None},
        "inputs": [{"logical_name": "data_input", "container_path": "/opt/ml/processing/input/data",
                    "dependency_type": "processing_output", "required": True,
                    "compatible_sources": ["TabularPreprocessing"],
                    "semantic_keywords": ["data", "processed", "tabular", "currency", "monetary"], "job_types": [""]}],
        "outputs": [{"logical_name": "processed_data", "container_path": "/opt/ml/processing/output",
                     "output_type": "processing_output",
                     "property_path": "properties.ProcessingOutputConfig.Outputs['processed_data'].S3Output.S3Uri",
                     "aliases": ["converted_data"], "job_types": [""]}],
        "env_vars": {"required": ["CURRENCY_CODE_FIELD", "MONETARY_FIELDS"],
                     "optional": {"TARGET_CURRENCY": "USD", "EXCHANGE_RATES": "{}"}},
        "job_arguments": {"job_type": "training", "mode": "per_split"},
    }
    assert example["calls"]["step_any_case"].structured_content == step


def test_wiring_explains_the_resolver_scores(example):
    wiring = example["calls"]["wiring"].structured_content
    assert (wiring["step"], wiring["threshold"], wiring["tie_margin"]) == ("XGBoostTraining", 0.5, 0.05)
    [port] = wiring["inputs"]
    keys = ("input", "job_type", "dependency_type", "required", "best", "ambiguous", "reason")
    assert {k: port[k] for k in keys} == {
        "input": "input_path", "job_type": None, "dependency_type": "training_data", "required": True,
        "best": "TabularPreprocessing_Calibration.processed_data", "ambiguous": False,
        "reason": "TabularPreprocessing_Calibration.processed_data (0.90)"}
    first, second = port["candidates"]
    assert first == {
        "step": "TabularPreprocessing", "workspace": None, "spec_type": "TabularPreprocessing_Calibration",
        "output": "processed_data", "score": 0.9,
        "parts": {"type": 0.15, "data_type": 0.05, "name": 0.35, "keywords": 0.15, "source": 0.2},
        "explanation": ["type: 'processing_output' is compatible with 'training_data' (+0.15)",
                        "data type: S3Uri == S3Uri (+0.05)",
                        "name: 'input_path' ~ alias 'input_path' (exact, 1.00) (+0.35)",
                        "keywords: 2 of 6 found (data, processed) (+0.15)",
                        "source: 'TabularPreprocessing_Calibration' is a compatible source (+0.20)"],
        "path": "steps/specs/tabular_preprocessing_calibration_spec.py", "line": 45}
    assert (second["step"], second["output"], second["score"]) == ("CurrencyConversion", "processed_data", 0.55)


def test_wiring_among_the_upstream_steps_of_a_dag(example):
    [port] = example["calls"]["wiring_upstream"].structured_content["inputs"]
    assert (port["best"], port["reason"]) == ("CurrencyConversion.processed_data",
                                              "CurrencyConversion.processed_data (0.55)")
    assert [(c["step"], c["output"], c["score"]) for c in port["candidates"]] == [
        ("CurrencyConversion", "processed_data", 0.55), ("Package", "packaged_model", 0.2)]  # no other step
    assert error_text(example["calls"]["wiring_unknown_upstream"]).startswith(
        f"Error executing tool wiring: no step 'Nope' under {EXAMPLE}; known steps: BatchTransform, ")


def test_wiring_of_one_job_type_variant(example):
    inputs = example["calls"]["wiring_variant"].structured_content["inputs"]
    assert inputs and {i["job_type"] for i in inputs} == {"calibration"}
    assert all(len(i["candidates"]) <= 1 for i in inputs)


def test_fix_preview_of_a_clean_repo_is_empty(example):
    assert example["calls"]["fix_preview"].structured_content == {
        "diff": "", "files": [], "fixes": [], "skipped": [], "unsafe_available": 0}


# ---------------------------------------------------------------------------- interface layout

INTERFACE_CALLS: dict[str, tuple[str, dict[str, Any]]] = {
    "check": ("check", {}),
    "step": ("step", {"name": "TabularPreprocessing"}),
    "step_pack": ("step", {"name": "TabularPreprocessing", "workspace": "fraud_team"}),
    "wiring": ("wiring", {"step": "XGBoostTraining", "input": "input_path", "limit": 3}),
    "build": ("build", {"dag": "pipeline/dag.json", "config": "pipeline/config.json", "timeout": 240}),
}


@pytest.fixture(scope="module")
def interface() -> dict[str, Any]:
    return run_session(INTERFACE, INTERFACE_CALLS)


def test_check_interface_repo(interface):
    doc = interface["calls"]["check"].structured_content
    assert [(d["code"], d["path"], d["line"], d["step"]) for d in doc["diagnostics"]] == [
        ("CL007", "projects/fraud_team/step_pack/interfaces/tabular_preprocessing.step.yaml", 2,
         "TabularPreprocessing")]
    assert (doc["summary"]["files"], doc["summary"]["steps"]) == (28, 10)


def test_step_interface_layout(interface):
    step = interface["calls"]["step"].structured_content
    assert (step["layout"], step["builder_class"], step["config_class"]) == (
        "interface", None, "TabularPreprocessingConfig")
    assert step["components"] == {
        "script": "steps/scripts/tabular_preprocessing.py", "contract": None, "specs": {}, "builder": None,
        "config": "steps/configs/config_tabular_preprocessing_step.py", "hyperparams": [],
        "interface": "steps/interfaces/tabular_preprocessing.step.yaml"}
    assert [(p["logical_name"], p["container_path"], p["dependency_type"], p["required"]) for p in step["inputs"]] == [
        ("DATA", "/opt/ml/processing/input/data", "processing_output", True),
        ("SIGNATURE", "/opt/ml/processing/input/signature", "processing_output", False)]
    assert step["inputs"][0]["job_types"] == ["", "training", "validation", "testing", "calibration"]
    assert [(p["logical_name"], p["container_path"], p["aliases"]) for p in step["outputs"]] == [
        ("processed_data", "/opt/ml/processing/output", ["input_path", "input_data"])]
    assert step["env_vars"] == {"required": ["LABEL_FIELD"],
                                "optional": {"TRAIN_RATIO": "0.7", "TEST_VAL_RATIO": "0.5"}}
    assert step["job_arguments"] == {"job_type": "job_type"}
    pack = interface["calls"]["step_pack"].structured_content
    assert (pack["workspace"], pack["components"]["interface"]) == (
        "fraud_team", "projects/fraud_team/step_pack/interfaces/tabular_preprocessing.step.yaml")


def test_wiring_interface_layout(interface):
    [port] = interface["calls"]["wiring"].structured_content["inputs"]
    assert [(c["step"], c["workspace"], c["output"], c["score"], c["path"], c["line"]) for c in port["candidates"]] == [
        ("TabularPreprocessing", None, "processed_data", 0.9, "steps/interfaces/tabular_preprocessing.step.yaml", 49),
        ("TabularPreprocessing", "fraud_team", "processed_data", 0.9,
         "projects/fraud_team/step_pack/interfaces/tabular_preprocessing.step.yaml", 34),
        ("CurrencyConversion", "fraud_team", "converted_data", 0.625,
         "projects/fraud_team/step_pack/interfaces/currency_conversion.step.yaml", 39)]
    assert port["best"] == "TabularPreprocessing.processed_data"


def test_build_dry_runs_in_the_sandboxed_child(interface):
    if importlib.util.find_spec("sagemaker") is None:  # not imported here: it takes seconds
        pytest.skip("the build extra is not installed")
    result = interface["calls"]["build"]
    assert not result.is_error, result.content
    out = result.structured_content
    assert (out["built"], out["steps"], out["report"]["diagnostics"]) == (True, 10, [])
    assert out["report"]["summary"]["steps"] == 10


# ---------------------------------------------------------------------------- writing


def _repo_with_undeclared_env_var(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    script = root / "steps/scripts/currency_conversion.py"
    text = script.read_text(encoding="utf-8")
    old = '        "EXCHANGE_RATES": os.getenv("EXCHANGE_RATES", "{}"),\n'
    assert old in text
    script.write_text(text.replace(old, old + '        "ROUNDING": os.getenv("ROUNDING", "2"),\n'), encoding="utf-8")
    return root


def test_fix_exists_only_with_allow_write_and_writes_inside_the_root(tmp_path):
    root = _repo_with_undeclared_env_var(tmp_path)
    contract = root / "steps/contracts/currency_conversion_contract.py"
    before = contract.read_text(encoding="utf-8")
    out = run_session(root, {
        "preview": ("fix_preview", {"step": "CurrencyConversion"}),
        "fix_outside": ("fix", {"paths": [str(tmp_path)]}),
        "fix": ("fix", {"step": "CurrencyConversion"}),
        "check": ("check", {"step": "CurrencyConversion"}),
    }, "--allow-write")
    tools = {t.name: t for t in out["tools"]}
    assert list(tools) == [*READ_TOOLS[:-1], "fix", "new_step_preview", "new_step"]  # in definition order
    assert tools["fix"].annotations.read_only_hint is False and tools["fix"].annotations.destructive_hint is True
    preview = out["calls"]["preview"].structured_content
    assert preview["files"] == ["steps/contracts/currency_conversion_contract.py"]
    assert [(f["code"], f["path"], f["file"]) for f in preview["fixes"]] == [
        ("CL103", "steps/scripts/currency_conversion.py", "steps/contracts/currency_conversion_contract.py")]
    assert preview["diff"].startswith("--- a/steps/contracts/currency_conversion_contract.py\n"
                                      "+++ b/steps/contracts/currency_conversion_contract.py\n")
    added = [line for line in preview["diff"].splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(added) == 1 and "ROUNDING" in added[0]
    assert error_text(out["calls"]["fix_outside"]) == (
        f"Error executing tool fix: path '{tmp_path}' is outside the server root {root}")
    written = out["calls"]["fix"].structured_content
    assert written["written"] == ["steps/contracts/currency_conversion_contract.py"]
    assert written["remaining"]["diagnostics"] == []
    after = contract.read_text(encoding="utf-8")
    assert after != before and "ROUNDING" in after
    assert out["calls"]["check"].structured_content["diagnostics"] == []


def test_fix_preview_never_writes(tmp_path):
    root = _repo_with_undeclared_env_var(tmp_path)
    (root / "link").symlink_to(tmp_path, target_is_directory=True)  # inside by name, outside once resolved
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    out = run_session(root, {"preview": ("fix_preview", {}), "check": ("check", {"select": ["CL103"]}),
                             "link": ("check", {"paths": ["link"]})})
    assert error_text(out["calls"]["link"]) == (
        f"Error executing tool check: path 'link' is outside the server root {root}")
    assert out["calls"]["preview"].structured_content["files"] == ["steps/contracts/currency_conversion_contract.py"]
    [finding] = out["calls"]["check"].structured_content["diagnostics"]
    assert (finding["code"], finding["path"], finding["fix"]["safe"]) == (
        "CL103", "steps/scripts/currency_conversion.py", True)
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


# ---------------------------------------------------------------------------- a crashing rule


def test_a_crashing_rule_fails_one_call_and_the_next_works(monkeypatch, capsys):
    from cursus_lint.mcp.server import create_server

    rules = all_rules()
    calls = []

    def crash_once(step, project):
        calls.append(step.name)
        if len(calls) == 1:
            raise RuntimeError("boom in a rule")
        return iter(())

    monkeypatch.setattr(rules["CL103"], "check", StepCheck(crash_once))
    monkeypatch.setenv("CURSUS_LINT_DEBUG", "1")  # the traceback goes to stderr, as in the CLI

    async def go():
        async with Client(create_server(EXAMPLE)) as client:
            first = await client.call_tool("check", {"step": "CurrencyConversion"})
            second = await client.call_tool("check", {"step": "CurrencyConversion"})
            return first, second

    first, second = asyncio.run(go())
    assert error_text(first) == ("Error executing tool check: internal error: RuntimeError: boom in a rule (the server "
                                 "keeps running; please report this as a cursus-lint bug)")
    assert not second.is_error and second.structured_content["diagnostics"] == []
    assert calls == ["CurrencyConversion", "CurrencyConversion"]
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().endswith("RuntimeError: boom in a rule")


def test_missing_root_is_a_usage_error(tmp_path, capsys):
    from cursus_lint.cli import main

    assert main(["mcp", "--root", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err == f"cursus-lint: error: root directory does not exist: {tmp_path / 'nope'}\n"


def test_missing_sdk_is_a_usage_error(monkeypatch, capsys):
    from cursus_lint.cli import main

    monkeypatch.delitem(sys.modules, "cursus_lint.mcp.server", raising=False)
    for name in [m for m in sys.modules if m.split(".")[0] in ("mcp", "mcp_types")] + ["mcp"]:
        monkeypatch.setitem(sys.modules, name, None)  # what an install without the extra looks like to import
    assert main(["mcp", "--root", str(EXAMPLE)]) == 2
    assert capsys.readouterr().err == (
        "cursus-lint: error: the MCP server needs the 'mcp' extra: pip install '.[mcp]' in a clone of cursus-lint\n")


NEW_STEP_FILES = ["steps/scripts/feature_selection.py", "steps/contracts/feature_selection_contract.py",
                  "steps/specs/feature_selection_spec.py", "steps/builders/builder_feature_selection_step.py",
                  "steps/configs/config_feature_selection_step.py", "registry/step_names.py"]


def test_new_step_preview_lists_the_files_and_the_resolvers_wiring(example):
    calls = example["calls"]
    preview = calls["new_step_preview"].structured_content
    assert (preview["step"], preview["layout"]) == ("FeatureSelection", "classic")
    assert [(f["path"], f["is_edit"]) for f in preview["files"]] == [
        (p, p == "registry/step_names.py") for p in NEW_STEP_FILES]
    [wire] = preview["wiring"]
    assert (wire["dependency"], wire["upstream_step"], wire["upstream_output"], wire["score"]) == (
        "processed_data", "CurrencyConversion", "processed_data", 1.0)
    assert preview["diff"].startswith("--- /dev/null\n+++ b/steps/scripts/feature_selection.py\n")
    assert not (EXAMPLE / "steps/scripts/feature_selection.py").exists()  # a preview writes nothing
    assert error_text(calls["new_step_bad_type"]) == (
        "Error executing tool new_step_preview: unknown SageMaker step type 'Lambda'; "
        "expected one of Processing, Training, CreateModel, Transform")
    assert "Unknown tool" in error_text(calls["new_step_absent"])  # no write tool without --allow-write


def test_new_step_writes_an_aligned_step_only_with_allow_write(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    out = run_session(root, {
        "write": ("new_step", {"name": "FeatureSelection", "sagemaker_type": "Processing",
                               "after": ["CurrencyConversion"]}),
        "again": ("new_step", {"name": "FeatureSelection", "sagemaker_type": "Processing"}),
        "check": ("check", {"step": "FeatureSelection"}),
    }, "--allow-write")
    written = out["calls"]["write"].structured_content
    assert written["written"] == sorted(NEW_STEP_FILES)
    assert all((root / p).is_file() for p in NEW_STEP_FILES)
    assert error_text(out["calls"]["again"]).startswith("Error executing tool new_step: ")
    check = out["calls"]["check"].structured_content
    assert check["diagnostics"] == [] and check["summary"]["steps"] == 1

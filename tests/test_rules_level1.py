"""Level-1 rules (script <-> contract, CL101-CL110 besides CL103): exact findings and the cases
where they must stay silent (dynamic names, fallbacks, platform paths, builder-passed args)."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.engine import CheckResult
from cursus_lint.rules._examples import BASE, edit, line_of, repo
from cursus_lint.rules._script_contract import env_path, is_platform_path, related_paths

from .repo_helpers import lint_repo

SCRIPT = "steps/scripts/clean.py"
CONTRACT = "steps/contracts/clean_contract.py"
MINE = ["CL101", "CL102", "CL104", "CL105", "CL106", "CL107", "CL108", "CL109", "CL110"]


def run(tmp_path: Path, files: dict[str, str], select: list[str] | None = None) -> CheckResult:
    return lint_repo(tmp_path, files, select or MINE)


def found(tmp_path: Path, files: dict[str, str], select: list[str] | None = None) -> list[tuple[str, str, int, str]]:
    return [(d.code, d.location.path.relative_to(tmp_path).as_posix(), d.location.line, d.message)
            for d in run(tmp_path, files, select).diagnostics]


def script(main_body: str, guard: str | None = None, header: str = "") -> str:
    """A clean.py whose main reads everything the base contract declares, plus ``main_body``."""
    guard = guard if guard is not None else BASE["script"].split('if __name__ == "__main__":\n', 1)[1]
    return (
        "import argparse\nimport os\nimport sys\n"
        + header
        + 'INPUT_DIR = "/opt/ml/processing/input/data"\nOUTPUT_DIR = "/opt/ml/processing/output/clean"\n\n\n'
        "def main(input_paths, output_paths, environ_vars, job_args):\n"
        '    label = environ_vars["LABEL_FIELD"]\n'
        '    sep = environ_vars.get("SEPARATOR", ",")\n'
        '    src = input_paths["raw_data"]\n'
        '    dst = output_paths["clean_data"]\n'
        + main_body
        + "    return label, sep, src, dst, job_args.job_type\n\n\n"
        'if __name__ == "__main__":\n' + guard
    )


def contract(**kw: str) -> str:
    fields = {
        "entry_point": '"clean.py"',
        "expected_input_paths": '{"raw_data": "/opt/ml/processing/input/data"}',
        "expected_output_paths": '{"clean_data": "/opt/ml/processing/output/clean"}',
        "expected_arguments": '{"job_type": "training"}',
        "required_env_vars": '["LABEL_FIELD"]',
        "optional_env_vars": '{"SEPARATOR": ","}',
    }
    fields.update(kw)
    body = "".join(f"    {k}={v},\n" for k, v in fields.items())
    return f"from cursus_core.base import ScriptContract\n\nCLEAN_CONTRACT = ScriptContract(\n{body})\n"


def test_the_helper_script_and_contract_are_aligned(tmp_path: Path) -> None:
    assert found(tmp_path, repo(script=script(""), contract=contract())) == []


# ----------------------------------------------------------------------------- CL101


def test_cl101_message_and_the_scripts_dir_as_related(tmp_path: Path) -> None:
    text = contract(entry_point='"clean_data.py"')
    result = run(tmp_path, repo(contract=text), ["CL101"])
    (d,) = result.diagnostics
    assert (d.location.path.relative_to(tmp_path).as_posix(), d.location.line, d.location.column) == (
        CONTRACT, line_of(text, "entry_point"), 17)
    assert d.message == ("contract 'CLEAN_CONTRACT' entry_point 'clean_data.py' names no existing script "
                         "'clean_data.py' (the step's script is 'clean.py')")
    assert [(r.location.path.relative_to(tmp_path).as_posix(), r.message) for r in d.related] == [
        (SCRIPT, "script 'clean.py' the catalog gave to this step"),
        ("steps/scripts", "no 'clean_data.py' in this scripts directory"),
    ]


def test_cl101_silent_for_non_literal_and_non_python_entry_points(tmp_path: Path) -> None:
    files = repo(contract=contract(entry_point="ENTRY"), drop=("script",))
    files["steps/contracts/clean_contract.py"] = files[CONTRACT].replace(
        "CLEAN_CONTRACT =", "ENTRY = compute()\nCLEAN_CONTRACT =")
    result = run(tmp_path, files, ["CL101"])
    assert result.diagnostics == [] and result.unknown["non-literal-entry-point"] == 1
    result = run(tmp_path / "sh", repo(contract=contract(entry_point='"run.sh"')), ["CL101"])
    assert result.diagnostics == [] and result.unknown["non-python-entry-point"] == 1


def test_cl101_finds_a_script_the_catalog_did_not_give_to_the_step(tmp_path: Path) -> None:
    # entry_point names a script that exists, while the step also owns another one by name
    files = repo(contract=contract(entry_point='"clean_v2.py"'), extra={"steps/scripts/clean_v2.py": "x = 1\n"})
    assert found(tmp_path, files, ["CL101"]) == []


# ----------------------------------------------------------------------------- CL102


def test_cl102_below_above_and_platform_paths_are_fine(tmp_path: Path) -> None:
    body = ('    a = os.path.join(INPUT_DIR, "part-0.csv")\n'
            '    b = os.listdir("/opt/ml/processing/input")\n'
            '    c = "/opt/ml/code/requirements.txt"\n'
            '    d = f"/opt/ml/processing/output/{job_args.job_type}"\n')
    assert found(tmp_path, repo(script=script(body)), ["CL102"]) == []


def test_cl102_reports_each_undeclared_location_once(tmp_path: Path) -> None:
    body = ('    stats = os.path.join("/opt/ml/processing/stats")\n'
            '    more = open(os.path.join(stats, "b.json"))\n'
            '    other = open("/opt/ml/processing/statistics/c.json")\n'
            '    hp = open("/opt/ml/input/config/hyperparameters.json")\n')
    text = script(body)
    msg = ("script uses container path '{}' that contract 'CLEAN_CONTRACT' does not declare "
           "(it is not at, below or above any expected input or output path)")
    assert found(tmp_path, repo(script=text), ["CL102"]) == [
        ("CL102", SCRIPT, line_of(text, "stats ="), msg.format("/opt/ml/processing/stats")),
        ("CL102", SCRIPT, line_of(text, "other ="), msg.format("/opt/ml/processing/statistics/c.json")),
        ("CL102", SCRIPT, line_of(text, "hp ="), msg.format("/opt/ml/input/config/hyperparameters.json")),
    ]


def test_cl102_incomplete_path_is_judged_by_its_known_prefix(tmp_path: Path) -> None:
    body = '    ok = "/opt/ml/processing/output/cl" + job_args.job_type\n' \
           '    bad = f"/opt/ml/processing/tmp/{job_args.job_type}"\n'
    text = script(body)
    assert found(tmp_path, repo(script=text), ["CL102"]) == [
        ("CL102", SCRIPT, line_of(text, "bad ="),
         "script uses container path '/opt/ml/processing/tmp' (plus a run-time part) that contract "
         "'CLEAN_CONTRACT' does not declare (it is not at, below or above any expected input or output path)"),
    ]


def test_cl102_silent_when_contract_paths_are_not_literal(tmp_path: Path) -> None:
    text = contract(expected_output_paths="make_outputs()")
    result = run(tmp_path, repo(contract=text, script=script('    x = "/opt/ml/processing/zzz"\n')), ["CL102"])
    assert result.diagnostics == [] and result.unknown["non-literal-contract-paths"] == 1


def test_path_relations() -> None:
    assert related_paths("/opt/ml/a/b", True, "/opt/ml/a")
    assert related_paths("/opt/ml/a", True, "/opt/ml/a/b/")
    assert not related_paths("/opt/ml/ab", True, "/opt/ml/a")
    assert related_paths("/opt/ml/a/da", False, "/opt/ml/a/data")
    assert not related_paths("/opt/ml/a/da", True, "/opt/ml/a/data")
    assert is_platform_path("/opt/ml/input/config/resourceconfig.json")
    assert not is_platform_path("/opt/ml/input/config/hyperparameters.json")
    assert env_path("SM_CHANNEL_TRAIN") == "/opt/ml/input/data/train"
    assert env_path("SM_CHANNEL_") is None


# ----------------------------------------------------------------------------- CL104


def test_cl104_message(tmp_path: Path) -> None:
    text = contract(expected_input_paths='{"raw_data": "/opt/ml/processing/input/data", '
                                         '"lookup": "/opt/ml/processing/input/lookup"}')
    assert found(tmp_path, repo(contract=text, script=script("")), ["CL104"]) == [
        ("CL104", CONTRACT, line_of(text, "lookup"),
         "contract 'CLEAN_CONTRACT' declares input 'lookup' ('/opt/ml/processing/input/lookup') but script "
         "'clean.py' never uses it (no input_paths['lookup'] and no path at, below or above it)"),
    ]


def test_cl104_uses_by_key_by_path_and_by_sagemaker_env(tmp_path: Path) -> None:
    text = contract(
        expected_input_paths='{"raw_data": "/opt/ml/processing/input/data", "lookup": "/opt/ml/processing/input/lk", '
                             '"train": "/opt/ml/input/data/train"}',
        expected_output_paths='{"clean_data": "/opt/ml/processing/output/clean", "model": "/opt/ml/model"}',
        optional_env_vars='{"SEPARATOR": ",", "SM_MODEL_DIR": "/opt/ml/model", "SM_CHANNEL_TRAIN": "x"}')
    body = ('    lk = "lookup" in input_paths\n'
            '    m = os.environ.get("SM_MODEL_DIR")\n'
            '    t = os.environ["SM_CHANNEL_TRAIN"]\n')
    assert found(tmp_path, repo(contract=text, script=script(body)), ["CL104"]) == []


def test_cl104_silent_when_the_dict_escapes_or_names_are_dynamic(tmp_path: Path) -> None:
    text = contract(expected_input_paths='{"raw_data": "/opt/ml/processing/input/data", '
                                         '"lookup": "/opt/ml/processing/input/lookup"}')
    helper = "def load_all(paths):\n    return {k: v for k, v in paths.items()}\n\n\n"
    result = run(tmp_path, repo(contract=text, script=script("    everything = load_all(input_paths)\n",
                                                              header=helper)), ["CL104"])
    assert result.diagnostics == [] and result.unknown["unused-path-dynamic-use"] == 1
    result = run(tmp_path / "dyn", repo(contract=text, script=script(
        "    extra = input_paths[environ_vars.get('SEPARATOR')]\n")), ["CL104"])
    assert result.diagnostics == [] and result.unknown["unused-path-dynamic-use"] == 1


# ----------------------------------------------------------------------------- CL105


def test_cl105_message_suggests_the_closest_name(tmp_path: Path) -> None:
    text = script('    x = input_paths["raw-data"]\n')
    assert found(tmp_path, repo(script=text), ["CL105"]) == [
        ("CL105", SCRIPT, line_of(text, '"raw-data"'),
         "script uses input logical name 'raw-data' (input_paths[...]) that contract 'CLEAN_CONTRACT' does not "
         "declare (declared inputs: 'raw_data'); did you mean 'raw_data'?"),
    ]


def test_cl105_fallback_chains(tmp_path: Path) -> None:
    body = ('    a = input_paths.get("raw_data", input_paths.get("legacy_dir"))\n'
            '    b = output_paths.get("report", output_paths.get("report_dir", "/opt/ml/processing/output/clean"))\n')
    text = script(body)
    assert [(c, line, m.split(" (")[0]) for c, _, line, m in found(tmp_path, repo(script=text), ["CL105"])] == [
        ("CL105", line_of(text, "b = "), "script uses output logical name 'report'"),
    ]


def test_cl105_keys_of_main_dicts_and_kinds_are_separate(tmp_path: Path) -> None:
    guard = edit("script", '{"clean_data": OUTPUT_DIR}', '{"clean_data": OUTPUT_DIR, "raw_data": INPUT_DIR}')
    guard = guard.split('if __name__ == "__main__":\n', 1)[1]
    text = script("", guard=guard)
    assert [(c, line, m.split(" (")[0]) for c, _, line, m in found(tmp_path, repo(script=text), ["CL105"])] == [
        ("CL105", line_of(text, '"clean_data": OUTPUT_DIR, "raw_data"'), "script uses output logical name 'raw_data'"),
    ]


# ----------------------------------------------------------------------------- CL106 / CL107


def test_cl106_and_cl107_messages(tmp_path: Path) -> None:
    text = contract(required_env_vars='["LABEL_FIELD", "ID_FIELD"]',
                    optional_env_vars='{"SEPARATOR": ",", "ENC": "u"}')
    sc = script("")
    result = run(tmp_path, repo(contract=text, script=sc), ["CL106", "CL107"])
    got = [(d.code, d.location.line, d.severity.value, d.message, d.related[0].location.line)
           for d in result.diagnostics]
    assert got == [
        ("CL106", line_of(text, "ID_FIELD"), "error",
         "contract 'CLEAN_CONTRACT' requires env var 'ID_FIELD' but script 'clean.py' never reads it",
         line_of(sc, '"LABEL_FIELD"]')),
        ("CL107", line_of(text, "ENC"), "warning",
         "contract 'CLEAN_CONTRACT' declares optional env var 'ENC' but script 'clean.py' never reads it",
         line_of(sc, '"LABEL_FIELD"]')),
    ]


def test_cl106_reads_through_helpers_and_library_variables(tmp_path: Path) -> None:
    text = contract(required_env_vars='["LABEL_FIELD", "ID_FIELD", "AWS_DEFAULT_REGION"]',
                    optional_env_vars='{"SEPARATOR": ",", "OMP_NUM_THREADS": "1"}')
    helper = "def env(name, default=None):\n    return os.environ.get(name, default)\n\n\n"
    assert found(tmp_path, repo(contract=text, script=script('    i = env("ID_FIELD")\n', header=helper)),
                 ["CL106", "CL107"]) == []


def test_cl106_silent_on_dynamic_env_names_and_whole_environment(tmp_path: Path) -> None:
    text = contract(required_env_vars='["LABEL_FIELD", "ID_FIELD"]')
    for i, body in enumerate(('    v = os.environ[label.upper()]\n',
                              '    cfg = {k: v for k, v in environ_vars.items()}\n')):
        result = run(tmp_path / str(i), repo(contract=text, script=script(body)), ["CL106"])
        assert result.diagnostics == [] and result.unknown["unread-env-var-dynamic-read"] == 1


# ----------------------------------------------------------------------------- CL108 / CL109


def test_cl108_dashes_dest_and_builder_passed_arguments(tmp_path: Path) -> None:
    guard = BASE["script"].split('if __name__ == "__main__":\n', 1)[1].replace(
        '    parser.add_argument("--job_type", required=True)\n',
        '    parser.add_argument("--job-type", required=True)\n'
        '    parser.add_argument("--rate", dest="sample_rate")\n'
        '    parser.add_argument("--verbose", action="store_true")\n'
        '    parser.add_argument("--mode")\n')
    text = script("", guard=guard)
    con = contract(expected_arguments='{"job_type": "training", "sample-rate": "1"}')
    builder = edit("builder", 'return ["--job_type", self.config.job_type]',
                   'return ["--job_type", self.config.job_type, "--mode", "fast"]')
    assert found(tmp_path, repo(script=text, contract=con, builder=builder), ["CL108"]) == [
        ("CL108", SCRIPT, line_of(text, "--verbose"),
         "script defines argument '--verbose' that contract 'CLEAN_CONTRACT' does not declare in "
         "expected_arguments (declared: 'job_type', 'sample-rate')"),
    ]


def test_cl109_without_argparse(tmp_path: Path) -> None:
    guard = "    main({}, {}, {}, None)\n"
    text = script("", guard=guard)
    assert found(tmp_path, repo(script=text), ["CL109"]) == [
        ("CL109", CONTRACT, line_of(BASE["contract"], "expected_arguments"),
         "contract 'CLEAN_CONTRACT' expects argument 'job_type' but script 'clean.py' parses no command-line "
         "arguments"),
    ]


def test_cl109_silent_for_hand_parsed_argv_and_other_cli_libraries(tmp_path: Path) -> None:
    argv = script("", guard="    main({}, {}, {}, sys.argv[1:])\n")
    result = run(tmp_path, repo(script=argv), ["CL109"])
    assert result.diagnostics == [] and result.unknown["unparsed-argument-other-parser"] == 1
    clicked = script("", guard="    main({}, {}, {}, None)\n", header="import click\n")
    assert found(tmp_path / "click", repo(script=clicked), ["CL109"]) == []


def test_cl109_dashes_and_underscores_alike(tmp_path: Path) -> None:
    con = contract(expected_arguments='{"job-type": "training", "max_rows": "10"}')
    text = script("")
    assert [(c, line) for c, _, line, _ in found(tmp_path, repo(contract=con, script=text), ["CL109"])] == [
        ("CL109", line_of(con, "expected_arguments")),
    ]


# ----------------------------------------------------------------------------- CL110


def test_cl110_missing_parameter_message(tmp_path: Path) -> None:
    text = BASE["script"].replace("def main(input_paths, output_paths, environ_vars, job_args):",
                                  "def main(input_paths, output_paths, environ_vars):").replace(
        "        args,\n    )", "    )")
    text = text.replace("job_args.job_type", "environ_vars['SEPARATOR']")
    assert found(tmp_path, repo(script=text), ["CL110"]) == [
        ("CL110", SCRIPT, line_of(text, "def main"),
         "main(input_paths, output_paths, environ_vars) does not follow main(input_paths, output_paths, "
         "environ_vars, job_args): it lacks job_args; callers cannot hand it the paths, env vars and arguments of "
         "contract 'CLEAN_CONTRACT' by position"),
    ]


def test_cl110_silent_for_a_main_outside_the_convention(tmp_path: Path) -> None:
    text = ("import argparse\nimport os\n\n\ndef main(args):\n"
            '    return os.environ["LABEL_FIELD"], os.environ.get("SEPARATOR"), args.job_type,'
            ' "/opt/ml/processing/input/data", "/opt/ml/processing/output/clean"\n\n\n'
            'if __name__ == "__main__":\n    parser = argparse.ArgumentParser()\n'
            '    parser.add_argument("--job_type")\n    main(parser.parse_args())\n')
    assert found(tmp_path, repo(script=text)) == []

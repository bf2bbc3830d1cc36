"""The three-way env check (issue 12) and the interface L4 checks (issue 10), on shapes written for
these tests after the cases found in public cursus: a config's own env collector that bypasses a
config field, one that emits a variable nobody declares, a property that returns a cached dict,
SDK-run steps, the platform's region variable, and template routes."""

from __future__ import annotations

import ast
from pathlib import Path

from cursus_core.facts import EnvCollector
from cursus_core.facts._index import TreeIndex
from cursus_core.facts.env_collector import env_collector
from cursus_core.source import parse_decoded
from cursus_lint.rules._examples import (
    CLEAN_INTERFACE,
    CONFIG,
    INTERFACE_CONFIG,
    PATHS,
    edit,
    interface_edit,
    interface_repo,
    line_of,
    repo,
)

from .repo_helpers import findings, lint_repo

YAML = "steps/interfaces/clean.step.yaml"
ICONFIG = "steps/configs/config_clean_step.py"


def _collector(source: str, member: str = "get_environment_variables") -> EnvCollector:
    idx = TreeIndex(parse_decoded(Path("config.py"), source))
    cls = next(n for n in idx.tree.body if isinstance(n, ast.ClassDef))
    functions = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
    return env_collector(idx, functions[member], functions)


# ----------------------------------------------------------------------------- collector facts

def test_collector_follows_the_returned_dict_through_items_update_and_a_cached_attribute() -> None:
    c = _collector('''
class C:
    def get_environment_variables(self):
        if self._env is None:
            env = {"A": "1"}
            env["B"] = self.b
            env.update({"C": json.dumps({"not_env": 1})})
            self._env = env
        return self._env
''')
    assert [e.name for e in c.names] == ["A", "B", "C"]
    assert c.complete and c.super_call is None and not c.takes_names


def test_collector_follows_a_property_it_returns_and_a_bare_super_call() -> None:
    c = _collector('''
class C:
    @property
    def bedrock_env(self):
        return {"MODEL_ID": self.model_id}

    def get_environment_variables(self):
        env = super().get_environment_variables() if hasattr(super(), "get_environment_variables") else {}
        env.update(self.bedrock_env)
        return env
''')
    assert [e.name for e in c.names] == ["MODEL_ID"]
    assert c.complete and c.super_call == "bare"


def test_collector_with_computed_keys_or_an_attribute_set_elsewhere_is_incomplete() -> None:
    looped = _collector('''
class C:
    def get_environment_variables(self, names=None):
        env = {"A": "1"}
        for name in names:
            env[name] = getattr(self, name.lower())
        return env
''')
    assert [e.name for e in looped.names] == ["A"] and not looped.complete and looped.takes_names
    elsewhere = _collector('''
class C:
    def get_environment_variables(self):
        return self._built_in_init
''')
    assert elsewhere.names == () and not elsewhere.complete


# ----------------------------------------------------------------------------- CL402 / CL407 / CL403, interface

# The bespoke collector returns its full dict and ignores the preprocessor path field: the field's
# value never reaches the script, which always gets the interface default (TSA preprocessing shape).
PATH_IFACE = interface_edit("clean", '      SEPARATOR: ","\n',
                            '      SEPARATOR: ","\n      MODEL_PATH: /opt/ml/processing/input/model/model.pkl\n')
PATH_CONFIG = INTERFACE_CONFIG.replace('    separator: str = ","\n',
                                       '    separator: str = ","\n    model_path: str | None = None\n')


def test_a_bespoke_collector_that_ignores_a_config_field_is_cl407_at_the_yaml_key(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, interface_repo(clean=PATH_IFACE, config=PATH_CONFIG), ["CL407", "CL402", "CL403"])
    assert findings(result, tmp_path) == [(
        YAML, line_of(PATH_IFACE, "MODEL_PATH:"), "CL407",
        "CleanConfig has a value for optional env var 'MODEL_PATH' ('model_path'), but its env collector "
        "CleanConfig.get_environment_variables never emits it: the script always gets the interface default")]


def test_without_an_own_collector_the_field_is_resolved_by_name(tmp_path: Path) -> None:
    config = PATH_CONFIG.replace("    def get_environment_variables(self):\n", "    def _env_overrides(self):\n")
    result = lint_repo(tmp_path, interface_repo(clean=PATH_IFACE, config=config), ["CL407", "CL402", "CL403"])
    assert findings(result, tmp_path) == []


def test_a_collector_emitting_a_dead_variable_is_cl403_unless_the_script_reads_it(tmp_path: Path) -> None:
    config = INTERFACE_CONFIG.replace('"SEPARATOR": self.separator}',
                                      '"SEPARATOR": self.separator, "EVAL_METRICS": "auc"}')
    result = lint_repo(tmp_path / "dead", interface_repo(config=config), ["CL403", "CL103"])
    assert findings(result, tmp_path / "dead") == [(
        ICONFIG, line_of(config, '"EVAL_METRICS"'), "CL403",
        "CleanConfig.get_environment_variables (the config's env collector) emits env var 'EVAL_METRICS' that "
        "the interface of 'Clean' does not declare")]
    script = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                  '    sep = environ_vars.get("SEPARATOR", ",")\n    metrics = os.environ.get("EVAL_METRICS", "auc")\n')
    result = lint_repo(tmp_path / "read", interface_repo(config=config, script=script), ["CL403", "CL103"])
    assert [(p, c) for p, _, c, _ in findings(result, tmp_path / "read")] == [("steps/scripts/clean.py", "CL103")]


def test_a_required_variable_with_no_source_in_the_config_is_cl402_at_the_yaml(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, interface_repo(config=CONFIG), ["CL402"])
    assert findings(result, tmp_path) == [(
        YAML, line_of(CLEAN_INTERFACE, "required: [LABEL_FIELD]"), "CL402",
        "the interface requires env var 'LABEL_FIELD' but the template builder never sets it: CleanConfig has no "
        "attribute 'label_field' and no env collector or _env_overrides entry supplies it")]


# ----------------------------------------------------------------------------- classic

def _registry_type(step_type: str) -> str:
    return edit("registry", '"sagemaker_step_type": "Processing",\n        "description": "Cleans',
                f'"sagemaker_step_type": "{step_type}",\n        "description": "Cleans')


NO_OVERRIDE = edit("builder", '''    def _get_environment_variables(self):
        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        return env_vars

''', "")


def test_an_sdk_run_step_leaves_its_env_to_the_sdk(tmp_path: Path) -> None:
    """A registration step's contract requires a variable its SDK step supplies (the MIMS shape)."""
    result = lint_repo(tmp_path, repo(builder=NO_OVERRIDE, registry=_registry_type("MimsModelRegistrationProcessing")),
                       ["CL402"])
    assert findings(result, tmp_path) == []
    assert result.unknown["env-of-sdk-step"] == 1


def test_a_builder_that_drops_an_optional_config_value_is_cl407(tmp_path: Path) -> None:
    builder = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n', "")
    result = lint_repo(tmp_path, repo(builder=builder), ["CL407"])
    assert findings(result, tmp_path) == [(
        PATHS["builder"], line_of(builder, "def _get_environment_variables"), "CL407",
        "CleanConfig has a value for optional env var 'SEPARATOR' ('separator'), but "
        "CleanStepBuilder._get_environment_variables never sets it: the script always gets the default")]


# ----------------------------------------------------------------------------- CL103: the platform's region

def test_the_region_sagemaker_sets_is_not_an_undeclared_read(tmp_path: Path) -> None:
    script = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                  '    sep = environ_vars.get("SEPARATOR", ",")\n'
                  '    region = environ_vars.get("AWS_DEFAULT_REGION", "us-east-1")\n').replace(
        '"SEPARATOR": os.environ.get("SEPARATOR", ",")}',
        '"SEPARATOR": os.environ.get("SEPARATOR", ","),\n'
        '         "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}')
    result = lint_repo(tmp_path, repo(script=script), ["CL103"])
    assert findings(result, tmp_path) == []
    assert result.unknown["env-read-platform-provided"] == 2  # the read in main and the one in __main__


# ----------------------------------------------------------------------------- routes and config class

def test_a_tuning_step_of_a_byo_container_is_a_route_cursus_builds(tmp_path: Path) -> None:
    clean = interface_edit("clean", "  sagemaker_step_type: Processing\n", "  sagemaker_step_type: Tuning\n").replace(
        "  kind: sklearn\n", "  kind: byo_container\n  image_uri_field: processing_framework_version\n")
    result = lint_repo(tmp_path, interface_repo(clean=clean), ["CL408", "CL409"])
    assert findings(result, tmp_path) == []


def test_a_training_interface_with_a_processing_kind_is_cl408(tmp_path: Path) -> None:
    clean = interface_edit("clean", "  sagemaker_step_type: Processing\n", "  sagemaker_step_type: Training\n")
    result = lint_repo(tmp_path, interface_repo(clean=clean), ["CL408"])
    assert findings(result, tmp_path) == [(
        YAML, line_of(clean, "kind: sklearn"), "CL408",
        "no template builds route Training x code x sklearn: a Training step takes compute.kind estimator, "
        "byo_container")]


def test_an_estimator_without_entry_point_source_is_cl409(tmp_path: Path) -> None:
    """The config's base has framework_version, but nothing names the training script."""
    clean = interface_edit("clean", "  sagemaker_step_type: Processing\n", "  sagemaker_step_type: Training\n").replace(
        "  kind: sklearn\n", "  kind: estimator\n")
    result = lint_repo(tmp_path, interface_repo(clean=clean), ["CL409"])
    assert findings(result, tmp_path) == [(
        YAML, line_of(clean, "kind: estimator"), "CL409",
        "compute.kind 'estimator' of a Training step needs an entry point, but the interface writes no "
        "compute.entry_point_field; CleanConfig has no 'training_entry_point'")]


def test_an_interface_whose_config_class_is_missing_is_cl601(tmp_path: Path) -> None:
    result = lint_repo(tmp_path, interface_repo(drop=("config",)), ["CL601"])
    assert findings(result, tmp_path) == [(
        YAML, line_of(CLEAN_INTERFACE, "step_type: Clean"), "CL601",
        "interface of 'Clean' needs config class 'CleanConfig' (registry.config_class, by default "
        "'<step_type>Config'), but no file of the repo defines it")]


# ----------------------------------------------------------------------------- CL113: __main__ completeness

def _main_env(source: str) -> tuple[list[str], bool, bool]:
    from cursus_core.facts.script import extract_script

    facts = extract_script(parse_decoded(Path("script.py"), source)).main_env
    assert facts is not None
    return [k.name for k in facts.keys], facts.complete, facts.everything


_MAIN = ("import os\n\nNAMES = ('A', 'B')\nC_NAME = 'C'\n\n\n"
         "def main(input_paths, output_paths, environ_vars, job_args):\n"
         "    return environ_vars.get('A')\n\n\nif __name__ == '__main__':\n")


def test_main_env_keys_from_loops_comprehensions_and_updates() -> None:
    assert _main_env(_MAIN + "    env = {}\n    for n in [C_NAME, 'D']:\n        if n in os.environ:\n"
                     "            env[n] = os.environ[n]\n    env.update(E=os.environ.get('E'))\n"
                     "    main({}, {}, env, None)\n") == (["C", "D", "E"], True, False)
    comprehension = _MAIN + "    main({}, {}, {n: os.environ.get(n) for n in NAMES}, None)\n"
    assert _main_env(comprehension) == (["A", "B"], True, False)
    assert _main_env(_MAIN + "    main({}, {}, environ_vars=dict(os.environ), input_paths={}, output_paths={},"
                     " job_args=None)\n") == ([], True, True)


def test_main_env_filtered_from_the_environment_is_incomplete() -> None:
    """The payload shape: named variables plus every SPECIAL_FIELD_* one (names not knowable)."""
    keys, complete, everything = _main_env(
        _MAIN + "    env = {}\n    for n in NAMES:\n        env[n] = os.environ.get(n)\n"
        "    for k, v in os.environ.items():\n        if k.startswith('SPECIAL_'):\n            env[k] = v\n"
        "    main({}, {}, env, None)\n")
    assert (keys, complete, everything) == (["A", "B"], False, False)


def test_a_helper_reading_a_key_the_main_block_drops_is_cl113(tmp_path: Path) -> None:
    """The Bedrock shape: a helper main() hands environ_vars to reads a prompt key never copied."""
    script = edit("script", "    return label, sep, src, dst\n",
                  "    return label, sep, src, dst, load_prompt(environ_vars)\n") + \
        '\n\ndef load_prompt(environ_vars):\n    return environ_vars.get("PROMPT_TEMPLATE", "")\n'
    contract = edit("contract", 'optional_env_vars={"SEPARATOR": ","},',
                    'optional_env_vars={"SEPARATOR": ",", "PROMPT_TEMPLATE": ""},')
    result = lint_repo(tmp_path, repo(script=script, contract=contract), ["CL113"])
    assert findings(result, tmp_path) == [(
        PATHS["script"], line_of(script, '"PROMPT_TEMPLATE"'), "CL113",
        "main() reads environ_vars key 'PROMPT_TEMPLATE' but the __main__ block never puts it into the environ_vars "
        "it passes: the value set for the container never reaches main()")]

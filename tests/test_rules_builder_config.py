"""CL401-CL406 (builder <-> configuration): exact messages, related locations and edge cases
the rule examples do not cover (inheritance, guards, dashes, outside bases, unknown counts)."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.engine import CheckResult
from cursus_lint.facts.model import ConfigFacts, FieldFacts, Span
from cursus_lint.model import ProjectModel
from cursus_lint.rules._examples import BASE, PATHS, edit, line_of, repo

from .repo_helpers import findings, lint_repo

BUILDER = PATHS["builder"]
CONFIG = PATHS["config"]
CONTRACT = PATHS["contract"]


def lint(root: Path, files: dict[str, str], *codes: str) -> CheckResult:
    return lint_repo(root, files, list(codes))


found = findings


def related(result: CheckResult, root: Path) -> list[list[tuple[str, int, str]]]:
    return [[(r.location.path.relative_to(root).as_posix(), r.location.line, r.message) for r in d.related]
            for d in result.diagnostics]


# ----------------------------------------------------------------------------- CL401


def test_cl401_renamed_field_message_suggestion_and_related(tmp_path: Path) -> None:
    config = edit("config", "    separator: str = \",\"", "    field_separator: str = \",\"")
    result = lint(tmp_path, repo(config=config), "CL401")
    line = line_of(BASE["builder"], "self.config.separator")
    assert found(result, tmp_path) == [(BUILDER, line, "CL401",
                                        "builder reads 'self.config.separator' but CleanConfig (and its base "
                                        "ProcessingStepConfigBase) defines no such field, property or method; "
                                        "did you mean 'field_separator'?")]
    assert related(result, tmp_path) == [[(CONFIG, line_of(config, "class CleanConfig"), "CleanConfig defined here")]]
    assert result.diagnostics[0].step == "Clean"


def test_cl401_walks_repo_local_bases_across_files(tmp_path: Path) -> None:
    base = ('from cursus_core.base import ProcessingStepConfigBase\n\n\n'
            'class CleanBase(ProcessingStepConfigBase):\n    separator: str = ","\n\n'
            '    @property\n    def effective_separator(self) -> str:\n        return self.separator\n')
    config = edit("config", "class CleanConfig(ProcessingStepConfigBase):", "class CleanConfig(CleanBase):") \
        .replace('    separator: str = ","\n', "") \
        .replace("from cursus_core.base import ProcessingStepConfigBase", "from .config_clean_base import CleanBase")
    builder = edit("builder", "self.config.separator", "self.config.effective_separator") \
        .replace("code=self.config.script_path", "code=self.config.script_uri")
    result = lint(tmp_path, repo(config=config, builder=builder, extra={"steps/configs/config_clean_base.py": base}),
                  "CL401")
    assert found(result, tmp_path) == [(BUILDER, line_of(builder, "self.config.script_uri"), "CL401",
                                        "builder reads 'self.config.script_uri' but CleanConfig (and its bases "
                                        "CleanBase, ProcessingStepConfigBase) defines no such field, property or "
                                        "method; did you mean 'script_path'?")]


def test_cl401_is_silent_and_counts_when_a_base_is_outside_the_repo(tmp_path: Path) -> None:
    config = edit("config", "class CleanConfig(ProcessingStepConfigBase):", "class CleanConfig(TeamProcessingBase):") \
        .replace("from cursus_core.base import ProcessingStepConfigBase",
                 "from team_lib.configs import TeamProcessingBase")
    builder = edit("builder", "self.config.separator", "self.config.team_separator")
    result = lint(tmp_path, repo(config=config, builder=builder), "CL401")
    assert found(result, tmp_path) == []
    assert result.unknown["config-base-outside-repo"] == 1


def test_cl401_guarded_reads_are_not_findings_but_bare_getattr_is(tmp_path: Path) -> None:
    body = '''    def _get_environment_variables(self):
        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        if hasattr(self.config, "null_token"):
            env_vars["NULL"] = self.config.null_token
        if not hasattr(self.config, "encoding"):
            raise ValueError("encoding missing")
        env_vars["ENC"] = self.config.encoding
        env_vars["X"] = getattr(self.config, "extra_flag", "0")
        env_vars["Y"] = self.config.quote if hasattr(self.config, "quote") else '"'
        env_vars["Z"] = getattr(self.config, "zone")
        return env_vars
'''
    builder = edit("builder", '''    def _get_environment_variables(self):
        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        return env_vars
''', body)
    result = lint(tmp_path, repo(builder=builder), "CL401")
    assert [(p, line, code) for p, line, code, _ in found(result, tmp_path)] == [
        (BUILDER, line_of(builder, 'getattr(self.config, "zone")'), "CL401")]


def test_cl401_accepts_properties_methods_private_attrs_and_aliases(tmp_path: Path) -> None:
    config = BASE["config"] + '''    _cache: dict = PrivateAttr(default_factory=dict)

    @property
    def label_env(self) -> str:
        return self.label_name

    def columns(self) -> list:
        return [self.label_name]
'''
    config = config.replace("from pydantic import Field", "from pydantic import Field, PrivateAttr")
    builder = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                   '        env_vars["SEPARATOR"] = self.config.separator\n'
                   '        cfg = self.config\n'
                   '        env_vars["L"] = cfg.label_env + ",".join(cfg.columns()) + str(cfg._cache)\n'
                   '        env_vars["M"] = cfg.labl_env\n')
    result = lint(tmp_path, repo(config=config, builder=builder), "CL401")
    assert found(result, tmp_path) == [(BUILDER, line_of(builder, "cfg.labl_env"), "CL401",
                                        "builder reads 'self.config.labl_env' but CleanConfig (and its base "
                                        "ProcessingStepConfigBase) defines no such field, property or method; "
                                        "did you mean 'label_env'?")]


def _cfg(name: str, bases: tuple[str, ...], *fields: str) -> ConfigFacts:
    span = Span(1, 1, 1, 2)
    return ConfigFacts(name, bases, span, span, fields={f: FieldFacts(f, "str", span, True, False) for f in fields})


def test_same_named_config_classes_resolve_to_the_nearest_definition() -> None:
    alpha = Path("/r/ws/alpha/steps/configs/config_fs_step.py")
    beta = Path("/r/ws/beta/steps/configs/config_fs_step.py")
    project = ProjectModel(None, {}, [], None, {  # type: ignore[arg-type]
        "FsConfig": [(alpha, _cfg("FsConfig", ("ProcessingStepConfigBase",), "top_k")),
                     (beta, _cfg("FsConfig", ("ProcessingStepConfigBase",), "min_variance"))]})
    near_beta = Path("/r/ws/beta/steps/builders/builder_fs_step.py")
    assert project.config_class("FsConfig", near_beta)[0] == beta
    assert project.config_class("FsConfig")[0] == alpha
    members = project.config_members("FsConfig", near_beta)
    assert "min_variance" in members.names and "top_k" not in members.names and members.complete


# ----------------------------------------------------------------------------- CL402


def test_cl402_message_and_related_required_item(tmp_path: Path) -> None:
    contract = edit("contract", 'required_env_vars=["LABEL_FIELD"]', 'required_env_vars=["LABEL_FIELD", "ID_FIELD"]')
    script = BASE["script"].replace('    label = environ_vars["LABEL_FIELD"]\n',
                                    '    label = environ_vars["LABEL_FIELD"] + environ_vars["ID_FIELD"]\n')
    result = lint(tmp_path, repo(contract=contract, script=script), "CL402")
    assert found(result, tmp_path) == [(BUILDER, line_of(BASE["builder"], "def _get_environment_variables"), "CL402",
                                        "contract 'CLEAN_CONTRACT' requires env var 'ID_FIELD' but "
                                        "CleanStepBuilder._get_environment_variables never sets it")]
    assert related(result, tmp_path) == [[(CONTRACT, line_of(contract, "required_env_vars"),
                                           "'CLEAN_CONTRACT' requires 'ID_FIELD' here")]]


def test_cl402_update_and_returned_dict_literals_count_as_set(tmp_path: Path) -> None:
    builder = edit("builder", '''        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator
        return env_vars''', '''        env_vars = {"SEPARATOR": self.config.separator}
        env_vars.update({"LABEL_FIELD": self.config.label_name})
        return env_vars''')
    assert found(lint(tmp_path, repo(builder=builder), "CL402", "CL403"), tmp_path) == []


def test_cl402_is_silent_when_env_names_are_computed(tmp_path: Path) -> None:
    builder = edit("builder", '''        env_vars = {}
        env_vars["LABEL_FIELD"] = self.config.label_name
        env_vars["SEPARATOR"] = self.config.separator''', '''        env_vars = {}
        env_vars["SEPARATOR"] = self.config.separator
        for name in self.contract.required_env_vars:
            env_vars[name] = str(getattr(self.config, name.lower()))''')
    result = lint(tmp_path, repo(builder=builder), "CL402")
    assert found(result, tmp_path) == []
    assert result.unknown["dynamic-builder-env"] == 1


# ----------------------------------------------------------------------------- CL403


def test_cl403_message_related_and_platform_names(tmp_path: Path) -> None:
    builder = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                   '        env_vars["SEPARATOR"] = self.config.separator\n'
                   '        env_vars["SM_FRAMEWORK_PARAMS"] = "{}"\n'
                   '        env_vars["QUOTE_CHAR"] = "\\""\n'
                   '        env_vars["QUOTE_CHAR"] = "\'"\n')
    result = lint(tmp_path, repo(builder=builder), "CL403")
    assert found(result, tmp_path) == [(BUILDER, line_of(builder, '"QUOTE_CHAR"'), "CL403",
                                        "builder CleanStepBuilder sets env var 'QUOTE_CHAR' that contract "
                                        "'CLEAN_CONTRACT' does not declare")]
    assert related(result, tmp_path) == [[(CONTRACT, line_of(BASE["contract"], "required_env_vars"),
                                           "'CLEAN_CONTRACT' declares its env vars here")]]


def test_cl403_is_silent_when_the_contract_env_is_not_literal(tmp_path: Path) -> None:
    contract = edit("contract", 'optional_env_vars={"SEPARATOR": ","},', "optional_env_vars=DEFAULT_ENV,") \
        .replace("CLEAN_CONTRACT = ", 'DEFAULT_ENV = load_defaults()\n\nCLEAN_CONTRACT = ')
    builder = edit("builder", '        env_vars["SEPARATOR"] = self.config.separator\n',
                   '        env_vars["SEPARATOR"] = self.config.separator\n        env_vars["OTHER"] = "1"\n')
    result = lint(tmp_path, repo(contract=contract, builder=builder), "CL403")
    assert found(result, tmp_path) == []
    assert result.unknown["non-literal-contract-env"] == 1


# ----------------------------------------------------------------------------- CL404


def test_cl404_dashes_and_underscores_are_the_same_argument(tmp_path: Path) -> None:
    script = BASE["script"].replace('parser.add_argument("--job_type", required=True)',
                                    'parser.add_argument("--job-type", dest="job_type", required=True)\n'
                                    '    parser.add_argument("--max_rows", type=int, default=0)')
    builder = edit("builder", 'return ["--job_type", self.config.job_type]',
                   'return ["--job_type", self.config.job_type, "--max-rows", "10", "--min-rows", "1"]')
    result = lint(tmp_path, repo(script=script, builder=builder), "CL404")
    assert found(result, tmp_path) == [(BUILDER, line_of(builder, '"--min-rows"'), "CL404",
                                        "builder CleanStepBuilder passes '--min-rows' but script 'clean.py' does "
                                        "not define it with argparse (defined: '--job-type', '--max_rows')")]
    assert related(result, tmp_path) == [[(PATHS["script"], line_of(script, '"--job-type"'),
                                           "the script's arguments are defined here")]]


def test_cl404_is_silent_for_scripts_without_argparse(tmp_path: Path) -> None:
    script = BASE["script"].replace("import argparse\n", "import sys\n").replace(
        '''    parser = argparse.ArgumentParser()
    parser.add_argument("--job_type", required=True)
    args = parser.parse_args()
''', "    args = sys.argv\n")
    builder = edit("builder", 'return ["--job_type", self.config.job_type]',
                   'return ["--job_type", "x", "--other", "y"]')
    result = lint(tmp_path, repo(script=script, builder=builder), "CL404")
    assert found(result, tmp_path) == []
    assert result.unknown["script-arguments-unknown"] == 1


# ----------------------------------------------------------------------------- CL405

_TRAINING_REGISTRY = edit("registry", '''        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",''', '''        "spec_type": "Clean",
        "sagemaker_step_type": "Training",''')


def test_cl405_uses_the_registry_step_type_and_points_at_the_entry(tmp_path: Path) -> None:
    result = lint(tmp_path, repo(registry=_TRAINING_REGISTRY), "CL405")
    assert found(result, tmp_path) == [(BUILDER, line_of(BASE["builder"], "class CleanStepBuilder"), "CL405",
                                        "builder CleanStepBuilder defines no '_create_estimator' or "
                                        "'_get_estimator' (required for sagemaker_step_type 'Training')")]
    assert related(result, tmp_path) == [[(PATHS["registry"], line_of(BASE["registry"], '"Clean": {'),
                                           "registry declares sagemaker_step_type 'Training' here")]]


def test_cl405_repo_local_base_missing_a_method_is_reported(tmp_path: Path) -> None:
    base = ('from cursus_core.base import StepBuilderBase\n\n\n'
            'class SharedStepBuilderBase(StepBuilderBase):\n    def _get_inputs(self, inputs):\n        return []\n')
    builder = edit("builder", "class CleanStepBuilder(StepBuilderBase):",
                   "class CleanStepBuilder(SharedStepBuilderBase):") \
        .replace("from cursus_core.base import StepBuilderBase",
                 "from .builder_shared_base import SharedStepBuilderBase") \
        .replace("    def _get_inputs(self, inputs):", "    def _collect_inputs(self, inputs):") \
        .replace("    def _get_outputs(self, outputs):", "    def _collect_outputs(self, outputs):")
    result = lint(tmp_path, repo(builder=builder, extra={"steps/builders/builder_shared_base.py": base}), "CL405")
    assert [m for *_, m in found(result, tmp_path)] == [
        "builder CleanStepBuilder defines no '_get_outputs' (required for sagemaker_step_type 'Processing')"]


def test_cl405_is_silent_and_counts_for_bases_outside_the_repo(tmp_path: Path) -> None:
    builder = edit("builder", "class CleanStepBuilder(StepBuilderBase):",
                   "class CleanStepBuilder(TeamProcessingBuilder):") \
        .replace("    def _create_processor(self):", "    def _make_processor(self):")
    result = lint(tmp_path, repo(builder=builder), "CL405")
    assert found(result, tmp_path) == []
    assert result.unknown["builder-base-outside-repo"] == 1


def test_cl405_unlisted_step_types_need_the_common_methods(tmp_path: Path) -> None:
    registry = edit("registry", '''        "spec_type": "Clean",
        "sagemaker_step_type": "Processing",''', '''        "spec_type": "Clean",
        "sagemaker_step_type": "Lambda",''')
    builder = edit("builder", "    def create_step(self, **kwargs):", "    def build(self, **kwargs):")
    result = lint(tmp_path, repo(registry=registry, builder=builder), "CL405")
    assert [m for *_, m in found(result, tmp_path)] == [
        "builder CleanStepBuilder defines no 'create_step' (required for sagemaker_step_type 'Lambda')"]


# ----------------------------------------------------------------------------- CL406


def test_cl406_message_related_and_basename_comparison(tmp_path: Path) -> None:
    config = edit("config", '    processing_entry_point: str = "clean.py"',
                  '    processing_entry_point: str = "src/clean_v2.py"')
    result = lint(tmp_path, repo(config=config), "CL406")
    assert found(result, tmp_path) == [(CONFIG, line_of(config, "processing_entry_point"), "CL406",
                                        "CleanConfig.processing_entry_point defaults to 'src/clean_v2.py' but "
                                        "contract 'CLEAN_CONTRACT' has entry_point 'clean.py'")]
    assert related(result, tmp_path) == [[(CONTRACT, line_of(BASE["contract"], "entry_point="),
                                           "'CLEAN_CONTRACT' entry_point here")]]


def test_cl406_field_must_match_the_step_type_and_have_a_literal_default(tmp_path: Path) -> None:
    # a Processing step's inference_entry_point is another script: not compared
    config = BASE["config"] + '    inference_entry_point: str = "serve.py"\n'
    assert found(lint(tmp_path / "a", repo(config=config), "CL406"), tmp_path / "a") == []
    computed = edit("config", '    processing_entry_point: str = "clean.py"',
                    '    processing_entry_point: str = DEFAULT_SCRIPT.name')
    result = lint(tmp_path / "b", repo(config=computed), "CL406")
    assert found(result, tmp_path / "b") == []
    assert result.unknown["non-literal-entry-point"] == 1

"""CL501-CL508 (naming): exact messages, suggestions, related locations and exemptions
(bases, mixins, helper models, function-local specs/contracts, outside base classes)."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.engine import CheckResult
from cursus_lint.rules._examples import BASE, PATHS, edit, line_of, repo
from cursus_lint.rules.cl501_builder_class_suffix import suggested as builder_name
from cursus_lint.rules.cl503_spec_variable_suffix import suggested as spec_name
from cursus_lint.rules.cl504_contract_variable_suffix import suggested as contract_name

from .repo_helpers import findings, lint_repo

BUILDER = PATHS["builder"]
CONFIG = PATHS["config"]
REGISTRY = PATHS["registry"]


def lint(root: Path, files: dict[str, str], *codes: str) -> CheckResult:
    return lint_repo(root, files, list(codes))


found = findings


def test_suggested_names() -> None:
    assert builder_name("CleanBuilder") == "CleanStepBuilder"
    assert builder_name("CleanStep") == "CleanStepBuilder"
    assert builder_name("Cleaner") == "CleanerStepBuilder"
    assert spec_name("clean_spec") == "CLEAN_SPEC"
    assert spec_name("CleanSpecification") == "CLEAN_SPEC"
    assert spec_name("CLEAN") == "CLEAN_SPEC"
    assert contract_name("CleanContract") == "CLEAN_CONTRACT"
    assert contract_name("xgboostTrainingContract") == "XGBOOST_TRAINING_CONTRACT"
    assert contract_name("clean") == "CLEAN_CONTRACT"


# ----------------------------------------------------------------------------- CL501 / CL506


def test_cl501_ignores_bases_mixins_and_non_builder_helpers(tmp_path: Path) -> None:
    helpers = '''\
from dataclasses import dataclass

from cursus_core.base import StepBuilderBase


@dataclass
class ProcessingPlan:
    instance_count: int


class CachingMixin:
    def _cache(self):
        return None


class ProcessingStepBuilderBase(StepBuilderBase):
    pass


class SharedProcessing(StepBuilderBase):
    pass


class Leftover(SharedProcessing):
    pass
'''
    builder = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleanStepBuilder(SharedProcessing):") \
        .replace("from cursus_core.base import StepBuilderBase", "from .builder_helpers import SharedProcessing")
    result = lint(tmp_path, repo(builder=builder, extra={"steps/builders/builder_helpers.py": helpers}), "CL501")
    assert found(result, tmp_path) == [("steps/builders/builder_helpers.py", line_of(helpers, "class Leftover"),
                                        "CL501", "builder class 'Leftover' should end in 'StepBuilder' "
                                        "(e.g. 'LeftoverStepBuilder')")]


def test_cl501_outside_builder_base_names_count_as_builders(tmp_path: Path) -> None:
    builder = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class Clean(ProcessingStepBuilderBase):")
    result = lint(tmp_path, repo(builder=builder), "CL501")
    assert [(line, m) for _, line, _, m in found(result, tmp_path)] == [
        (line_of(builder, "class Clean("),
         "builder class 'Clean' should end in 'StepBuilder' (e.g. 'CleanStepBuilder')")]


def test_cl506_registered_builder_without_suffix_and_outside_bases(tmp_path: Path) -> None:
    builder = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleanBuilder(object):")
    registry = edit("registry", '"builder_step_name": "CleanStepBuilder"', '"builder_step_name": "CleanBuilder"')
    load = edit("load_builder", "class DataLoadStepBuilder(StepBuilderBase):",
                "class DataLoadStepBuilder(TeamLoaderBase):")
    result = lint(tmp_path, repo(builder=builder, registry=registry, load_builder=load), "CL506")
    assert found(result, tmp_path) == [(BUILDER, line_of(builder, "class CleanBuilder"), "CL506",
                                        "builder class 'CleanBuilder' does not derive from StepBuilderBase "
                                        "(bases: object)")]
    assert result.unknown["builder-base-outside-repo"] == 1


def test_cl506_follows_repo_local_chains_to_their_end(tmp_path: Path) -> None:
    helpers = "class BuilderHelpers:\n    pass\n\n\nclass SharedBase(BuilderHelpers):\n    pass\n"
    builder = edit("builder", "class CleanStepBuilder(StepBuilderBase):", "class CleanStepBuilder(SharedBase):") \
        .replace("from cursus_core.base import StepBuilderBase", "from .builder_helpers import SharedBase")
    result = lint(tmp_path, repo(builder=builder, extra={"steps/builders/builder_helpers.py": helpers}), "CL506")
    assert [m for *_, m in found(result, tmp_path)] == [
        "builder class 'CleanStepBuilder' does not derive from StepBuilderBase (bases: SharedBase, BuilderHelpers)"]


# ----------------------------------------------------------------------------- CL502


def test_cl502_ignores_helper_models_enums_and_bases(tmp_path: Path) -> None:
    config = BASE["config"].replace("from pydantic import Field",
                                    "from enum import Enum\n\nfrom pydantic import BaseModel, Field")
    config += '''

class Mode(str, Enum):
    FAST = "fast"


class ColumnRule(BaseModel):
    column: str


class CleanSharedMixin(ProcessingStepConfigBase):
    pass


class CleanSettings(ProcessingStepConfigBase):
    label_name: str
'''
    result = lint(tmp_path, repo(config=config), "CL502")
    assert found(result, tmp_path) == [(CONFIG, line_of(config, "class CleanSettings"), "CL502",
                                        "config class 'CleanSettings' should end in 'Config' (e.g. 'CleanConfig')")]


def test_cl502_suggestion_without_an_owning_step(tmp_path: Path) -> None:
    extra = {"steps/configs/config_shared_step.py":
             "from cursus_core.base import BasePipelineConfig\n\n\nclass SharedConfiguration(BasePipelineConfig):\n"
             "    region: str = 'NA'\n"}
    result = lint(tmp_path, repo(extra=extra), "CL502")
    assert [m for *_, m in found(result, tmp_path)] == [
        "config class 'SharedConfiguration' should end in 'Config' (e.g. 'SharedConfig')"]


# ----------------------------------------------------------------------------- CL503 / CL504


def test_cl503_annotated_module_level_spec_is_checked(tmp_path: Path) -> None:
    spec = edit("spec", "CLEAN_SPEC = StepSpecification(", "CleanSpec: StepSpecification = StepSpecification(")
    builder = edit("builder", "import CLEAN_SPEC", "import CleanSpec").replace("spec=CLEAN_SPEC", "spec=CleanSpec")
    result = lint(tmp_path, repo(spec=spec, builder=builder), "CL503")
    assert found(result, tmp_path) == [(PATHS["spec"], line_of(spec, "CleanSpec:"), "CL503",
                                        "specification variable 'CleanSpec' should end in '_SPEC' (e.g. 'CLEAN_SPEC')")]


def test_cl504_only_judges_contract_files_and_module_level_names(tmp_path: Path) -> None:
    # a spec file building its own contract inside a function is not judged
    spec = edit("spec", "from ..contracts.clean_contract import CLEAN_CONTRACT\n",
                '''from cursus_core.base import ScriptContract


def _contract():
    local = ScriptContract(entry_point="clean.py", expected_input_paths={}, expected_output_paths={})
    return local
''')
    assert found(lint(tmp_path, repo(spec=spec), "CL504"), tmp_path) == []


# ----------------------------------------------------------------------------- CL505


def test_cl505_messages_for_builder_contract_and_base_spec(tmp_path: Path) -> None:
    files = {k.replace("steps/contracts/clean_contract.py", "steps/contracts/CleanContract.py")
             .replace("steps/specs/clean_spec.py", "steps/specs/clean_specification.py"): v
             for k, v in repo().items()}
    files["steps/specs/clean_specification.py"] = files["steps/specs/clean_specification.py"].replace(
        "..contracts.clean_contract", "..contracts.CleanContract")
    result = lint(tmp_path, files, "CL505")
    assert found(result, tmp_path) == [
        ("steps/contracts/CleanContract.py", 1, "CL505",
         "contract file 'CleanContract.py' of step 'Clean' does not follow the pattern '<snake_name>_contract.py' "
         "(e.g. 'clean_contract.py')"),
        ("steps/specs/clean_specification.py", 1, "CL505",
         "spec file 'clean_specification.py' of step 'Clean' does not follow the pattern '<snake_name>_spec.py' "
         "(e.g. 'clean_spec.py')"),
    ]


# ----------------------------------------------------------------------------- CL507 / CL508


def test_cl507_related_points_at_the_registry_entry(tmp_path: Path) -> None:
    config = edit("config", "class CleanConfig(ProcessingStepConfigBase):",
                  "class CleaningConfig(ProcessingStepConfigBase):")
    builder = edit("builder", "import CleanConfig", "import CleaningConfig").replace("config: CleanConfig",
                                                                                  "config: CleaningConfig")
    result = lint(tmp_path, repo(config=config, builder=builder), "CL507")
    assert found(result, tmp_path) == [(CONFIG, line_of(config, "class CleaningConfig"), "CL507",
                                        "registry entry 'Clean' names config_class 'CleanConfig' but "
                                        "config_clean_step.py defines config class 'CleaningConfig'")]
    rel = result.diagnostics[0].related
    assert [(r.location.path.relative_to(tmp_path).as_posix(), r.location.line, r.message) for r in rel] == [
        (REGISTRY, line_of(BASE["registry"], '"Clean": {'), "registry entry 'Clean' here")]


def test_cl507_ignores_extra_classes_when_the_registered_one_is_present(tmp_path: Path) -> None:
    builder = BASE["builder"] + "\n\nclass CleanPreviewStepBuilder(CleanStepBuilder):\n    pass\n"
    assert found(lint(tmp_path, repo(builder=builder), "CL507"), tmp_path) == []


def test_cl508_message_and_spec_related(tmp_path: Path) -> None:
    registry = edit("registry", '"spec_type": "DataLoad",', '"spec_type": "DataLoading",')
    result = lint(tmp_path, repo(registry=registry), "CL508")
    assert found(result, tmp_path) == [(REGISTRY, line_of(registry, '"DataLoad": {'), "CL508",
                                        "registry entry 'DataLoad' has spec_type 'DataLoading'; spec_type must "
                                        "equal the key 'DataLoad'")]
    rel = result.diagnostics[0].related
    assert [(r.location.path.relative_to(tmp_path).as_posix(), r.location.line, r.message) for r in rel] == [
        (PATHS["load_spec"], line_of(BASE["load_spec"], 'step_type="DataLoad"'), "DATA_LOAD_SPEC step_type here")]

"""Shape and self-consistency of the fixture step repos.

The linter's own tests rely on ``fixtures/example_repo`` being fully aligned and on the two
workspaces having exactly one cross-workspace conflict. These tests check that with plain
``ast`` (independently of the linter), so a broken fixture is reported as a fixture bug.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from cursus_core.literals import literal_value, module_assignments

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPO = FIXTURES / "example_repo"
STEPS = REPO / "steps"
WORKSPACES = FIXTURES / "workspaces" / "development" / "projects"
ALPHA = WORKSPACES / "alpha" / "src" / "cursus_dev"
BETA = WORKSPACES / "beta" / "src" / "cursus_dev"

#: Every step of example_repo and the exact component files it consists of (relative to steps/).
EXPECTED_STEPS: dict[str, list[str]] = {
    "DataLoading": [
        "specs/data_loading_spec.py",
        "builders/builder_data_loading_step.py",
        "configs/config_data_loading_step.py",
    ],
    "TabularPreprocessing": [
        "scripts/tabular_preprocessing.py",
        "contracts/tabular_preprocessing_contract.py",
        "specs/tabular_preprocessing_training_spec.py",
        "specs/tabular_preprocessing_validation_spec.py",
        "specs/tabular_preprocessing_testing_spec.py",
        "specs/tabular_preprocessing_calibration_spec.py",
        "builders/builder_tabular_preprocessing_step.py",
        "configs/config_tabular_preprocessing_step.py",
    ],
    "RiskTableMapping": [
        "scripts/risk_table_mapping.py",
        "contracts/risk_table_mapping_contract.py",
        "specs/risk_table_mapping_training_spec.py",
        "specs/risk_table_mapping_calibration_spec.py",
        "builders/builder_risk_table_mapping_step.py",
        "configs/config_risk_table_mapping_step.py",
    ],
    "CurrencyConversion": [
        "scripts/currency_conversion.py",
        "contracts/currency_conversion_contract.py",
        "specs/currency_conversion_spec.py",
        "builders/builder_currency_conversion_step.py",
        "configs/config_currency_conversion_step.py",
    ],
    "XGBoostTraining": [
        "scripts/xgboost_training.py",
        "contracts/xgboost_training_contract.py",
        "specs/xgboost_training_spec.py",
        "builders/builder_xgboost_training_step.py",
        "configs/config_xgboost_training_step.py",
        "configs/config_training_step_base.py",
        "hyperparams/hyperparameters_xgboost.py",
    ],
    "PyTorchTraining": [
        "scripts/pytorch_training.py",
        "contracts/pytorch_training_contract.py",
        "specs/pytorch_training_spec.py",
        "builders/builder_pytorch_training_step.py",
        "configs/config_pytorch_training_step.py",
        "configs/config_training_step_base.py",
        "hyperparams/hyperparameters_pytorch.py",
    ],
    "XGBoostModelEval": [
        "scripts/model_evaluation_xgb.py",
        "contracts/xgboost_model_eval_contract.py",
        "specs/xgboost_model_eval_spec.py",
        "builders/builder_xgboost_model_eval_step.py",
        "configs/config_xgboost_model_eval_step.py",
    ],
    "XGBoostModel": [
        "specs/xgboost_model_spec.py",
        "builders/builder_xgboost_model_step.py",
        "configs/config_xgboost_model_step.py",
    ],
    "PyTorchModel": [
        "specs/pytorch_model_spec.py",
        "builders/builder_pytorch_model_step.py",
        "configs/config_pytorch_model_step.py",
    ],
    "BatchTransform": [
        "specs/batch_transform_calibration_spec.py",
        "specs/batch_transform_testing_spec.py",
        "builders/builder_batch_transform_step.py",
        "configs/config_batch_transform_step.py",
    ],
    "Package": [
        "scripts/package.py",
        # the serving code Package bundles (config.inference_scripts_path), not a step of its own
        "scripts/inference/inference.py",
        "contracts/package_contract.py",
        "specs/package_spec.py",
        "builders/builder_package_step.py",
        "configs/config_package_step.py",
    ],
    "Registration": [
        "specs/registration_spec.py",
        "builders/builder_registration_step.py",
        "configs/config_registration_step.py",
    ],
}

SAGEMAKER_TYPES = {
    "DataLoading": "Processing",
    "TabularPreprocessing": "Processing",
    "RiskTableMapping": "Processing",
    "CurrencyConversion": "Processing",
    "XGBoostTraining": "Training",
    "PyTorchTraining": "Training",
    "XGBoostModelEval": "Processing",
    "XGBoostModel": "CreateModel",
    "PyTorchModel": "CreateModel",
    "BatchTransform": "Transform",
    "Package": "Processing",
    "Registration": "RegisterModel",
}

WORKSPACE_FILES = {
    ALPHA: [
        "registry/workspace_registry.py",
        "steps/scripts/feature_selection.py",
        "steps/contracts/feature_selection_contract.py",
        "steps/specs/feature_selection_spec.py",
        "steps/builders/builder_feature_selection_step.py",
        "steps/configs/config_feature_selection_step.py",
        "steps/scripts/tabular_preprocessing.py",
        "steps/contracts/tabular_preprocessing_contract.py",
    ],
    BETA: [
        "registry/workspace_registry.py",
        "steps/scripts/feature_selection.py",
        "steps/contracts/feature_selection_contract.py",
        "steps/specs/feature_selection_spec.py",
        "steps/builders/builder_feature_selection_step.py",
        "steps/configs/config_feature_selection_step.py",
        "steps/scripts/model_calibration.py",
        "steps/contracts/model_calibration_contract.py",
        "steps/specs/model_calibration_spec.py",
        "steps/builders/builder_model_calibration_step.py",
        "steps/configs/config_model_calibration_step.py",
    ],
}

STEP_ROOTS = [STEPS, ALPHA / "steps", BETA / "steps"]


# ---------------------------------------------------------------- helpers


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _registry(path: Path, name: str) -> dict[str, Any]:
    assignment = module_assignments(_tree(path))[name]
    value = literal_value(assignment.value)
    assert isinstance(value, dict)
    return value


def _classes(directory: Path) -> dict[str, list[str]]:
    """Class name -> base names (last dotted part) for every class defined below ``directory``."""
    found: dict[str, list[str]] = {}
    for path in directory.rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef):
                found[node.name] = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
    return found


def _call_kwargs(call: ast.Call) -> dict[str, ast.expr]:
    return {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}


def _module_call(path: Path, suffix: str) -> tuple[str, ast.Call]:
    """The single top-level ``NAME = Call(...)`` whose NAME ends with ``suffix``."""
    hits = [
        (name, a.value)
        for name, a in module_assignments(_tree(path)).items()
        if name.endswith(suffix) and isinstance(a.value, ast.Call)
    ]
    assert len(hits) == 1, f"{path}: expected one *{suffix} assignment, found {[h[0] for h in hits]}"
    return hits[0]


def _contract(path: Path) -> dict[str, Any]:
    _, call = _module_call(path, "_CONTRACT")
    kwargs = _call_kwargs(call)
    return {key: literal_value(value) for key, value in kwargs.items()}


def _enum_name(node: ast.expr) -> str:
    assert isinstance(node, ast.Attribute), ast.unparse(node)
    return node.attr


def _spec(path: Path) -> dict[str, Any]:
    """step_type, node_type, the contract it imports, and dependencies/outputs as plain dicts."""
    tree = _tree(path)
    _, call = _module_call(path, "_SPEC")
    kwargs = _call_kwargs(call)
    step_type = kwargs["step_type"]
    if isinstance(step_type, ast.Call):  # spec_type_with_job_type("Base", "job")
        base, job = (literal_value(a) for a in step_type.args)
        step_type_value = f"{base}_{job.capitalize()}"
    else:
        step_type_value = literal_value(step_type)
    contract_imports = [
        (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("_contract")
        for alias in node.names
    ]
    items: dict[str, list[dict[str, Any]]] = {}
    for field in ("dependencies", "outputs"):
        items[field] = []
        for element in kwargs[field].elts if field in kwargs else []:
            values: dict[str, Any] = {}
            for key, value in _call_kwargs(element).items():
                values[key] = _enum_name(value) if key in ("dependency_type", "output_type") else literal_value(value)
            items[field].append(values)
    return {
        "step_type": step_type_value,
        "node_type": _enum_name(kwargs["node_type"]),
        "has_contract": "script_contract" in kwargs,
        "contract_imports": contract_imports,
        **items,
    }


def _builder_env_keys(path: Path) -> set[str]:
    """Keys assigned as ``env_vars["KEY"] = ...`` inside ``_get_environment_variables``."""
    keys: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.FunctionDef) and node.name == "_get_environment_variables":
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
                    keys.add(literal_value(stmt.targets[0].slice))
    return keys


def _builder_config_reads(path: Path) -> set[str]:
    return {
        node.attr
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "config"
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "self"
    }


def _config_members(directory: Path, class_name: str) -> set[str]:
    """Fields, properties and methods of a config class and its in-repo bases."""
    classes = {
        node.name: node
        for path in directory.rglob("*.py")
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ClassDef)
    }
    members: set[str] = set()
    todo = [class_name]
    while todo:
        node = classes.get(todo.pop())
        if node is None:
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                members.add(stmt.target.id)
            elif isinstance(stmt, ast.FunctionDef):
                members.add(stmt.name)
        todo.extend(ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases)
    return members


def _config_default(directory: Path, class_name: str, field: str) -> Any:
    for path in directory.rglob("*.py"):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                for stmt in node.body:
                    if isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", None) == field and stmt.value:
                        return literal_value(stmt.value)
    return None


def _main_block_dicts(path: Path) -> dict[str, dict[str, Any]]:
    """The literal ``input_paths``/``output_paths`` dicts of the ``__main__`` block (by name or position)."""
    tree = _tree(path)
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and "__name__" in ast.unparse(n.test)
    )
    names = {name: a.value for name, a in module_assignments(tree).items()}
    constants: dict[str, Any] = {}
    for name, value in names.items():
        try:
            constants[name] = literal_value(value)
        except Exception:
            if isinstance(value, ast.Call) and ast.unparse(value.func) == "Path":
                constants[name] = literal_value(value.args[0])
    found: dict[str, ast.expr] = {}
    for node in ast.walk(block):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "main":
            for index, key in enumerate(("input_paths", "output_paths")):
                if index < len(node.args) and isinstance(node.args[index], ast.Dict):
                    found[key] = node.args[index]
            for kw in node.keywords:
                if kw.arg in ("input_paths", "output_paths") and isinstance(kw.value, ast.Dict):
                    found[kw.arg] = kw.value
    result: dict[str, dict[str, Any]] = {}
    for key in ("input_paths", "output_paths"):
        node = found[key]
        assert isinstance(node, ast.Dict), f"{path}: {key} is not a dict literal"
        result[key] = {}
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(v, ast.Call) and ast.unparse(v.func) == "str":  # str(PATH_CONSTANT)
                v = v.args[0]
            result[key][literal_value(k)] = literal_value(v, constants)
    return result


def _argparse_args(path: Path) -> set[str]:
    args: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
            args.add(literal_value(node.args[0]).lstrip("-").replace("-", "_"))
    return args


def _all_specs() -> list[Path]:
    return sorted(p for root in STEP_ROOTS for p in (root / "specs").glob("*_spec.py"))


def _all_contracts() -> list[Path]:
    return sorted(p for root in STEP_ROOTS for p in (root / "contracts").glob("*_contract.py"))


# ---------------------------------------------------------------- files


def test_every_fixture_file_parses() -> None:
    # the clean step repos only: broken copies under fixtures/broken may not parse on purpose,
    # and example_repo/pipeline holds DAG/config inputs of the dry-run build
    clean = [FIXTURES / "example_repo", FIXTURES / "workspaces"]
    files = sorted(p for d in clean for p in d.rglob("*.py") if "pipeline" not in p.relative_to(d).parts)
    assert len(files) == 104
    for path in files:
        _tree(path)


def test_example_repo_has_every_step_file_and_package_markers() -> None:
    for step, files in EXPECTED_STEPS.items():
        missing = [f for f in files if not (STEPS / f).is_file()]
        assert missing == [], step
    for sub in ("", "scripts", "contracts", "specs", "builders", "configs", "hyperparams"):
        assert (STEPS / sub / "__init__.py").is_file()
    assert (REPO / "registry" / "step_names.py").is_file()


def test_example_repo_has_no_unlisted_component_files() -> None:
    listed = {f for files in EXPECTED_STEPS.values() for f in files}
    present = {
        str(p.relative_to(STEPS))
        for p in STEPS.rglob("*.py")
        if p.name != "__init__.py"
    }
    assert present == listed


def test_workspaces_have_their_files() -> None:
    for root, files in WORKSPACE_FILES.items():
        assert [f for f in files if not (root / f).is_file()] == []
        for sub in ("scripts", "contracts", "specs", "builders", "configs"):
            assert (root / "steps" / sub / "__init__.py").is_file()


def test_example_repo_is_portable() -> None:
    for path in REPO.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "s3://" not in text, path
        assert "sys.path" not in text, path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module != "src" and not node.module.startswith("src."), path


# ---------------------------------------------------------------- registries


def test_registry_names_every_step_with_the_right_types() -> None:
    names = _registry(REPO / "registry" / "step_names.py", "STEP_NAMES")
    assert set(names) == set(EXPECTED_STEPS)
    for step, entry in names.items():
        assert set(entry) == {"config_class", "builder_step_name", "spec_type", "sagemaker_step_type", "description"}
        assert entry["spec_type"] == step
        assert entry["config_class"] == f"{step}Config"
        assert entry["builder_step_name"] == f"{step}StepBuilder"
        assert entry["sagemaker_step_type"] == SAGEMAKER_TYPES[step]


def test_registry_classes_exist_with_the_right_bases() -> None:
    names = _registry(REPO / "registry" / "step_names.py", "STEP_NAMES")
    builders, configs = _classes(STEPS / "builders"), _classes(STEPS / "configs")
    config_bases = {"BasePipelineConfig", "ProcessingStepConfigBase", "TrainingStepConfigBase"}
    for entry in names.values():
        assert builders[entry["builder_step_name"]] == ["StepBuilderBase"]
        assert set(configs[entry["config_class"]]) <= config_bases
    assert configs["TrainingStepConfigBase"] == ["BasePipelineConfig"]
    assert configs["XGBoostTrainingConfig"] == ["TrainingStepConfigBase"]
    assert configs["PyTorchTrainingConfig"] == ["TrainingStepConfigBase"]
    hyper = _classes(STEPS / "hyperparams")
    assert hyper == {
        "XGBoostModelHyperparameters": ["ModelHyperparameters"],
        "PyTorchModelHyperparameters": ["ModelHyperparameters"],
    }


def test_workspace_registries_conflict_on_feature_selection_only() -> None:
    core = _registry(REPO / "registry" / "step_names.py", "STEP_NAMES")
    alpha_steps = _registry(ALPHA / "registry" / "workspace_registry.py", "WORKSPACE_STEPS")
    beta_steps = _registry(BETA / "registry" / "workspace_registry.py", "WORKSPACE_STEPS")
    assert set(alpha_steps) == {"FeatureSelection"}
    assert set(beta_steps) == {"FeatureSelection", "ModelCalibration"}
    assert set(alpha_steps) & set(beta_steps) == {"FeatureSelection"}
    assert not (set(alpha_steps) | set(beta_steps)) & set(core)

    alpha_overrides = _registry(ALPHA / "registry" / "workspace_registry.py", "STEP_OVERRIDES")
    assert set(alpha_overrides) == {"TabularPreprocessing"}
    assert alpha_overrides["TabularPreprocessing"]["config_class"] == core["TabularPreprocessing"]["config_class"]
    assert _registry(BETA / "registry" / "workspace_registry.py", "STEP_OVERRIDES") == {}

    for root, developer in ((ALPHA, "alpha"), (BETA, "beta")):
        meta = _registry(root / "registry" / "workspace_registry.py", "WORKSPACE_METADATA")
        assert set(meta) == {"developer_id", "version", "description"}
        assert meta["developer_id"] == developer
        steps = _registry(root / "registry" / "workspace_registry.py", "WORKSPACE_STEPS")
        builders, configs = _classes(root / "steps" / "builders"), _classes(root / "steps" / "configs")
        for entry in steps.values():
            assert builders[entry["builder_step_name"]] == ["StepBuilderBase"]
            assert configs[entry["config_class"]] == ["ProcessingStepConfigBase"]


# ---------------------------------------------------------------- level 1: script <-> contract


def test_contract_entry_points_exist_as_scripts() -> None:
    entry_points = {}
    for path in _all_contracts():
        entry_point = _contract(path)["entry_point"]
        assert (path.parent.parent / "scripts" / entry_point).is_file(), path
        entry_points[str(path.relative_to(FIXTURES))] = entry_point
    assert entry_points["example_repo/steps/contracts/xgboost_model_eval_contract.py"] == "model_evaluation_xgb.py"
    assert len(entry_points) == 11


def test_script_main_block_paths_args_and_env_match_contract() -> None:
    for path in _all_contracts():
        contract = _contract(path)
        script = path.parent.parent / "scripts" / contract["entry_point"]
        dicts = _main_block_dicts(script)
        assert dicts["input_paths"] == contract["expected_input_paths"], script
        assert dicts["output_paths"] == contract["expected_output_paths"], script
        assert _argparse_args(script) == set(contract["expected_arguments"]), script
        text = script.read_text(encoding="utf-8")
        for name in [*contract["required_env_vars"], *contract["optional_env_vars"]]:
            assert f'"{name}"' in text, (script, name)


def test_scripts_have_the_testable_main_signature() -> None:
    for root in STEP_ROOTS:
        for script in (root / "scripts").glob("*.py"):
            if script.name == "__init__.py":
                continue
            main = next(n for n in _tree(script).body if isinstance(n, ast.FunctionDef) and n.name == "main")
            assert [a.arg for a in main.args.args] == ["input_paths", "output_paths", "environ_vars", "job_args"]
            assert 40 <= len(script.read_text(encoding="utf-8").splitlines()) <= 120, script


# ---------------------------------------------------------------- level 2 and 3: spec


PROPERTY_PATHS = {
    "Processing": "properties.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri",
    "CreateModel": "properties.ModelName",
    "Transform": "properties.TransformOutput.S3OutputPath",
}


def _registered() -> dict[str, dict[str, Any]]:
    names = dict(_registry(REPO / "registry" / "step_names.py", "STEP_NAMES"))
    names.update(_registry(BETA / "registry" / "workspace_registry.py", "WORKSPACE_STEPS"))
    return names


def test_specs_align_with_their_contracts() -> None:
    checked = 0
    for path in _all_specs():
        spec = _spec(path)
        if not spec["contract_imports"]:
            assert not spec["has_contract"], path
            continue
        (module, variable), = spec["contract_imports"]
        contract_file = path.parent.parent / "contracts" / (module.rsplit(".", 1)[-1] + ".py")
        assert _module_call(contract_file, "_CONTRACT")[0] == variable
        contract = _contract(contract_file)
        assert [d["logical_name"] for d in spec["dependencies"]] == list(contract["expected_input_paths"]), path
        assert [o["logical_name"] for o in spec["outputs"]] == list(contract["expected_output_paths"]), path
        checked += 1
    assert checked == 14


def test_spec_step_types_node_types_and_property_paths() -> None:
    registered = _registered()
    for path in _all_specs():
        spec = _spec(path)
        base = spec["step_type"].split("_")[0]
        assert base in registered, path
        kind = registered[base]["sagemaker_step_type"]
        expected_node = {"DataLoading": "SOURCE", "Registration": "SINK"}.get(base, "INTERNAL")
        assert spec["node_type"] == expected_node, path
        for output in spec["outputs"]:
            name = output["logical_name"]
            if kind == "Training":
                expected = (
                    "properties.ModelArtifacts.S3ModelArtifacts"
                    if output["output_type"] == "MODEL_ARTIFACTS"
                    else "properties.OutputDataConfig.S3OutputPath"
                )
            else:
                expected = PROPERTY_PATHS[kind].format(name=name)
            assert output["property_path"] == expected, (path, name)


COMPATIBLE_TYPES = {
    "TRAINING_DATA": {"TRAINING_DATA", "PROCESSING_OUTPUT"},
}


def test_required_dependencies_are_satisfiable_by_registered_steps() -> None:
    registered = _registered()
    outputs_by_step: dict[str, set[str]] = {}
    for path in _all_specs():
        spec = _spec(path)
        outputs_by_step.setdefault(spec["step_type"].split("_")[0], set()).update(
            o["output_type"] for o in spec["outputs"]
        )
    for path in _all_specs():
        for dep in _spec(path)["dependencies"]:
            unknown = [s for s in dep["compatible_sources"] if s not in registered]
            assert unknown == [], (path, dep["logical_name"])
            if dep["required"]:
                wanted = COMPATIBLE_TYPES.get(dep["dependency_type"], {dep["dependency_type"]})
                providers = [s for s in dep["compatible_sources"] if outputs_by_step.get(s, set()) & wanted]
                assert providers, (path, dep["logical_name"])


# ---------------------------------------------------------------- level 4: builder <-> config


def _builder_contract(builder: Path) -> Path | None:
    """The contract file behind the first spec the builder imports."""
    for node in ast.walk(_tree(builder)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("_spec"):
            spec_path = builder.parent.parent / "specs" / (node.module.rsplit(".", 1)[-1] + ".py")
            imports = _spec(spec_path)["contract_imports"]
            if not imports:
                return None
            return builder.parent.parent / "contracts" / (imports[0][0].rsplit(".", 1)[-1] + ".py")
    raise AssertionError(f"{builder} imports no spec")


BASE_CONFIG_MEMBERS = {
    "author", "bucket", "role", "region", "service_name", "pipeline_version", "model_class",
    "current_date", "framework_version", "py_version", "source_dir", "aws_region", "pipeline_name",
    "pipeline_description", "pipeline_s3_loc", "processing_instance_count", "processing_volume_size",
    "processing_instance_type_large", "processing_instance_type_small", "use_large_processing_instance",
    "processing_source_dir", "processing_entry_point", "processing_script_arguments",
    "processing_framework_version", "effective_source_dir", "effective_instance_type", "script_path",
}  # fmt: skip


def test_builders_set_exactly_the_contract_env_vars_and_read_known_config_attributes() -> None:
    for root in STEP_ROOTS:
        for builder in sorted((root / "builders").glob("builder_*_step.py")):
            step_class = next(n.name for n in _tree(builder).body if isinstance(n, ast.ClassDef))
            config_class = step_class.removesuffix("StepBuilder") + "Config"
            members = _config_members(root / "configs", config_class) | BASE_CONFIG_MEMBERS
            unknown = _builder_config_reads(builder) - members
            assert unknown == set(), (builder, unknown)

            contract_file = _builder_contract(builder)
            if contract_file is None:
                assert _builder_env_keys(builder) == set(), builder
                continue
            contract = _contract(contract_file)
            declared = {*contract["required_env_vars"], *contract["optional_env_vars"]}
            assert _builder_env_keys(builder) == declared, builder
            entry_field = "training_entry_point" if "Training" in config_class else "processing_entry_point"
            assert _config_default(root / "configs", config_class, entry_field) == contract["entry_point"]


def test_builders_define_the_builder_methods() -> None:
    required = {"validate_configuration", "_get_environment_variables", "_get_inputs", "_get_outputs",
                "_get_job_arguments", "create_step"}  # fmt: skip
    creators = {"_create_processor", "_create_estimator", "_create_model", "_create_transformer"}
    for root in STEP_ROOTS:
        for builder in (root / "builders").glob("builder_*_step.py"):
            cls = next(n for n in _tree(builder).body if isinstance(n, ast.ClassDef))
            methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
            assert required <= methods, builder
            assert methods & creators, builder


# ---------------------------------------------------------------- the domain accepts the fixtures


def _import_all(monkeypatch: pytest.MonkeyPatch, src: Path, package: str) -> int:
    """Import contracts/specs/hyperparams/configs of one step package; returns the module count."""
    monkeypatch.syspath_prepend(str(src))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, name)
    count = 0
    for sub in ("contracts", "specs", "hyperparams", "configs"):
        folder = src / package / "steps" / sub
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            if path.name != "__init__.py":
                importlib.import_module(f"{package}.steps.{sub}.{path.stem}")
                count += 1
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        monkeypatch.delitem(sys.modules, name)
    return count


def test_domain_classes_accept_every_contract_spec_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _import_all(monkeypatch, FIXTURES, "example_repo") == 39
    assert _import_all(monkeypatch, ALPHA.parent, "cursus_dev") == 4
    assert _import_all(monkeypatch, BETA.parent, "cursus_dev") == 6

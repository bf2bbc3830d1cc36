"""The built-in core step table.

This is the registry a repo gets when it ships none of its own: the common SageMaker
pipeline steps, in the same ``STEP_NAMES`` shape that step repos write by hand, so the
hybrid manager can treat a repo's own table and this one identically.
"""

from __future__ import annotations

from typing import Final

#: Keys every registry entry must carry (``description`` is optional).
REQUIRED_STEP_KEYS: Final[tuple[str, ...]] = (
    "config_class",
    "builder_step_name",
    "spec_type",
    "sagemaker_step_type",
)

#: All keys a registry entry may carry.
KNOWN_STEP_KEYS: Final[tuple[str, ...]] = REQUIRED_STEP_KEYS + ("description",)

#: ``sagemaker_step_type`` values the builders and the compiler know how to handle.
VALID_SAGEMAKER_STEP_TYPES: Final[frozenset[str]] = frozenset({
    "Processing",
    "Training",
    "CreateModel",
    "Transform",
    "RegisterModel",
    "Lambda",
    "Condition",
    "Fail",
    "Tuning",
    "Base",
    "Utility",
    "CradleDataLoading",
    "RedshiftDataLoading",  # an SDK data-loading step cursus's own registry validator accepts (2026)
    "MimsModelRegistrationProcessing",
})


def _step(config_class: str, builder: str, spec_type: str, sagemaker_type: str, description: str) -> dict[str, str]:
    return {
        "config_class": config_class,
        "builder_step_name": builder,
        "spec_type": spec_type,
        "sagemaker_step_type": sagemaker_type,
        "description": description,
    }


CORE_STEP_NAMES: Final[dict[str, dict[str, str]]] = {
    # Abstract bases: every config / builder inherits from one of these.
    "Base": _step("BasePipelineConfig", "StepBuilderBase", "Base", "Base",
                  "Base pipeline configuration shared by every step"),
    "Processing": _step("ProcessingStepConfigBase", "ProcessingStepBuilder", "Processing", "Processing",
                        "Base for steps that run a script in a SageMaker processing job"),
    # Data loading.
    "CradleDataLoading": _step("CradleDataLoadingConfig", "CradleDataLoadingStepBuilder", "CradleDataLoading",
                               "CradleDataLoading", "Loads training or evaluation data through a data-loading service"),
    "DummyDataLoading": _step("DummyDataLoadingConfig", "DummyDataLoadingStepBuilder", "DummyDataLoading",
                              "Processing", "Passes user-provided data on as if it had been loaded by the loader step"),
    # Feature processing.
    "TabularPreprocessing": _step("TabularPreprocessingConfig", "TabularPreprocessingStepBuilder",
                                  "TabularPreprocessing", "Processing",
                                  "Cleans tabular data and splits it into train / validation / test"),
    "RiskTableMapping": _step("RiskTableMappingConfig", "RiskTableMappingStepBuilder", "RiskTableMapping",
                              "Processing", "Maps categorical features to risk scores learnt on the training split"),
    "CurrencyConversion": _step("CurrencyConversionConfig", "CurrencyConversionStepBuilder", "CurrencyConversion",
                                "Processing", "Converts monetary columns into one currency"),
    "MissingValueImputation": _step("MissingValueImputationConfig", "MissingValueImputationStepBuilder",
                                    "MissingValueImputation", "Processing",
                                    "Fills missing values with statistics learnt on the training split"),
    "StratifiedSampling": _step("StratifiedSamplingConfig", "StratifiedSamplingStepBuilder", "StratifiedSampling",
                                "Processing", "Samples rows per class to control class balance"),
    # Training.
    "XGBoostTraining": _step("XGBoostTrainingConfig", "XGBoostTrainingStepBuilder", "XGBoostTraining", "Training",
                             "Trains an XGBoost model"),
    "PyTorchTraining": _step("PyTorchTrainingConfig", "PyTorchTrainingStepBuilder", "PyTorchTraining", "Training",
                             "Trains a PyTorch model"),
    "LightGBMTraining": _step("LightGBMTrainingConfig", "LightGBMTrainingStepBuilder", "LightGBMTraining",
                              "Training", "Trains a LightGBM model"),
    "DummyTraining": _step("DummyTrainingConfig", "DummyTrainingStepBuilder", "DummyTraining", "Processing",
                           "Packages a pretrained model as if it had been trained in the pipeline"),
    "HyperparameterPrep": _step("HyperparameterPrepConfig", "HyperparameterPrepStepBuilder", "HyperparameterPrep",
                                "Lambda", "Writes the hyperparameter file a training step reads"),
    # Evaluation and calibration.
    "XGBoostModelEval": _step("XGBoostModelEvalConfig", "XGBoostModelEvalStepBuilder", "XGBoostModelEval",
                              "Processing", "Scores a held-out split with an XGBoost model and computes metrics"),
    "PyTorchModelEval": _step("PyTorchModelEvalConfig", "PyTorchModelEvalStepBuilder", "PyTorchModelEval",
                              "Processing", "Scores a held-out split with a PyTorch model and computes metrics"),
    "XGBoostModelInference": _step("XGBoostModelInferenceConfig", "XGBoostModelInferenceStepBuilder",
                                   "XGBoostModelInference", "Processing",
                                   "Generates XGBoost predictions without computing metrics"),
    "ModelMetricsComputation": _step("ModelMetricsComputationConfig", "ModelMetricsComputationStepBuilder",
                                     "ModelMetricsComputation", "Processing",
                                     "Computes performance metrics from saved predictions"),
    "ModelCalibration": _step("ModelCalibrationConfig", "ModelCalibrationStepBuilder", "ModelCalibration",
                              "Processing", "Calibrates model scores into probabilities"),
    # Model creation and deployment.
    "XGBoostModel": _step("XGBoostModelConfig", "XGBoostModelStepBuilder", "XGBoostModel", "CreateModel",
                          "Creates a SageMaker model from XGBoost artifacts"),
    "PyTorchModel": _step("PyTorchModelConfig", "PyTorchModelStepBuilder", "PyTorchModel", "CreateModel",
                          "Creates a SageMaker model from PyTorch artifacts"),
    "BatchTransform": _step("BatchTransformStepConfig", "BatchTransformStepBuilder", "BatchTransform", "Transform",
                            "Runs a batch transform job over a dataset with a created model"),
    "Package": _step("PackageConfig", "PackageStepBuilder", "Package", "Processing",
                     "Packages model artifacts and inference code for registration"),
    "Payload": _step("PayloadConfig", "PayloadStepBuilder", "Payload", "Processing",
                     "Generates sample payloads used to test the registered model endpoint"),
    "Registration": _step("RegistrationConfig", "RegistrationStepBuilder", "Registration",
                          "MimsModelRegistrationProcessing", "Registers the packaged model in the model registry"),
}

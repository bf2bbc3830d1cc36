"""Whether SageMaker runs a step's contract entry point at all.

Steps of a non-script SageMaker type (``CradleDataLoading``, ``MimsModelRegistrationProcessing``, ...)
and steps whose builder hands the work to an external SDK step class run no script of the repo,
so their contract's ``entry_point`` is a placeholder and their builder needs no processor or
estimator factory. Both are read from facts only.
"""

from __future__ import annotations

from cursus_lint.model import ProjectModel, StepModel

from ._classes import builder_chain

#: SageMaker step types whose job runs the contract's entry point in the container
SCRIPT_STEP_TYPES = frozenset({"Processing", "Training"})

#: builder methods that create the SageMaker job object a script runs in
JOB_FACTORIES = frozenset({"_create_processor", "_get_processor", "_create_estimator", "_get_estimator",
                           "_create_transformer", "_get_transformer", "_create_model", "_get_model"})

_FRAMEWORKS = frozenset({"PyTorch", "XGBoost", "SKLearn", "TensorFlow", "HuggingFace", "MXNet", "Chainer"})
_JOB_SUFFIXES = ("Processor", "Estimator", "Step", "Transformer", "Model")


def _builds_sagemaker_job(step: StepModel) -> bool:
    """The builder file imports a SageMaker job-shaped class (not only the abstract ``Step``)."""
    module = step.builder_file.module if step.builder_file is not None else None
    if module is None:
        return True  # unknown: assume the usual shape
    for imp in module.imports:
        top = imp.module.split(".")[0]
        if top != "sagemaker" or imp.level:
            continue
        if not imp.is_from:
            return True  # ``import sagemaker``: anything may be used
        if any(n != "Step" and (n.endswith(_JOB_SUFFIXES) or n in _FRAMEWORKS or n == "*") for n in imp.names):
            return True
    return False


def delegates_to_sdk(step: StepModel, project: ProjectModel) -> bool:
    """The builder creates no SageMaker job itself: no job factory method (own or inherited from a
    repo base) and no SageMaker processor/estimator/step class imported — it wraps an SDK step.
    An interface step says it in ``patterns.step_assembly: delegation``."""
    builder = step.builder
    if builder is not None and builder.synthesized:  # an interface step: its patterns say so
        assembly = builder.template_keys.get("patterns.step_assembly")
        return assembly is not None and assembly.value == "delegation"
    if builder is None or step.builder_file is None or "create_step" not in builder.methods:
        return False
    chain = builder_chain(project, builder, step.builder_file.path)
    if chain.unknown_bases or JOB_FACTORIES & chain.methods:
        return False
    return not _builds_sagemaker_job(step)


def runs_script(step: StepModel, project: ProjectModel) -> bool:
    """False when SageMaker runs no script of the repo for this step."""
    step_type = step.sagemaker_step_type
    if step_type is not None and step_type not in SCRIPT_STEP_TYPES:
        return False
    return not delegates_to_sdk(step, project)

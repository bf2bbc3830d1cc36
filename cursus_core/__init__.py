"""cursus_core: the domain of SageMaker step repos (contracts, specs, configs, builders),
the workspace-aware registry and the step catalog.

Importing this package never imports sagemaker/boto3: those belong to the optional
``[build]`` extra and are imported lazily by the dry-run compiler only.
"""

__version__ = "0.1.0"

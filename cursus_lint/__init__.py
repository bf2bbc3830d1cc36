"""cursus-lint: static alignment checks for SageMaker pipeline step repos."""

__version__ = "0.1.0"

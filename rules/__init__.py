"""One rule per module; shipped as ``cursus_lint.rules`` (see pyproject package-dir)."""

"""cursus-lint: static alignment checks for SageMaker pipeline step repos.

``check(paths)`` lints repos and returns diagnostics; ``validate_script_compliance(contract,
script_path)`` returns the level-1 findings of one script against a contract object.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__", "check", "validate_script_compliance"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `import cursus_lint` stays cheap for the console script and the LSP.
    if name in ("check", "validate_script_compliance"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'cursus_lint' has no attribute {name!r}")

"""Where the language server may propose edits: inside the workspace, never through a symlink out.

A code action is an edit the user applies with one click; a path it names must be one the user
opened the editor on, however the path was spelled (``..``, symlinks).
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Iterable


class EditGuard:
    """``allows(path)``: the real path lies inside one of the (real) roots."""

    def __init__(self, roots: Iterable[Path]) -> None:
        real = [Path(os.path.realpath(r)) for r in roots]
        self.roots = [r for r in real if r.parent != r]  # a filesystem root admits nothing

    def allows(self, path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return any(real == r or r in real.parents for r in self.roots)

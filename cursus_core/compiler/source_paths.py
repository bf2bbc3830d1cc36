"""Where a config's relative source dirs and entry points live, found as cursus finds them.

Real saved configs write ``source_dir: "dockers/xgb"`` relative to the *project* (the folder named
by ``project_root_folder``, next to the pipeline script and its ``pipeline_config/``), not to the
repo root. cursus resolves such a path by trying, in order: the base in ``CURSUS_PROJECT_BASE``
(``<base>/<project_root_folder>/<path>``), then each directory from its working directory upward:
a directory named ``project_root_folder``, that folder as a child, and the path directly. Here
the walk starts from each anchor in turn (the saved config's folder, the repo root), since the
dry run has no pipeline script to run from. An explicit source root (``--source-root``) replaces
all of that: it is the project directory (``<root>/<path>``, ``<root>/<project_root_folder>/<path>``)
or, for a file written on another checkout, the directory the configs' ``source_dir`` stands for
(``dockers/xgb/scripts`` with ``source_dir: dockers/xgb`` is ``<root>/scripts``).

Every candidate tried is returned, so a missing path can say where it was looked for.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SourceResolver", "Resolution"]

#: How far up from an anchor cursus searches.
MAX_DEPTH = 10


@dataclass(frozen=True)
class Resolution:
    """``path`` is the first candidate that exists (None if none did); ``tried`` every candidate, in order."""

    path: Path | None
    tried: tuple[Path, ...]

    def describe(self) -> str:
        """The directories tried, for an error message."""
        shown = [str(p) for p in self.tried[:4]]
        more = len(self.tried) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "") if shown else "nothing"


class SourceResolver:
    """Resolves relative paths of one saved config (its ``project_root_folder`` and anchors)."""

    def __init__(self, anchors: Sequence[Path], *, source_root: Path | None = None,
                 project_root_folder: str | None = None, source_dir: str | None = None,
                 environ: dict[str, str] | None = None) -> None:
        self.source_dir = source_dir.strip("/") if source_dir and not Path(source_dir).is_absolute() else None
        self.source_root = source_root.resolve() if source_root is not None else None
        self.anchors = [a.resolve() for a in anchors]
        self.project_root_folder = project_root_folder or None
        env = os.environ if environ is None else environ
        base = env.get("CURSUS_PROJECT_BASE")
        self.project_base = Path(base) if base else None

    def candidates(self, relative: str) -> list[Path]:
        """Every place ``relative`` may be, in the order cursus tries them (duplicates dropped)."""
        if Path(relative).is_absolute():
            return [Path(relative)]
        folder = self.project_root_folder
        out: list[Path] = []
        if self.source_root is not None:
            out.append(self.source_root / relative)
            base = self.source_dir
            if base and (relative.strip("/") == base or relative.startswith(base + "/")):
                out.append(self.source_root / relative.strip("/")[len(base):].lstrip("/"))
            if folder:
                out.append(self.source_root / folder / relative)
            return list(dict.fromkeys(out))
        if self.project_base is not None:
            out.append(self.project_base / folder / relative if folder else self.project_base / relative)
        for anchor in self.anchors:
            current = anchor
            for _ in range(MAX_DEPTH):
                if folder and current.name == folder:
                    out.append(current / relative)
                if folder:
                    out.append(current / folder / relative)
                out.append(current / relative)
                if current.parent == current:
                    break
                current = current.parent
        return list(dict.fromkeys(out))

    def resolve(self, relative: str, *, directory: bool) -> Resolution:
        """The first existing candidate (a directory or a file, as asked) and all that were tried."""
        tried: list[Path] = []
        for candidate in self.candidates(relative):
            tried.append(candidate)
            if candidate.is_dir() if directory else candidate.is_file():
                return Resolution(candidate, tuple(tried))
        return Resolution(None, tuple(tried))

    def project_dir(self, relative: str) -> Path | None:
        """The directory ``relative`` hangs from, where it resolves (the build runs there)."""
        found = self.resolve(relative, directory=True).path
        if found is None:
            return None
        base = found
        for _ in Path(relative).parts:
            base = base.parent
        return base

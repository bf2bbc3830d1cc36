"""Where step components live: ``steps`` directories, workspaces, and a file's repo root.

Two layouts are recognised, by directory shape only:

- a step repo: ``<root>/steps/{scripts,contracts,specs,builders,configs,hyperparams}``
  (any directory with at least two of those sub-directories counts, so ``src/cursus/steps``
  and a bare ``<root>/{scripts,contracts,...}`` work too);
- isolated workspaces: ``development/projects/<id>/src/cursus_dev/steps/...``, where the
  ``steps`` directory may hold a single component sub-directory (a workspace that only
  overrides a builder).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import msgspec

from cursus_core.registry.literal_reader import SKIP_DIRS

ROLES: tuple[str, ...] = ("scripts", "contracts", "specs", "builders", "configs", "hyperparams")
DEFAULT_LAYOUT: dict[str, tuple[str, ...]] = {
    "scripts": ("scripts",),
    "contracts": ("contracts",),
    "specs": ("specs",),
    "builders": ("builders",),
    "configs": ("configs",),
    "hyperparams": ("hyperparams", "hyperparameters"),
}
#: Files next to which a directory is taken as a project's top (``for_path`` never climbs above it).
PROJECT_MARKERS: tuple[str, ...] = ("pyproject.toml", ".git")


class StepDir(msgspec.Struct, frozen=True):
    """A ``steps`` directory and the workspace it belongs to (None for the core repo)."""

    path: Path
    workspace_id: str | None
    role_dirs: dict[str, tuple[Path, ...]]


def resolve_layout(layout: Mapping[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    """The default directory names per role, with ``layout`` overriding some of them."""
    return {role: tuple((layout or {}).get(role, DEFAULT_LAYOUT[role])) for role in ROLES}


def workspace_id_from_path(path: Path) -> str | None:
    """``.../development/projects/<id>/...`` -> ``<id>``; None outside that layout."""
    parts = path.parts
    for i in range(len(parts) - 2):
        if parts[i] == "development" and parts[i + 1] == "projects":
            return parts[i + 2]
    return None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def discover_step_dirs(roots: Iterable[Path], layout: Mapping[str, Iterable[str]] | None = None,
                       workspace_of: WorkspaceOf | None = None,
                       unreadable: list[tuple[Path, str]] | None = None) -> list[StepDir]:
    """Every directory holding component sub-directories, core first, then by workspace and path.

    ``workspace_of`` maps a directory to its workspace id (default: the
    ``development/projects/<id>`` convention). Directories that cannot be listed are appended to
    ``unreadable`` as (path, reason): a step hidden in one must not vanish without a word.
    """
    lay = resolve_layout(layout)
    which = workspace_of or workspace_id_from_path
    found: dict[Path, StepDir] = {}

    def on_error(exc: OSError) -> None:
        if unreadable is not None and exc.filename is not None:
            unreadable.append((Path(os.fsdecode(exc.filename)), exc.strerror or str(exc)))

    for root in roots:
        root = Path(root)
        if not _is_dir(root):
            continue
        for dirpath, dirnames, _ in os.walk(root, onerror=on_error):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")
                                 and not d.endswith(".egg-info"))
            here = set(dirnames)
            role_dirs = {role: tuple(Path(dirpath) / d for d in names if d in here) for role, names in lay.items()}
            present = {r: d for r, d in role_dirs.items() if d}
            if not present:
                continue
            p = Path(dirpath)
            ws = which(p)
            if len(present) >= 2 or (p.name == "steps" and ws is not None):
                found.setdefault(p, StepDir(p, ws, present))
                # component directories hold files, not further step repos
                taken = {d.name for dirs in present.values() for d in dirs}
                dirnames[:] = [d for d in dirnames if d not in taken]
    return sorted(found.values(), key=lambda s: (s.workspace_id is not None, s.workspace_id or "", str(s.path)))


class WorkspaceOf:
    """Workspace id of a path: the ``development/projects/<id>`` convention, else the name of the
    explicitly given workspace directory that contains it, else None (core).

    ``scopes`` names directories whose scope is already known: the homes of configured step packs
    (``interface-dirs``) that are not called ``step_pack``, so their scripts and configs land in
    the same scope as their interfaces instead of the package's.
    """

    def __init__(self, workspace_dirs: Iterable[Path] = (), scopes: Mapping[Path, str] | None = None) -> None:
        self.dirs = sorted((Path(d) for d in workspace_dirs), key=lambda d: -len(d.parts))
        self.scopes = sorted(((Path(d), ws) for d, ws in (scopes or {}).items()), key=lambda x: -len(x[0].parts))

    def __call__(self, path: Path) -> str | None:
        ws = workspace_id_from_path(path)
        if ws is not None:
            return ws
        for d, scope in self.scopes:
            if path == d or d in path.parents:
                return scope
        parts = path.parts
        if "step_pack" in parts[1:]:  # a step pack (interface layout) is the scope of its project
            i = len(parts) - 1 - parts[::-1].index("step_pack")
            if i > 0:
                return parts[i - 1]
        for d in self.dirs:
            if path == d or d in path.parents:
                return d.name
        return None


def _holds_steps(directory: Path, layout: Mapping[str, tuple[str, ...]]) -> bool:
    steps = directory / "steps"
    if not _is_dir(steps):
        return False
    return any(_is_dir(steps / name) for names in layout.values() for name in names)


def find_repo_root(path: str | os.PathLike[str], layout: Mapping[str, Iterable[str]] | None = None) -> Path:
    """The step repo a file (or directory) belongs to, so one changed file can be linted in context.

    Walking up from the file's directory:

    1. inside ``development/projects/<id>/...`` the root is the directory holding ``development``
       (so the core steps next to the workspaces are indexed too);
    2. otherwise the nearest directory that contains a ``steps`` directory with at least one
       component sub-directory;
    3. the walk never climbs above a directory holding ``pyproject.toml`` or ``.git``; when it
       reaches one without finding (2), that directory is the root;
    4. with neither, a file is its own root (linted alone: indexing the tree around a stray
       ``/tmp/x.py`` could take minutes), a directory is the root itself.

    A filesystem root or the home directory is never a root (a ``~/.git`` of dotfiles, an
    editor opening ``file:///x.py``): the walk stops below them, as in (4).
    """
    p = Path(os.path.abspath(path))
    is_dir = _is_dir(p)
    start = p if is_dir else p.parent
    lone = p
    parts = start.parts
    for i in range(len(parts) - 2):
        if parts[i] == "development" and parts[i + 1] == "projects":
            top = Path(*parts[:i]) if i > 0 else Path(parts[0])
            return lone if is_never_root(top) else top
    lay = resolve_layout(layout)
    for directory in (start, *start.parents):
        if is_never_root(directory):
            break
        if _holds_steps(directory, lay):
            return directory
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return directory
    return lone


def is_never_root(directory: Path) -> bool:
    """A filesystem root or the user's home directory: too large to index as a step repo."""
    if directory.parent == directory:
        return True
    try:
        home = Path(os.path.abspath(Path.home()))
    except (RuntimeError, KeyError, OSError):
        return False
    return directory == home

"""Find interface files and check what only the whole set can show.

Layouts (upstream cursus >= 2.5): the package keeps ``<pkg>/steps/interfaces/*.step.yaml`` next to
``steps/configs`` and ``steps/scripts``; a step pack is ``<project>/step_pack/{interfaces,configs,
scripts}``. Extra directories (from configuration) may name a pack, a project holding
``step_pack/``, or a bare directory of ``.step.yaml`` files; they layer over the package like packs.

Set checks: a file not named ``snake(step_type).step.yaml``; two files declaring one step_type in
the same tier; a pack interface that shadows a package step (upstream then merges the pack's
registry row over the package's but still loads the *package's* interface, which it searches
first: the two halves of the step disagree).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from .span import Problem, Related, Span

if TYPE_CHECKING:  # pragma: no cover
    from .model import StepInterface
    from .reader import ReadResult

Origin = Literal["package", "step_pack"]
SUFFIX = ".step.yaml"
#: Directories never searched (virtual envs, caches, VCS, build output).
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "env", "node_modules", "__pycache__", "build",
                       "dist", "site-packages", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
#: Mixed-case words kept whole when naming files, as upstream's naming module does.
COMPOUND_WORDS = ("LightGBMMT", "LightGBM", "XGBoost", "PyTorch", "TensorFlow", "SageMaker", "MLFlow", "AutoML")


class InterfaceFile(msgspec.Struct, frozen=True):
    """One ``.step.yaml`` and the layout it was found in."""

    path: Path
    origin: Origin
    #: ``steps/`` of the package or ``step_pack/`` of a pack: holds interfaces/, configs/, scripts/.
    home: Path

    @property
    def configs_dir(self) -> Path:
        return self.home / "configs"

    @property
    def scripts_dir(self) -> Path:
        return self.home / "scripts"

    @property
    def stem(self) -> str:
        return self.path.name[: -len(SUFFIX)]


class LoadedInterface(msgspec.Struct, frozen=True):
    """A discovered file, its model (None when unreadable) and its own problems."""

    file: InterfaceFile
    interface: StepInterface | None
    problems: tuple[Problem, ...] = msgspec.field(default=())


def snake_step_name(step_type: str) -> str:
    """``XGBoostModelEval`` -> ``xgboost_model_eval``; capital runs stay one word (``GNN``)."""
    text = step_type
    for word in COMPOUND_WORDS:
        text = text.replace(word, word[0] + word[1:].lower())
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def compact(name: str) -> str:
    """Case- and separator-blind key (upstream's fallback when the exact file name misses)."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def discover(root: Path, extra_dirs: Sequence[Path] = ()) -> list[InterfaceFile]:
    """Interface files below ``root`` (package and step packs) plus those of ``extra_dirs``."""
    found: dict[Path, InterfaceFile] = {}
    for interfaces in _interface_dirs(Path(root)):
        home = interfaces.parent
        origin: Origin = "step_pack" if home.name == "step_pack" else "package"
        for f in _yaml_files(interfaces):
            found.setdefault(f, InterfaceFile(f, origin, home))
    for extra in extra_dirs:
        home, interfaces = _extra_home(Path(extra))
        for f in _yaml_files(interfaces):
            found.setdefault(f, InterfaceFile(f, "step_pack", home))
    return sorted(found.values(), key=lambda f: (f.origin != "package", str(f.path)))


def _interface_dirs(root: Path) -> Iterable[Path]:
    if root.is_file():
        return
    for dirpath, dirnames, _ in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        here = Path(dirpath)
        if here.name == "interfaces" and here.parent.name in ("steps", "step_pack"):
            yield here
            dirnames[:] = []


def _extra_home(extra: Path) -> tuple[Path, Path]:
    if (extra / "step_pack" / "interfaces").is_dir():
        return extra / "step_pack", extra / "step_pack" / "interfaces"
    if (extra / "interfaces").is_dir():
        return extra, extra / "interfaces"
    return extra.parent, extra


def _yaml_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.name.endswith(SUFFIX) and p.is_file())
    except OSError:
        return []


def load(files: Sequence[InterfaceFile], overlay: Mapping[Path, str] | None = None) -> list[LoadedInterface]:
    """Read, validate and model every file (problems per file, never an exception); a file in
    ``overlay`` (an editor's unsaved buffer) is read from that text instead of the disk.
    (:func:`cursus_core.interface.cached.load_cached` does the same through the facts cache.)

    The reader, validator and model load here, not with the module: finding that a classic repo
    has no interface files must not cost their import."""
    from .reader import read_interface_file, read_interface_text

    out = []
    for f in files:
        text = overlay.get(f.path) if overlay else None
        result = read_interface_file(f.path) if text is None else read_interface_text(text, f.path)
        out.append(loaded_from(f, result))
    return out


def loaded_from(f: InterfaceFile, result: ReadResult) -> LoadedInterface:
    """The validated model of a read result (the reader returns the same frozen result for the
    same content: it is validated and modelled once per process)."""
    from .model import build_interface
    from .validate import validate_tree

    key = (id(result), str(f.path))
    hit = _LOADED.get(key)
    if hit is not None and hit[0] is result:
        return LoadedInterface(f, hit[1], hit[2])
    problems = list(result.problems)
    interface = None
    if result.root is not None:
        problems.extend(validate_tree(result.root, f.path))
        interface = build_interface(result.root, f.path)
    if len(_LOADED) >= _LOADED_SIZE:
        _LOADED.clear()
    _LOADED[key] = (result, interface, tuple(problems))
    return LoadedInterface(f, interface, tuple(problems))


#: validated models by (read result identity, path), holding the result so its id stays its own: a
#: language server's re-lint loads every interface of the repo again, and only the edited one is new
_LOADED: dict[tuple[int, str], tuple[object, StepInterface | None, tuple[Problem, ...]]] = {}
_LOADED_SIZE = 1024


def check_file_set(loaded: Sequence[LoadedInterface]) -> list[Problem]:
    """Problems that need the whole set: file names, duplicate step types, pack shadowing."""
    problems: list[Problem] = []
    package: dict[str, LoadedInterface] = {}
    packs: dict[tuple[Path, str], LoadedInterface] = {}
    for item in loaded:
        iface = item.interface
        if iface is None or iface.step_type is None:
            continue
        name, span = iface.step_type.value, iface.step_type.span
        problems.extend(_file_name(item.file, name, span))
        if item.file.origin == "package":
            first = package.get(name)
            if first is not None:
                problems.append(_duplicate(item, first, name, span))
            else:
                package[name] = item
            continue
        first = packs.get((item.file.home, name))
        if first is not None:
            problems.append(_duplicate(item, first, name, span))
            continue
        packs[(item.file.home, name)] = item
        shadowed = package.get(name)
        if shadowed is not None:
            assert shadowed.interface is not None and shadowed.interface.step_type is not None
            problems.append(Problem(
                "pack-shadows-package",
                f"step pack interface for '{name}' shadows the package step of the same name: cursus merges "
                "this file's registry row over the package's but still loads the package's interface "
                "(searched first), so the step's registry row and its contract/spec come from different files",
                item.file.path, span, "warning", ("step_type",),
                related=(Related(shadowed.file.path, shadowed.interface.step_type.span,
                                 "package step declared here"),)))
    return problems


def _file_name(f: InterfaceFile, name: str, span: Span) -> list[Problem]:
    expected = snake_step_name(name)
    if f.stem == expected:
        return []
    if compact(f.stem) == compact(name):
        return [Problem("file-name-mismatch", f"file name '{f.path.name}' does not follow step_type '{name}' "
                        f"(expected '{expected}{SUFFIX}'); cursus finds it only through its case-blind fallback",
                        f.path, span, "warning", ("step_type",), suggestion=expected + SUFFIX)]
    return [Problem("file-name-mismatch", f"file name '{f.path.name}' does not match step_type '{name}' "
                    f"(expected '{expected}{SUFFIX}'); cursus cannot find this interface by step name",
                    f.path, span, "error", ("step_type",), suggestion=expected + SUFFIX)]


def _duplicate(item: LoadedInterface, first: LoadedInterface, name: str, span: Span) -> Problem:
    assert first.interface is not None and first.interface.step_type is not None
    return Problem("duplicate-step-type", f"step_type '{name}' is also declared in {first.file.path.name}; "
                   "one step, one interface", item.file.path, span, "error", ("step_type",),
                   related=(Related(first.file.path, first.interface.step_type.span, "first declared here"),))

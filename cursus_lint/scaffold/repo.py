"""What the scaffolder needs to know about the target repo, read through the linter's own model.

The repo is read the way ``check`` reads it (catalog, then facts; nothing is imported or run), so
the names, directories and upstream outputs the plan uses are the ones the rules will see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cursus_core.deps import Provider, StepRef

from ..model import ProjectModel
from .model import ScaffoldError

#: A config base class with the training fields the generated builder reads, when the repo has one.
TRAINING_BASE = "TrainingStepConfigBase"


@dataclass(frozen=True)
class UpstreamOutput:
    """One output of an existing step, as the resolver sees it."""

    step: str
    logical_name: str
    output_type: str
    data_type: str
    aliases: tuple[str, ...]


@dataclass
class RepoView:
    root: Path
    layout: str
    steps_dir: Path
    #: registry file holding the literal ``STEP_NAMES`` (classic layout)
    registry_file: Path | None
    known_steps: set[str]
    #: every readable spec output of the project, as resolver providers
    providers: list[Provider] = field(default_factory=list)
    #: module path (relative to the repo root) defining TrainingStepConfigBase, if any
    training_base: Path | None = None

    def role_dir(self, role: str) -> Path:
        """Where files of ``role`` go: the repo's existing directory, else the default name."""
        return self.steps_dir / role

    def outputs_of(self, step: str) -> list[UpstreamOutput]:
        """Outputs of ``step`` across its job-type variants, each logical name once."""
        seen: dict[str, UpstreamOutput] = {}
        for p in self.providers:
            if p.step.name != step:
                continue
            out = p.output
            name = str(out.logical_name)
            if name not in seen:
                seen[name] = UpstreamOutput(step, name, _type_value(out.output_type), str(out.data_type or "S3Uri"),
                                            tuple(str(a) for a in (out.aliases or ())))
        return list(seen.values())


def _type_value(value: object) -> str:
    return str(value or "").rsplit(".", 1)[-1].lower()


def load_project(root: Path) -> ProjectModel:
    """The project model ``check`` would build for ``root`` (no rules run)."""
    from ..config import ConfigError, load_config
    from ..engine import Engine
    from ..rules_index import all_rules

    try:
        settings = load_config(root, set(all_rules()))
    except ConfigError as exc:
        raise ScaffoldError(f"configuration error: {exc}") from None
    return Engine(settings, rules={}).project(root)


def read_repo(root: Path) -> RepoView:
    """Layout, directories, registry and providers of the repo at ``root``."""
    if not root.is_dir():
        raise ScaffoldError(f"not a directory: {root}")
    project = load_project(root.absolute())
    catalog = project.catalog
    core_dirs = [d for d in catalog.step_dirs if d.workspace_id is None]
    if not core_dirs:
        raise ScaffoldError(f"no steps directory (steps/scripts, steps/configs, ...) under {root}")
    steps_dir = min(core_dirs, key=lambda d: (len(d.path.parts), str(d.path))).path
    layout = "interface" if catalog.interfaces.definitions or (steps_dir / "interfaces").is_dir() else "classic"
    registry_file = None
    core = catalog.core_registry_file
    if core is not None and core.is_file():
        registry_file = core
    else:
        registry_file = next((p for p, reg in sorted(project.registry_files.items())
                              if "STEP_NAMES" in reg.tables and p.is_relative_to(root.absolute())), None)
    known = {s.name for s in project.steps}
    known |= set(catalog.registry.get_all_step_definitions())
    view = RepoView(root.absolute(), layout, steps_dir, registry_file, known)
    for step in project.steps:
        if step.workspace_id is not None:
            continue
        for variant in step.specs:
            spec = variant.spec
            ref = StepRef(step.name, step.name if variant.job_type is None else f"{step.name}_{variant.job_type}",
                          variant.job_type)
            for out in spec.outputs:
                if out.logical_name is not None and out.output_type is not None and not out.non_literal:
                    view.providers.append(Provider(ref, out))
    for path, _ in project.config_classes.get(TRAINING_BASE, []):
        if path.is_relative_to(steps_dir):
            view.training_base = path
            break
    return view

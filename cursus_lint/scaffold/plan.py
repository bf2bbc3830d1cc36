"""``plan_new_step``: every file of the new step for the repo's layout, and the wiring."""

from __future__ import annotations

import os
from pathlib import Path

from .builder import render_builder
from .classic import render_contract, render_spec, spec_module
from .config import hyperparameters_module, render_config, render_hyperparameters
from .design import StepDesign, design
from .interface import render_interface
from .model import NewStepRequest, PlannedFile, ScaffoldError, ScaffoldPlan
from .registry_edit import add_registry_row
from .repo import RepoView, read_repo
from .script import render_script


def _rel(repo: RepoView, path: Path) -> Path:
    return path.relative_to(repo.root)


def _registry_row(step: StepDesign) -> dict[str, str]:
    return {"config_class": f"{step.name}Config", "builder_step_name": f"{step.name}StepBuilder",
            "spec_type": step.name, "sagemaker_step_type": step.sagemaker_type, "description": step.description}


def plan_new_step(root: Path, request: NewStepRequest) -> ScaffoldPlan:
    """The files ``new-step`` would write under ``root`` (nothing is written). Raises ScaffoldError."""
    repo = read_repo(Path(root))
    step = design(request, repo)
    plan = ScaffoldPlan(step.name, step.layout, wiring=list(step.wiring))
    new: list[tuple[Path, str]] = []
    if step.has_script:
        new.append((repo.role_dir("scripts") / f"{step.snake}.py", render_script(step)))
    configs_dir = repo.role_dir("configs")
    if step.layout == "classic":
        if step.has_script:
            new.append((repo.role_dir("contracts") / f"{step.snake}_contract.py", render_contract(step)))
        variants: list[str | None] = [*step.job_types] or [None]
        for jt in variants:
            new.append((repo.role_dir("specs") / f"{spec_module(step, jt)}.py", render_spec(step, jt)))
        new.append((repo.role_dir("builders") / f"builder_{step.snake}_step.py", render_builder(step)))
    else:
        new.append((repo.steps_dir / "interfaces" / f"{step.snake}.step.yaml", render_interface(step)))
    new.append((configs_dir / f"config_{step.snake}_step.py", render_config(step, repo.training_base, configs_dir)))
    if step.sagemaker_type == "Training":
        new.append((repo.role_dir("hyperparams") / f"{hyperparameters_module(step)}.py", render_hyperparameters(step)))
    for path, _ in new:  # a preview must not promise what write_plan would refuse
        if os.path.lexists(path):
            raise ScaffoldError(f"refusing to overwrite existing file {_rel(repo, path).as_posix()}")
    plan.files = [PlannedFile(_rel(repo, p), text) for p, text in new]
    if step.layout == "classic":
        if repo.registry_file is None:
            raise ScaffoldError(f"no registry file with STEP_NAMES under {repo.root}; the classic layout needs one")
        original = repo.registry_file.read_text(encoding="utf-8")
        label = _rel(repo, repo.registry_file).as_posix()
        edited = add_registry_row(original, step.name, _registry_row(step), label)
        plan.files.append(PlannedFile(_rel(repo, repo.registry_file), edited, is_edit=True, original=original))
    return plan

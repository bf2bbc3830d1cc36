"""The Python API for tools and notebooks.

``check`` lints repos like the CLI does; ``validate_script_compliance`` answers "does this script
honour this contract?" with the level-1 (CL1xx) findings, for a contract object already in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Iterable, Sequence

from .diagnostic import Diagnostic


def check(paths: Iterable[Path | str] = (".",), *, select: Sequence[str] | None = None,
          ignore: Sequence[str] | None = None, config_file: Path | str | None = None,
          workspace_dirs: Sequence[Path | str] | None = None,
          overlay: dict[Path, str] | None = None) -> list[Diagnostic]:
    """Lint ``paths`` (repos, directories or single files) and return the diagnostics.

    Configuration comes from the nearest ``[tool.cursus-lint]`` as on the command line;
    ``select``/``ignore``/``workspace_dirs`` override it. Raises ``cursus_lint.config.ConfigError``
    for bad configuration and ``FileNotFoundError`` for a missing path.
    """
    from .config import load_config
    from .engine import Engine
    from .rules_index import all_rules

    targets = [Path(p) for p in paths] or [Path.cwd()]
    overrides: dict[str, Any] = {}
    if select is not None:
        overrides["select"] = list(select)
    if ignore is not None:
        overrides["ignore"] = list(ignore)
    if workspace_dirs is not None:
        overrides["workspace-dirs"] = [str(Path(w).absolute()) for w in workspace_dirs]
    rules = all_rules()
    settings = load_config(targets[0].absolute(), set(rules), overrides=overrides,
                           config_file=Path(config_file) if config_file is not None else None)
    return Engine(settings, rules, overlay=overlay).run(targets).diagnostics


def _contract_facts(contract: Any):
    """Facts for an in-memory contract object; locations point at line 1 of the pseudo-file."""
    from .facts.model import ContractFacts, Entry, NamedItem, Span

    span = Span(1, 1, 1, 1)

    def entries(mapping: dict[str, Any] | None) -> dict[str, Entry]:
        return {str(k): Entry(v, span, span) for k, v in (mapping or {}).items()}

    return ContractFacts(
        variable=type(contract).__name__, function=None, class_name=type(contract).__name__,
        is_training="Training" in type(contract).__name__, span=span,
        entry_point=Entry(getattr(contract, "entry_point", None), span, span),
        inputs=entries(getattr(contract, "expected_input_paths", None)),
        outputs=entries(getattr(contract, "expected_output_paths", None)),
        required_env_vars=tuple(NamedItem(n, span) for n in getattr(contract, "required_env_vars", []) or []),
        optional_env_vars=entries(getattr(contract, "optional_env_vars", None)),
        expected_arguments=entries(getattr(contract, "expected_arguments", None)),
    )


def validate_script_compliance(contract_or_spec: Any, script_path: Path | str) -> list[Diagnostic]:
    """Level-1 findings for ``script_path`` against a ``ScriptContract`` (or a ``StepSpecification``
    carrying one). The script is parsed, never imported. Findings about the contract side point at
    ``<contract>`` since the object has no source file."""
    from cursus_core.catalog import StepInfo
    from cursus_core.source import load_source

    from .config import LintConfig
    from .facts import extract_all
    from .model import ProjectModel, StepModel
    from .rule import StepCheck
    from .rules_index import all_rules

    contract = getattr(contract_or_spec, "script_contract", None) or contract_or_spec
    if not hasattr(contract, "expected_input_paths"):
        raise TypeError(f"expected a ScriptContract or a StepSpecification with one, got {type(contract).__name__}")
    path = Path(script_path).absolute()
    if not path.is_file():
        raise FileNotFoundError(f"script not found: {script_path}")
    script = extract_all(load_source(path), {"script"})
    from .facts.model import FileFacts

    pseudo = Path("<contract>")
    contract_file = FileFacts(pseudo, "", frozenset({"contract"}), contracts=(_contract_facts(contract),))
    info = StepInfo(name=Path(getattr(contract, "entry_point", path.name)).stem, script=path, contract=pseudo)
    step = StepModel(info.name, None, info, None, script=script, contract_file=contract_file,
                     contract=contract_file.contracts[0])
    project = ProjectModel(catalog=None, files={path: script, pseudo: contract_file}, steps=[step],  # type: ignore[arg-type]
                           settings=LintConfig())
    out: list[Diagnostic] = []
    if script.problem is not None:
        rule = all_rules().get("CL901" if script.problem.kind == "syntax-error" else "CL902")
        if rule is not None:
            return [rule.report(path, None, script.problem.message)]
    for code, rule in all_rules().items():
        if code.startswith("CL1") and isinstance(rule.check, StepCheck) and code != "CL101":
            out.extend(rule.check.run(step, project))
    return sorted(out, key=Diagnostic.sort_key)

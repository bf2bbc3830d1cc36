"""Parse once, extract typed and located facts per component (stdlib ``ast`` only).

The linter's rules are pure functions over these facts, and runtime testing plans from the
contract, spec, script and pipeline readers. Nothing here imports or runs the analysed code,
and no extractor raises on odd code: what is not knowable statically is left out and
counted in ``FileFacts.unknown``.
"""

from __future__ import annotations

from collections import Counter

from cursus_core.source import SourceFile

from ._index import TreeIndex, index_for
from ._unknown import KIND_TEXT, Unknowns
from .builder import extract_builders
from .config import extract_configs
from .contract import extract_contracts
from .model import (
    ArgDef, ArgRead, BuilderFacts, ConfigFacts, ConfigRead, ContractFacts, ContractRef, DependencyFacts,
    DictEntry, Entry, EnvCollector, EnvRead, EnvSet, FieldFacts, FileFacts, HyperparameterFacts, ImportFact, JobArg,
    KeyUse, MainCall, MainEnvDict, MainFacts, ModuleFacts, NamedItem, NameRef, OutputDestination,
    OutputFacts, Param, PathConstant, PathUse, S3Build, S3Literal, ScriptFacts, Span, SpecFacts,
    StepTypeRef, SysPathEdit, UnknownCase,
)
from .module import extract_module
from .script import extract_script
from .spec import extract_specs

ROLES = frozenset({"script", "contract", "spec", "builder", "config", "hyperparams", "registry"})


def extract_all(sf: SourceFile, roles: set[str] | frozenset[str], index: TreeIndex | None = None) -> FileFacts:
    """Every fact the file's catalog ``roles`` call for, from one walk of its tree (``index``,
    when the caller has walked it already to share the walk with the catalog's summary).

    Module facts are always extracted (imports and S3 strings matter for every file); a file
    that did not parse yields only its problem (noqa comments are read by the linter, not here).
    """
    unknown = Unknowns()
    roles = frozenset(roles)
    if not sf.ok:
        return FileFacts(sf.path, sf.digest, roles, module=extract_module(sf), problem=sf.problem,
                         unknown=Counter())
    idx = index if index is not None and index.sf is sf else TreeIndex(sf)
    return FileFacts(
        path=sf.path,
        digest=sf.digest,
        roles=roles,
        module=extract_module(sf, unknown, idx),
        script=extract_script(sf, unknown, idx) if "script" in roles else None,
        contracts=tuple(extract_contracts(sf, unknown, idx)) if "contract" in roles or "spec" in roles else (),
        specs=tuple(extract_specs(sf, unknown, idx)) if "spec" in roles else (),
        builders=tuple(extract_builders(sf, unknown, idx)) if "builder" in roles else (),
        configs=tuple(extract_configs(sf, unknown, idx)) if "config" in roles else (),
        hyperparams=tuple(extract_configs(sf, unknown, idx)) if "hyperparams" in roles else (),
        problem=None,
        unknown=+unknown,
        unknown_at=tuple(sorted(set(unknown.cases), key=lambda c: (c.line, c.column, c.kind))),
    )


__all__ = [
    "ROLES", "TreeIndex", "index_for", "extract_all", "extract_module", "extract_script",
    "extract_contracts", "extract_specs", "extract_builders", "extract_configs",
    "ArgDef", "ArgRead", "BuilderFacts", "ConfigFacts", "ConfigRead", "ContractFacts", "ContractRef",
    "DependencyFacts", "DictEntry", "Entry", "EnvCollector", "EnvRead", "EnvSet", "FieldFacts", "FileFacts",
    "HyperparameterFacts", "ImportFact", "JobArg", "KeyUse", "MainCall", "MainEnvDict", "MainFacts", "ModuleFacts",
    "NamedItem", "NameRef", "OutputDestination", "OutputFacts", "Param", "PathConstant",
    "PathUse", "S3Build", "S3Literal", "ScriptFacts", "Span", "SpecFacts", "StepTypeRef", "SysPathEdit",
    "UnknownCase", "KIND_TEXT",
]

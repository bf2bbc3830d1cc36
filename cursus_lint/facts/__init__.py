"""The facts rules read, under the name rules import them by.

The readers themselves live in :mod:`cursus_core.facts` (the runtime-testing planner in the core
needs them too, and the core never imports the linter); this package only re-exports them, so a
rule says ``from cursus_lint.facts import SpecFacts`` and never reaches past its own layer.
"""

from cursus_core.facts import (
    ROLES, ArgDef, ArgRead, BuilderFacts, ConfigFacts, ConfigRead, ContractFacts, ContractRef,
    DependencyFacts, DictEntry, Entry, EnvCollector, EnvRead, EnvSet, FieldFacts, FileFacts, HyperparameterFacts,
    ImportFact, JobArg, KeyUse, MainCall, MainEnvDict, MainFacts, ModuleFacts, NamedItem, NameRef, OutputDestination,
    OutputFacts, Param, PathConstant, PathUse, S3Build, S3Literal, ScriptFacts, Span, SpecFacts,
    StepTypeRef, SysPathEdit, TreeIndex, extract_all, extract_builders, extract_configs, extract_contracts,
    extract_module, extract_script, extract_specs, index_for, UnknownCase, KIND_TEXT,
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

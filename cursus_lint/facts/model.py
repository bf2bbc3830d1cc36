"""The fact dataclasses under the name rules import them by; they live in ``cursus_core.facts.model``."""

from cursus_core.facts.model import (
    ArgDef, ArgRead, BuilderFacts, ConfigFacts, ConfigRead, ContractFacts, ContractRef, DependencyFacts,
    DictEntry, Entry, EnvRead, EnvSet, FieldFacts, FileFacts, HyperparameterFacts, ImportFact, JobArg,
    KeyUse, MainCall, MainFacts, ModuleFacts, NamedItem, NameRef, OutputDestination, OutputFacts, Param,
    PathConstant, PathUse, S3Build, S3Literal, ScriptFacts, Span, SpecFacts, StepTypeRef, SysPathEdit,
)

__all__ = [
    "ArgDef", "ArgRead", "BuilderFacts", "ConfigFacts", "ConfigRead", "ContractFacts", "ContractRef",
    "DependencyFacts", "DictEntry", "Entry", "EnvRead", "EnvSet", "FieldFacts", "FileFacts",
    "HyperparameterFacts", "ImportFact", "JobArg", "KeyUse", "MainCall", "MainFacts", "ModuleFacts",
    "NamedItem", "NameRef", "OutputDestination", "OutputFacts", "Param", "PathConstant", "PathUse",
    "S3Build", "S3Literal", "ScriptFacts", "Span", "SpecFacts", "StepTypeRef", "SysPathEdit",
]

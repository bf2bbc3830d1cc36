"""Typed, located facts: everything rules may know about a file, nothing they must re-parse.

All classes are frozen ``msgspec.Struct`` classes (slotted, hashable, compared by value, built
positionally or by keyword like dataclasses; copies via ``msgspec.structs.replace``): data only
and safe to share between rules. They are ``array_like`` (the facts cache stores each as the JSON
list of its fields and decodes it with msgspec's typed decoder, see :mod:`cursus_core.structcodec`)
and ``forbid_unknown_fields`` (a longer list is an error, not silently cut). Fields holding a
literal of any kind are typed :data:`~cursus_core.literal_value.LiteralValue`, so they come back
from the cache with their exact types. Not dataclasses because every run creates these classes at import: a Struct class
costs ~0.2 ms to create where a slotted dataclass costs ~2 ms (issue 13).

Positions are 1-based; ``end_column`` is exclusive (``end_col_offset + 1``), so for a one-line
span ``end_column - column`` is its length. Columns count characters, not UTF-8 bytes.

Values that could not be read statically are ``None`` (never guessed); the extractor counts
them under a stable kind in ``FileFacts.unknown`` for ``--statistics``.
"""
from collections import Counter
from pathlib import Path

import msgspec

from cursus_core.literal_value import LiteralValue
from cursus_core.source import SourceProblem


class Span(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A 1-based character range in one file; ``end_column`` is exclusive. Python facts and
    ``.step.yaml`` values share it, so an interface value needs no conversion to become a fact."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int = 1, column: int = 1) -> "Span":
        """An empty range, for things that have no extent (the start of a file)."""
        return cls(line, column, line, column)


# ----------------------------------------------------------------------------- module level


class ImportFact(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``import a.b`` (``names=()``, ``is_from=False``) or ``from ..a import b, c`` (``level=2``)."""

    module: str
    names: tuple[str, ...]
    level: int
    span: Span
    is_from: bool
    aliases: tuple[str | None, ...] = ()


class SysPathEdit(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``sys.path.append/insert/extend/remove(...)``, ``sys.path = ...``, ``sys.path += ...``,
    ``sys.path[...] = ...`` or ``site.addsitedir(...)``."""

    kind: str  # append | insert | extend | remove | assign | augassign | item-assign | addsitedir
    span: Span


class S3Literal(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    value: str
    span: Span


class S3Build(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """An S3 location assembled from strings at run time.

    ``kind``: fstring | concat (``+``) | percent (``%``) | format (``.format``) | join
    (``os.path.join``/``"/".join``). ``reason``: ``"s3-prefix"`` when the text starts with
    ``s3://``, ``"pipeline-var"`` when it combines a variable whose name mentions
    s3/bucket/prefix. ``text`` is the expression with unknown parts shown as ``{name}``.
    """

    kind: str
    reason: str
    text: str
    span: Span
    variables: tuple[str, ...] = ()


class ModuleFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    imports: tuple[ImportFact, ...] = ()
    sys_path_edits: tuple[SysPathEdit, ...] = ()
    s3_literals: tuple[S3Literal, ...] = ()
    s3_builds: tuple[S3Build, ...] = ()
    #: top-level names bound by ``def``/``class``/assignment, with where
    definitions: dict[str, Span] = msgspec.field(default_factory=dict)


# ----------------------------------------------------------------------------- scripts


class PathUse(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A container path (under ``/opt/ml/``) used by a script.

    ``value`` is the known base the expression starts from (a literal or a constant's
    value); ``full`` is the resolved path (``os.path.join(INPUT, "x.csv")`` ->
    ``/opt/ml/.../x.csv``); ``complete`` is False when a run-time part was cut off, in which
    case ``full`` is the known prefix. ``via``: literal | constant | join | pathlib |
    fstring | concat.
    """

    value: str
    full: str
    span: Span
    via: str
    constant: str | None = None
    complete: bool = True
    #: the env var this path is the fallback of (``os.environ.get("SM_X", "/opt/ml/...")``)
    env_default: str | None = None


class PathConstant(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``NAME = "/opt/ml/..."`` (any scope) or a name bound to a path built from one."""

    name: str
    value: str
    span: Span


class EnvRead(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``how``: subscript | get | getenv | in | setdefault | environ_vars | environ_vars.get |
    environ_vars.in | wrapper (a helper whose parameter is the env name)."""

    name: str
    span: Span
    has_default: bool
    how: str
    #: the literal default (``os.environ.get("X", "d")`` -> ``"d"``); see ``default_is_literal``
    default: LiteralValue = None
    default_is_literal: bool = False
    #: the value only reaches a ``print``/logging call (a debug dump of the environment)
    debug_only: bool = False
    #: ``int`` / ``float`` when the read is converted directly (``int(os.environ.get("X"))``)
    converted: str | None = None


class ArgDef(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One ``parser.add_argument(...)``; ``name`` is normalised (no leading dashes, ``-`` -> ``_``,
    ``dest=`` wins)."""

    name: str
    raw: str
    span: Span
    has_default: bool
    required: bool
    flags: tuple[str, ...] = ()
    #: the literal ``default=`` value; see ``default_is_literal``
    default: LiteralValue = None
    default_is_literal: bool = False


class ArgRead(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``args.job_type`` / ``job_args.job_type`` / ``getattr(args, "x", d)``."""

    name: str
    span: Span
    variable: str


class KeyUse(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A logical-name access on the input/output path dicts: ``input_paths["DATA"]``,
    ``output_paths.get("x")``, ``"x" in input_paths``. ``kind`` is input | output."""

    key: str
    span: Span
    dict_name: str
    kind: str
    how: str  # subscript | get | in
    dict_is_main_param: bool


class Param(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    name: str
    span: Span
    has_default: bool = False


class MainCall(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``main(...)`` inside the ``__main__`` block."""

    span: Span
    keywords: tuple[str, ...]
    positional: int


class MainFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """The script's top-level ``def main(...)``.

    ``testable``: the first four parameters are input_paths, output_paths, environ_vars,
    job_args. ``partial``: some but not all of those four names are used as parameters.
    """

    params: tuple[Param, ...]
    span: Span
    name_span: Span
    testable: bool
    partial: bool


class DictEntry(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One ``"KEY": value`` of a dict literal; ``value`` is the resolved string (a container
    path or literal) or None when it is computed at run time."""

    key: str
    key_span: Span
    value: str | None
    value_span: Span


class NamedItem(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    name: str
    span: Span


class MainEnvDict(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """The ``environ_vars`` dict the ``__main__`` block passes to ``main()``: the literal keys it
    holds (``complete``: no key of unknown name), or every key (``everything``: a copy of
    ``os.environ``); ``first_line``/``last_line`` bound the ``__main__`` block."""

    keys: tuple[NamedItem, ...]
    span: Span
    complete: bool
    everything: bool
    first_line: int
    last_line: int


class ScriptFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    paths: tuple[PathUse, ...] = ()
    path_constants: tuple[PathConstant, ...] = ()
    env_reads: tuple[EnvRead, ...] = ()
    dynamic_env_reads: int = 0
    arg_defs: tuple[ArgDef, ...] = ()
    arg_reads: tuple[ArgRead, ...] = ()
    key_uses: tuple[KeyUse, ...] = ()
    main: MainFacts | None = None
    has_main_guard: bool = False
    main_guard_span: Span | None = None
    main_calls: tuple[MainCall, ...] = ()
    #: dict literals bound to names in the ``__main__`` block (input_paths, output_paths,
    #: environ_vars, ...), including ``d["K"] = v`` item assignments there
    main_dicts: dict[str, tuple[DictEntry, ...]] = msgspec.field(default_factory=dict)
    #: what the ``__main__`` block passes as ``environ_vars`` (None: no such dict is passed)
    main_env: MainEnvDict | None = None
    uses_argparse: bool = False
    #: kind (input | output | env) -> first place a path dict, an env dict or ``os.environ`` is
    #: used as a whole (iterated, ``.items()``, aliased, handed to a helper under another
    #: name): its keys may then be read where these facts cannot see
    dict_escapes: dict[str, Span] = msgspec.field(default_factory=dict)
    #: ``sys.argv`` is read (arguments parsed by hand rather than with argparse)
    reads_argv: bool = False


# ----------------------------------------------------------------------------- contracts


class Entry(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One declared value. ``key_span`` points at the dict key (or list item), ``value_span`` at
    the value; both point into a constant's definition when the value came from one.
    ``value`` is None when it is not a literal."""

    value: LiteralValue
    key_span: Span
    value_span: Span


class ContractFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    variable: str | None  # None for a contract returned from a function
    function: str | None  # the enclosing function (``_get_contract``) if any
    class_name: str
    is_training: bool
    span: Span  # the call
    entry_point: Entry | None = None
    inputs: dict[str, Entry] = msgspec.field(default_factory=dict)
    outputs: dict[str, Entry] = msgspec.field(default_factory=dict)
    required_env_vars: tuple[NamedItem, ...] = ()
    optional_env_vars: dict[str, Entry] = msgspec.field(default_factory=dict)
    expected_arguments: dict[str, Entry] = msgspec.field(default_factory=dict)
    #: keyword -> span of ``kw=value``; ``value_spans`` -> span of the value only
    keyword_spans: dict[str, Span] = msgspec.field(default_factory=dict)
    value_spans: dict[str, Span] = msgspec.field(default_factory=dict)
    #: keyword -> what its literal value is when that cannot be the right type ("an int")
    wrong_types: dict[str, str] = msgspec.field(default_factory=dict)
    #: fields (or parts of them) that are not literal: name -> span
    non_literal: dict[str, Span] = msgspec.field(default_factory=dict)
    variable_span: Span | None = None
    #: the program the container really runs when it is not the entry point script (an
    #: interface's ``compute.container_entrypoint``): what the contract declares may be used there
    delegated_to: str | None = None
    #: interface ``computed_env_paths``: set by the template from the output prefix, not by the config
    computed_env_vars: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- specifications


class StepTypeRef(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """How ``step_type`` was written. ``raw_kind``: literal | spec_type_with_job_type |
    get_spec_step_type | get_spec_step_type_with_job_type | dynamic. For a literal,
    ``base`` is the literal text and ``job_type`` None."""

    base: str | None
    job_type: str | None
    raw_kind: str
    span: Span


class ContractRef(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``script_contract=``: ``kind`` name | call | none | dynamic. ``name`` is the referenced name or the
    called function; ``import_module``/``import_level``/``imported_name`` say where it came
    from (``from ..contracts.x import X`` -> ``contracts.x``, 2, ``X``), statically, following
    a ``_get_contract()`` function body. ``local`` is True when defined in this file."""

    kind: str
    name: str | None
    span: Span | None
    import_module: str | None = None
    import_level: int = 0
    imported_name: str | None = None
    local: bool = False


class DependencyFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    logical_name: str | None
    dependency_type: str | None  # "processing_output", "training_data", ...
    required: bool | None  # True when not written (the model's default); None if not literal
    compatible_sources: tuple[str, ...]
    semantic_keywords: tuple[str, ...]
    data_type: str | None
    span: Span
    keyword_spans: dict[str, Span] = msgspec.field(default_factory=dict)
    dict_key: str | None = None  # the key when dependencies is a dict
    non_literal: dict[str, Span] = msgspec.field(default_factory=dict)
    wrong_types: dict[str, str] = msgspec.field(default_factory=dict)
    #: one span per ``compatible_sources`` string, in order (parallel to ``compatible_sources``)
    compatible_source_spans: tuple[Span, ...] = ()


class OutputFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    logical_name: str | None
    output_type: str | None
    property_path: str | None
    aliases: tuple[str, ...]
    data_type: str | None
    span: Span
    property_path_span: Span | None = None
    keyword_spans: dict[str, Span] = msgspec.field(default_factory=dict)
    dict_key: str | None = None
    non_literal: dict[str, Span] = msgspec.field(default_factory=dict)
    wrong_types: dict[str, str] = msgspec.field(default_factory=dict)


class SpecFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    variable: str | None
    span: Span
    step_type: StepTypeRef | None
    node_type: str | None  # internal | source | sink | singular
    node_type_span: Span | None
    script_contract: ContractRef
    dependencies: tuple[DependencyFacts, ...] = ()
    outputs: tuple[OutputFacts, ...] = ()
    dependencies_shape: str = "none"  # list | dict | none | dynamic
    outputs_shape: str = "none"
    keyword_spans: dict[str, Span] = msgspec.field(default_factory=dict)
    non_literal: dict[str, Span] = msgspec.field(default_factory=dict)
    variable_span: Span | None = None
    #: keyword -> what its literal value is when that cannot be the right type ("an int")
    wrong_types: dict[str, str] = msgspec.field(default_factory=dict)


# ----------------------------------------------------------------------------- builders


class ConfigRead(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """``self.config.X`` (or ``config.X`` for an alias/parameter). ``guarded`` when inside a
    ``hasattr(self.config, "X")`` branch or read with ``getattr(self.config, "X", default)``.
    ``how``: attr | call | getattr."""

    attr: str
    span: Span
    guarded: bool
    how: str
    method: str | None = None


class EnvSet(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """An env var the builder sets in ``_get_environment_variables``; ``how``: item | update |
    dict (a literal dict assigned or returned, including ``{**base, "X": ...}``)."""

    name: str
    span: Span
    how: str


class JobArg(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    name: str  # normalised like ArgDef.name
    raw: str
    span: Span


class NameRef(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A reference to a spec/contract name, with the import it came from if any."""

    name: str
    span: Span
    import_module: str | None = None
    import_level: int = 0


class OutputDestination(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A destination expression in ``_get_outputs``. ``kind``: base (Join /
    ``_get_base_output_path()`` / ``pipeline_s3_loc``) | literal | fstring | concat | input
    (taken from the ``outputs`` argument) | other."""

    kind: str
    span: Span
    uses_base: bool


class BuilderFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    name: str
    bases: tuple[str, ...]
    span: Span
    name_span: Span
    methods: dict[str, Span] = msgspec.field(default_factory=dict)
    decorators: tuple[str, ...] = ()
    config_reads: tuple[ConfigRead, ...] = ()
    env_vars_set: tuple[EnvSet, ...] = ()
    has_env_method: bool = False
    calls_super_env: bool = False
    job_arguments: tuple[JobArg, ...] = ()
    has_job_args_method: bool = False
    spec_refs: tuple[NameRef, ...] = ()
    contract_refs: tuple[NameRef, ...] = ()
    dynamic_spec_import: bool = False
    config_class: str | None = None
    config_class_source: str | None = None  # isinstance | annotation | import
    config_class_import: str | None = None
    s3_literals: tuple[S3Literal, ...] = ()
    s3_builds: tuple[S3Build, ...] = ()
    output_destinations: tuple[OutputDestination, ...] = ()
    #: no builder file: stands in for the template builder of an interface-layout step (only
    #: ``config_reads``, ``config_class`` and the name are meaningful)
    synthesized: bool = False
    #: synthesized only: the routing keys as written (``kind``, ``step_assembly``) and the
    #: ``compute`` keys written (value: the literal as text), each located in the YAML
    template_keys: dict[str, Entry] = msgspec.field(default_factory=dict)


# ----------------------------------------------------------------------------- configs


class FieldFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """An annotated class attribute. ``required`` follows pydantic: no default, or
    ``Field(...)``. ``default`` is the literal default (None when absent or not literal;
    check ``has_default`` / ``default_is_literal``)."""

    name: str
    annotation: str | None
    span: Span
    required: bool
    has_default: bool
    default: LiteralValue = None
    default_is_literal: bool = False
    via_field: bool = False
    class_var: bool = False
    #: where the default value is written (``= "x"`` or ``Field(default="x")``); None without one
    default_span: Span | None = None


class EnvCollector(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """A config member that produces the container env (``get_environment_variables``, the
    ``environment_variables`` property, ``_env_overrides``): the literal names it emits, located.

    ``complete`` is False when some emitted key is computed (a loop variable, a dict from
    elsewhere): then ``names`` is only part of what it emits. ``super_call`` records a call of the
    parent's collector: ``"names"`` when it passes arguments (the declared names), ``"bare"``
    when it passes none. ``takes_names``: it accepts the declared names as a parameter.
    """

    member: str
    span: Span
    names: tuple[EnvSet, ...] = ()
    complete: bool = True
    super_call: str | None = None
    takes_names: bool = False


class ConfigFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    name: str
    bases: tuple[str, ...]
    span: Span
    name_span: Span
    fields: dict[str, FieldFacts] = msgspec.field(default_factory=dict)
    private_attrs: dict[str, Span] = msgspec.field(default_factory=dict)
    class_attrs: dict[str, Span] = msgspec.field(default_factory=dict)
    properties: dict[str, Span] = msgspec.field(default_factory=dict)
    methods: dict[str, Span] = msgspec.field(default_factory=dict)
    classmethods: dict[str, Span] = msgspec.field(default_factory=dict)
    staticmethods: dict[str, Span] = msgspec.field(default_factory=dict)
    #: env collectors the class defines itself, by member name
    env_collectors: dict[str, EnvCollector] = msgspec.field(default_factory=dict)

    def has_member(self, name: str) -> bool:
        """Whether ``name`` is defined on this class itself (not its bases)."""
        return (name in self.fields or name in self.private_attrs or name in self.class_attrs
                or name in self.properties or name in self.methods or name in self.classmethods
                or name in self.staticmethods)


HyperparameterFacts = ConfigFacts


# ----------------------------------------------------------------------------- bundle


class UnknownCase(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    """One fact that could not be known statically: its kind (as counted in ``unknown``), where it
    is (1-based) and its source text, shortened."""

    kind: str
    line: int
    column: int
    code: str


class FileFacts(msgspec.Struct, frozen=True, array_like=True, forbid_unknown_fields=True):
    path: Path
    digest: str
    roles: frozenset[str]
    module: ModuleFacts | None = None
    script: ScriptFacts | None = None
    contracts: tuple[ContractFacts, ...] = ()
    specs: tuple[SpecFacts, ...] = ()
    builders: tuple[BuilderFacts, ...] = ()
    configs: tuple[ConfigFacts, ...] = ()
    hyperparams: tuple[ConfigFacts, ...] = ()
    problem: SourceProblem | None = None
    unknown: Counter[str] = msgspec.field(default_factory=Counter)
    #: where each counted case is (for ``--verbose``)
    unknown_at: tuple[UnknownCase, ...] = ()

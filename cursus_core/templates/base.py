"""``TemplateStepBuilder``: a step builder fed by a ``.step.yaml`` interface instead of builder code.

In the interface layout a step has no builder file: the interface says what the step needs
(contract: container paths, env vars, job arguments; spec: dependencies and outputs; compute:
which SDK object and which config fields feed it) and the config supplies every value. This base
turns that into what the compiler's :class:`~cursus_core.compiler.assembler.PipelineAssembler`
expects of any builder: a ``spec`` (a :class:`StepSpecification` built from the interface, so the
shared resolver wires it exactly like a classic spec) and ``create_step(inputs, outputs,
dependencies)``. Subclasses (one module per route family) build the SageMaker step.

Nothing here imports sagemaker at import time.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, ClassVar

from cursus_core.base.builder import StepBuilderBase, _env_value
from cursus_core.base.specification import DependencySpec, OutputSpec, StepSpecification, spec_type_with_job_type
from cursus_core.interface.discovery import snake_step_name
from cursus_core.interface.model import StepInterface

__all__ = ["TemplateStepBuilder", "TemplateConfigError"]

logger = logging.getLogger(__name__)

#: Config classes below which an env-var collector counts as the config's own (not a shared base).
_SHARED_BASES = ("BasePipelineConfig", "ProcessingStepConfigBase", "TieredModel", "BaseModel", "object")


class TemplateConfigError(ValueError):
    """The config cannot feed the interface (a value the step needs has no source)."""


def spec_from_interface(interface: StepInterface, job_type: str | None) -> StepSpecification:
    """The interface's spec section (already variant-merged) as a :class:`StepSpecification`.

    An alias equal to its own output's name says nothing and is dropped (upstream accepts it;
    StepSpecification rejects an alias that collides with a logical name).
    """
    name = interface.name or ""
    deps = {d.name: DependencySpec(logical_name=d.name, dependency_type=d.type.value, required=d.required.value,
                                   compatible_sources=[v.value for v in d.compatible_sources],
                                   semantic_keywords=[v.value for v in d.semantic_keywords],
                                   data_type=d.data_type.value, description=d.description.value)
            for d in interface.spec.dependencies.values()}
    outs = {o.name: OutputSpec(logical_name=o.name, output_type=o.type.value, property_path=o.property_path.value,
                               aliases=[v.value for v in o.aliases if v.value != o.name], data_type=o.data_type.value,
                               description=o.description.value)
            for o in interface.spec.outputs.values()}
    step_type = spec_type_with_job_type(name, job_type) if interface.variants and job_type else name
    return StepSpecification(step_type=step_type, node_type=interface.node_type.value, dependencies=deps,
                             outputs=outs)


class TemplateStepBuilder(StepBuilderBase):
    """Shared duties of every route: spec, env vars, job arguments, output destinations, inputs.

    Concrete routes are bound to one interface by :func:`cursus_core.templates.bind` (a subclass
    per step, so the compiler can create it like any builder class: ``cls(config=..., ...)``).
    """

    #: The base interface (variants not yet merged); set on the bound subclass.
    interface_base: ClassVar[StepInterface]
    #: ``Processing/code``, ``Training`` ...: what the compilation report shows.
    route: ClassVar[str] = ""

    def __init__(self, config: Any, sagemaker_session: Any = None, role: str | None = None, **_: Any) -> None:
        job_type = getattr(config, "job_type", None)
        self.job_type = job_type if isinstance(job_type, str) and job_type else None
        self.interface = self.interface_base.for_job_type(self.job_type)
        super().__init__(config=config, spec=spec_from_interface(self.interface, self.job_type),
                         sagemaker_session=sagemaker_session, role=role)

    # -- what the interface declares -------------------------------------------------------
    @property
    def step_type(self) -> str:
        return self.interface.name or ""

    def _find_contract(self) -> None:
        return None  # the interface is the contract; StepBuilderBase's lookup does not apply

    def container_input_paths(self) -> dict[str, str | None]:
        return {n: p.path.value for n, p in self.interface.contract.inputs.items()}

    def container_output_paths(self) -> dict[str, str | None]:
        return {n: p.path.value for n, p in self.interface.contract.outputs.items()}

    def include_job_type_in_path(self) -> bool:
        """``patterns.include_job_type_in_path`` when written, else the contract's (default True)."""
        written = self.interface.patterns.include_job_type_in_path
        return bool(written.value if written.written else self.interface.contract.include_job_type_in_path.value)

    def compute_value(self, key: str, default: Any = None) -> Any:
        val = self.interface.compute.values.get(key)
        return default if val is None else val.value

    def config_field(self, key: str, *fallbacks: str, required: bool = True) -> Any:
        """The config attribute named by ``compute.<key>`` (else the first fallback name it has)."""
        names = [n for n in (self.compute_value(key), *fallbacks) if isinstance(n, str) and n]
        for name in names:
            value = getattr(self.config, name, None)
            if value is not None:
                return value
        if required:
            what = f"compute.{key} names '{names[0]}'" if self.compute_value(key) else f"needs one of {names}"
            raise TemplateConfigError(f"{type(self.config).__name__} has no value for {key.removesuffix('_field')}: "
                                      f"{what}, which the config does not set")
        return None

    # -- validation ------------------------------------------------------------------------
    def validate_configuration(self) -> None:
        """Every required env var and every job argument must have a source in the config."""
        env = self._collect_env()
        missing = [v.value for v in self.interface.contract.env_required if v.value not in env]
        if missing:
            raise TemplateConfigError(
                f"required env var(s) {', '.join(missing)} of {self.step_type} get no value from "
                f"{type(self.config).__name__} (no env collector method supplies them and it has no field "
                f"{', '.join(repr(m.lower()) for m in missing)})")
        for arg in self.interface.contract.job_arguments:
            source = arg.source.value
            if not source or not hasattr(self.config, source):
                raise TemplateConfigError(f"job argument {arg.flag.value} of {self.step_type} reads config attribute "
                                          f"'{source}', which {type(self.config).__name__} does not have")

    # -- env vars ----------------------------------------------------------------------------
    def _own_collector(self) -> Any:
        """The config class's own ``get_environment_variables`` (not one of a shared base), or None."""
        for klass in type(self.config).__mro__:
            if klass.__name__ in _SHARED_BASES:
                return None
            if "get_environment_variables" in vars(klass):
                return self.config.get_environment_variables
        return None

    def declared_env_names(self) -> list[str]:
        contract = self.interface.contract
        return [v.value for v in contract.env_required] + list(contract.env_optional)

    def _collect_env(self) -> dict[str, str]:
        """Collector, else same-named fields, then interface defaults (no computed paths)."""
        names = self.declared_env_names()
        env: dict[str, str] = {}
        collector = self._own_collector()
        if collector is not None:
            takes_names = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
                              for p in inspect.signature(collector).parameters.values())
            produced = collector(names) if takes_names else collector()
            env.update({str(k): _env_value(v) for k, v in dict(produced or {}).items()})
        else:
            for name in names:
                value = getattr(self.config, name.lower(), None)
                if value is not None:
                    env[name] = _env_value(value)
        for name, default in self.interface.contract.env_optional.items():
            env.setdefault(name, default.value)
        return env

    def _get_environment_variables(self) -> dict[str, Any]:
        """Collected env vars plus ``computed_env_paths`` as ``Join`` over the base output path."""
        env: dict[str, Any] = dict(self._collect_env())
        computed = self.interface.contract.computed_env_paths
        if computed:
            from sagemaker.workflow.functions import Join

            for name, segments in computed.items():
                env[name] = Join(on="/", values=[self._get_base_output_path(), *segments.value])
        return env

    # -- job arguments -------------------------------------------------------------------------
    def _get_job_arguments(self) -> list[str] | None:
        """``flag value`` per ``contract.job_arguments`` (value: the config attribute ``source``);
        an attribute that is None drops its flag. None when there are none."""
        args: list[str] = []
        for arg in self.interface.contract.job_arguments:
            value = getattr(self.config, arg.source.value, None)
            if value is not None:
                args += [arg.flag.value, _env_value(value)]
        return args or None

    # -- outputs -------------------------------------------------------------------------------
    def output_segments(self) -> list[str]:
        """``<snake step>[/<job_type>]``: the folder of this step below the execution prefix."""
        token = self.interface.contract.output_path_token.value
        if token:
            return [token]
        parts = [snake_step_name(self.step_type)]
        if self.include_job_type_in_path() and self.job_type:
            parts.append(self.job_type)
        return parts

    def output_destinations(self, prefix: Any) -> dict[str, Any]:
        """Where each spec output goes: ``Join([prefix, <step>, [<job_type>], <logical>])``."""
        from sagemaker.workflow.functions import Join

        return {name: Join(on="/", values=[prefix, *self.output_segments(), name]) for name in self.spec.outputs}

    def describe_output(self, name: str) -> str:
        """The destination of output ``name`` as text (for the compilation report)."""
        return "/".join(["{execution prefix}", *self.output_segments(), name])

    def single_output_path(self, outputs: dict[str, Any]) -> Any:
        """Estimators and transformers write below one path: ``Join([prefix, <step>, [<job_type>]])``."""
        from sagemaker.workflow.functions import Join

        return Join(on="/", values=[self._get_base_output_path(), *self.output_segments()])

    # -- inputs --------------------------------------------------------------------------------
    def wired_inputs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Resolved inputs, with ``input_source_overrides`` taken from the config, and ``skip_inputs``
        dropped; a required dependency with no value raises."""
        inputs = self._resolve_inputs(kwargs)
        contract = self.interface.contract
        for logical, attr in contract.input_source_overrides.items():
            value = getattr(self.config, attr.value, None)
            value = value() if callable(value) else value
            if value is not None:
                inputs[logical] = value
        skipped = {v.value for v in contract.skip_inputs}
        out: dict[str, Any] = {}
        for name, dep in self.spec.dependencies.items():
            if name in skipped:
                continue
            if name in inputs:
                out[name] = inputs[name]
            elif dep.required:
                raise ValueError(f"required input '{name}' of {self.step_type} was not provided")
        return out

    def _get_inputs(self, inputs: dict[str, Any]) -> Any:  # routes override
        return inputs

    def _get_outputs(self, outputs: dict[str, Any]) -> Any:  # routes override
        return outputs

    def _finish(self, step: Any) -> Any:
        step._spec = self.spec
        return step

    def create_step(self, **kwargs: Any) -> Any:  # pragma: no cover - every route overrides
        raise NotImplementedError(type(self).__name__)

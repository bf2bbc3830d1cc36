"""Template builders for the interface layout: a SageMaker step from a ``.step.yaml`` and a config.

One module per route family -- :mod:`.processing` (``code=`` and ``step_args=processor.run(...)``
over SKLearn, XGBoost, framework, script and bring-your-own-container processors),
:mod:`.training` (estimators; one input fanned out into its declared channels),
:mod:`.create_model` and :mod:`.transform` -- on the shared :mod:`.base`. :mod:`.routes` picks the
route (SageMaker step type x ``patterns.step_assembly`` x ``compute.kind``), and :mod:`.source`
lets the dry-run compiler find config classes and builders of interface-layout steps. The
builders plug into the same assembler as classic builder classes, so wiring (the shared resolver,
``property_path``) is identical. sagemaker is imported only when a step is built.
"""

from .base import TemplateConfigError, TemplateStepBuilder, spec_from_interface
from .routes import Route, UnbuildableRoute, describe, route_for
from .source import InterfaceSteps, bind

__all__ = ["TemplateConfigError", "TemplateStepBuilder", "spec_from_interface", "Route", "UnbuildableRoute",
           "describe", "route_for", "InterfaceSteps", "bind"]

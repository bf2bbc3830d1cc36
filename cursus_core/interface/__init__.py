"""Step interfaces of the cursus >= 2.5 layout (``<pkg>/steps/interfaces/*.step.yaml``, step packs).

Read with positions and executing nothing (:mod:`.reader`), checked against one schema
(:mod:`.schema`, :mod:`.validate`, :mod:`.json_schema`), turned into a typed model with job-type
variants deep-merged (:mod:`.model`, :mod:`.merge`) and discovered in package and step-pack
layouts (:mod:`.discovery`). Importing this package is cheap: the YAML libraries (PyYAML's libyaml
binding; ruamel.yaml only for a text libyaml reads differently) are imported when an interface
file is actually read.
"""

from .span import Problem, Related, Span

__all__ = ["Problem", "Related", "Span"]

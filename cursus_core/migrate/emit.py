"""Write a migrated interface as YAML text in upstream's style.

Upstream's committed ``.step.yaml`` files are block style with sequences at their key's indent,
quoted strings only where YAML would read another type (``'0.7'``, ``''``, ``'true'``), ``null``
for script-less ports, and short flow lists for ``direct_input_keys`` and ``channels``. Key order
is the order of the dicts built by :mod:`.convert`; nothing here sorts. Lines are not folded.
"""

from __future__ import annotations

from typing import Any

import yaml


class Flow(list):
    """A list written inline (``[train, val, test]``)."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper with upstream's indentation and inline :class:`Flow` lists."""


def _flow(dumper: yaml.SafeDumper, data: Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)


_Dumper.add_representer(Flow, _flow)


def to_yaml(document: dict[str, Any]) -> str:
    """``document`` (plain dicts, lists, strings, booleans, None) as ``.step.yaml`` text."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=10_000)

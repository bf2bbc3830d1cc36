"""Discovering the rule modules shipped in ``cursus_lint.rules`` (one ``RULE`` per module)."""

from __future__ import annotations

from functools import lru_cache

from .rule import Rule


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    """Every rule by code, in code order. Importing our own rule modules is not user code.
    pkgutil and importlib are imported here: a result-cache hit imports this module, never calls it."""
    import importlib
    import pkgutil

    import cursus_lint.rules as package

    found: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            continue
        if rule.code in found:
            raise RuntimeError(f"rule code {rule.code} defined twice ({info.name} and another module)")
        found[rule.code] = rule
    return dict(sorted(found.items()))

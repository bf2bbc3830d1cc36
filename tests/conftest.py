"""Suite-wide collection order: test modules holding a test marked ``slow`` (fresh virtual
environments, wheels, dry-run builds, whole-tree comparisons) start first.

With ``--dist worksteal`` (the Makefile's test command) an idle worker takes queued tests from a
busy one, so slow tests begun early overlap the thousands of fast ones instead of leaving one
worker running a two-minute install alone at the end of the run. Whole modules move, in their own
order, so a module-scoped fixture is still built once per worker.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow = {item.path for item in items if item.get_closest_marker("slow") is not None}
    items.sort(key=lambda item: item.path not in slow)

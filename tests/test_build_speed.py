"""What keeps the dry-run build fast: botocore data decoded once per process, and the SDK's optional
heavy imports (pandas) left unloaded until something uses them. Both must leave the build's output as it
was (the golden definition in test_compiler.py) and undo themselves where they promise to.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("botocore")

from botocore.loaders import JSONFileLoader, create_loader  # noqa: E402

from cursus_core.compiler import offline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _count_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files botocore reads and decodes from now on (its ``_load_file`` does both)."""
    decoded: list[str] = []
    original = JSONFileLoader._load_file

    def counting(self: object, full_path: str, open_method: object) -> object:
        found = original(self, full_path, open_method)
        if found is not None:
            decoded.append(Path(full_path).name)
        return found

    monkeypatch.setattr(JSONFileLoader, "_load_file", counting)
    return decoded


def test_each_botocore_data_file_is_decoded_once_across_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline, "_BOTOCORE_DATA", {})
    decoded = _count_decodes(monkeypatch)
    with offline.shared_botocore_data():
        first = create_loader().load_data("endpoints")
        second = create_loader().load_data("endpoints")  # a new Loader: its own cache is empty
    assert decoded == ["endpoints.json"]
    assert second is first and "partitions" in first


def test_without_the_shared_data_every_loader_decodes_again(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded = _count_decodes(monkeypatch)
    create_loader().load_data("endpoints")
    create_loader().load_data("endpoints")
    assert decoded == ["endpoints.json", "endpoints.json"]


def test_the_original_loader_is_back_after_the_build_even_when_nested() -> None:
    original = JSONFileLoader.load_file
    with offline.shared_botocore_data():
        patched = JSONFileLoader.load_file
        assert patched is not original
        with offline.shared_botocore_data():
            assert JSONFileLoader.load_file is patched
        assert JSONFileLoader.load_file is patched
    assert JSONFileLoader.load_file is original

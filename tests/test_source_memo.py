"""The process-wide parse memos are bounded: a long-running language server, whose every edit gives
a file a new (path, mtime, size) key, must not keep every version it ever parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

import cursus_core.source as source
from cursus_core.source import LruMemo, load_source, read_source


def test_lru_memo_keeps_the_most_recently_used() -> None:
    memo: LruMemo[str, int] = LruMemo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.lookup("a") == 1  # "a" is now more recent than "b"
    memo.put("c", 3)
    assert list(memo) == ["a", "c"]
    assert memo.lookup("b") is None
    memo.put("a", 10)  # replacing refreshes too
    memo.put("d", 4)
    assert dict(memo) == {"a": 10, "d": 4}


@pytest.fixture
def small_memos(monkeypatch: pytest.MonkeyPatch) -> tuple[LruMemo, LruMemo]:
    memos = (LruMemo(3), LruMemo(3))
    monkeypatch.setattr(source, "_memo", memos[0])
    monkeypatch.setattr(source, "_bytes_memo", memos[1])
    return memos


def test_parse_memos_stay_within_their_bound(tmp_path: Path, small_memos: tuple[LruMemo, LruMemo]) -> None:
    parsed, read = small_memos
    files = [tmp_path / f"m{i}.py" for i in range(6)]
    for i, f in enumerate(files):
        f.write_text(f"x = {i}\n")
    first = load_source(files[0])
    for f in files[1:3]:
        load_source(f)
    assert load_source(files[0]) is first  # a hit, and now the most recent
    for f in files[3:]:
        load_source(f)
    assert len(parsed) == 3 and len(read) == 3
    assert [key[0] for key in parsed] == [str(f) for f in files[3:]]
    assert load_source(files[0]) is not first  # evicted: parsed again
    assert read_source(files[5])[0] == b"x = 5\n"


def test_edits_of_one_file_do_not_grow_the_memo(tmp_path: Path, small_memos: tuple[LruMemo, LruMemo]) -> None:
    parsed, _ = small_memos
    f = tmp_path / "edited.py"
    for i in range(10):
        f.write_text("y = 1\n" + "#" * i + "\n")  # a new size each time: a new key
        assert load_source(f).text == "y = 1\n" + "#" * i + "\n"
    assert len(parsed) == 3


def test_forget_drops_the_parsed_tree_but_keeps_the_bytes(tmp_path: Path,
                                                         small_memos: tuple[LruMemo, LruMemo]) -> None:
    parsed, read = small_memos
    kept, dropped = tmp_path / "kept.py", tmp_path / "dropped.py"
    kept.write_text("a = 1\n")
    dropped.write_text("b = 2\n")
    first = load_source(dropped)
    load_source(kept)
    source.forget(dropped)
    assert [key[0] for key in parsed] == [str(kept)]
    assert sorted(key[0] for key in read) == sorted([str(kept), str(dropped)])
    again = load_source(dropped)  # parsed again, same content
    assert again is not first and again.text == "b = 2\n" and again.tree is not None

"""Fixes under hostile conditions: a concurrent writer, CR-only files, comments in a shrinking
list, symlinks out of the repo, a write that fails half-way, read-only files (tests run as root,
so read-only is a matter of mode bits, not of os.access)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cursus_lint.cli import main
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.fix import write as write_mod
from cursus_lint.fix.apply import run_fixes
from cursus_lint.fix.write import FixWriteError, write_fixed
from cursus_lint.rules_index import all_rules
from cursus_lint.rules._examples import BASE, edit, repo

RULES = all_rules()
CONTRACT = "steps/contracts/clean_contract.py"
SCRIPT = "steps/scripts/clean.py"
BAD_SCRIPT = edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                  '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("utf-8"))


def runner(root: Path, select: tuple[str, ...] = ("CL103",)):
    settings = load_config(root, set(RULES), overrides={"select": list(select)})
    return lambda overlay: Engine(settings, RULES, overlay=overlay).run([root])


def cli(root: Path, monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(root)
    capsys.readouterr()
    code = main(["check", ".", "--no-cache", "--select", "CL103,CL106", *args])
    return code, capsys.readouterr().err


# ----------------------------------------------------------------------------- (a) concurrent --fix


def test_fix_is_not_applied_to_a_text_another_run_rewrote(tmp_path):
    write(tmp_path, repo(script=BAD_SCRIPT))
    other = run_fixes(runner(tmp_path))  # the other --fix, computed on the same text
    assert other.changed
    calls = []
    base = runner(tmp_path)

    def racing(overlay):
        result = base(overlay)
        if not calls:  # between our lint and our read, the other run writes its fix
            other.write([tmp_path])
        calls.append(overlay)
        return result

    ours = run_fixes(racing)
    assert ours.changed == {}  # re-linted on the new text: nothing left to fix
    assert (tmp_path / CONTRACT).read_text().count('"DEBUG_MODE"') == 1


def test_write_refuses_a_file_changed_on_disk_after_the_lint(tmp_path):
    write(tmp_path, repo(script=BAD_SCRIPT))
    outcome = run_fixes(runner(tmp_path))
    contract = tmp_path / CONTRACT
    contract.write_text(contract.read_text() + "# edited meanwhile\n")
    with pytest.raises(FixWriteError) as info:
        outcome.write([tmp_path])
    assert info.value.path == contract and "changed on disk since it was linted" in info.value.reason
    assert contract.read_text().endswith("# edited meanwhile\n") and "DEBUG_MODE" not in contract.read_text()


def test_fix_write_is_atomic_and_keeps_the_mode(tmp_path, monkeypatch, capsys):
    write(tmp_path, repo(script=BAD_SCRIPT))
    contract = tmp_path / CONTRACT
    contract.chmod(0o640)
    code, err = cli(tmp_path, monkeypatch, capsys, "--fix")
    assert code == 0 and "Fixed 1 finding(s) in 1 file(s)." in err
    assert '"DEBUG_MODE"' in contract.read_text()
    assert stat.S_IMODE(contract.stat().st_mode) == 0o640
    assert sorted(p.name for p in contract.parent.iterdir()) == ["clean_contract.py"]  # no temp file left


# ----------------------------------------------------------------------------- (b) bytes outside the edit


def test_cr_only_file_keeps_every_byte_outside_the_edit(tmp_path, monkeypatch, capsys):
    files = repo(script=BAD_SCRIPT)
    cr = files[CONTRACT].replace("\n", "\r")
    files[CONTRACT] = cr
    write(tmp_path, files)
    code, err = cli(tmp_path, monkeypatch, capsys, "--fix")
    assert code == 0, err
    after = (tmp_path / CONTRACT).read_bytes().decode()
    assert after == cr.replace('{"SEPARATOR": ","}', '{"SEPARATOR": ",", "DEBUG_MODE": ""}')
    assert after.endswith(")\r")  # libcst's round trip drops it; the fix must not


# ----------------------------------------------------------------------------- (c) comments kept


@pytest.mark.parametrize("old,new,expected", [
    # the removed item is last and shares its line with the closing bracket
    ('    required_env_vars=["LABEL_FIELD"],\n',
     '    required_env_vars=["LABEL_FIELD",\n        # legacy flags below\n        "LEGACY_FLAG"],\n',
     '    required_env_vars=["LABEL_FIELD",\n        # legacy flags below\n        ],\n'),
    # the removed item is first, with comments after it
    ('    required_env_vars=["LABEL_FIELD"],\n',
     '    required_env_vars=["LEGACY_FLAG",  # old\n        # the real one\n        "LABEL_FIELD"],\n',
     '    required_env_vars=[  # old\n        # the real one\n        "LABEL_FIELD"],\n'),
    # a dict entry (CL107) after a standalone comment
    ('    optional_env_vars={"SEPARATOR": ","},\n',
     '    optional_env_vars={"SEPARATOR": ",",\n        # kept for old jobs\n        "LEGACY_FLAG": "x"},\n',
     '    optional_env_vars={"SEPARATOR": ",",\n        # kept for old jobs\n        },\n'),
    # an item on lines of its own: its lines go, the comments on other lines stay
    ('    required_env_vars=["LABEL_FIELD"],\n',
     '    required_env_vars=[\n        "LABEL_FIELD",\n        # note\n'
     '        "LEGACY_FLAG",\n        # tail\n    ],\n',
     '    required_env_vars=[\n        "LABEL_FIELD",\n        # note\n        # tail\n    ],\n'),
])
def test_unsafe_removal_keeps_standalone_comments(tmp_path, old, new, expected):
    contract = BASE["contract"].replace(old, new)
    write(tmp_path, repo(contract=contract))
    outcome = run_fixes(runner(tmp_path, ("CL106", "CL107")), unsafe=True)
    assert outcome.current[tmp_path / CONTRACT] == contract.replace(new, expected)
    assert outcome.result.diagnostics == []


# ----------------------------------------------------------------------------- (d) symlinks out of the root


def test_fix_refuses_to_write_through_a_symlink_out_of_the_root(tmp_path, monkeypatch, capsys):
    root, outside = tmp_path / "repo", tmp_path / "elsewhere"
    write(root, repo(script=BAD_SCRIPT))
    (root / ".git").mkdir()
    outside.mkdir()
    target = outside / "clean_contract.py"
    target.write_text(BASE["contract"])
    (root / CONTRACT).unlink()
    (root / CONTRACT).symlink_to(target)
    code, err = cli(root, monkeypatch, capsys, "--fix")
    assert code == 2
    assert f"cannot write fixes: {CONTRACT} lies outside the project root (a symlink to {target})" in err
    assert target.read_text() == BASE["contract"]


# ----------------------------------------------------------------------------- (e) all or nothing


def test_a_failed_replace_rolls_back_the_files_already_written(tmp_path, monkeypatch):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("A = 1\n")
    b.write_text("B = 1\n")
    real_replace = os.replace

    def failing(src, dst):
        if Path(dst) == b:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(write_mod.os, "replace", failing)
    with pytest.raises(FixWriteError) as info:
        write_fixed({a: ("A = 1\n", "A = 2\n"), b: ("B = 1\n", "B = 2\n")}, [tmp_path])
    assert info.value.path == b and info.value.reason == "cannot write: No space left on device"
    assert a.read_text() == "A = 1\n" and b.read_text() == "B = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py"]  # no temp file left


def test_a_file_that_cannot_be_written_stops_the_write_before_any_file_changes(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("A = 1\n")
    b.write_text("B = 1\n")
    b.chmod(0o444)
    with pytest.raises(FixWriteError) as info:
        write_fixed({a: ("A = 1\n", "A = 2\n"), b: ("B = 1\n", "B = 2\n")}, [tmp_path])
    assert info.value.path == b and info.value.reason == "is read-only; make it writable to apply fixes"
    assert a.read_text() == "A = 1\n" and b.read_text() == "B = 1\n"


# ----------------------------------------------------------------------------- (f) read-only files


def test_fix_refuses_a_read_only_file_even_as_root(tmp_path, monkeypatch, capsys):
    write(tmp_path, repo(script=BAD_SCRIPT))
    contract = tmp_path / CONTRACT
    contract.chmod(0o444)
    code, err = cli(tmp_path, monkeypatch, capsys, "--fix")
    assert code == 2
    assert f"cannot write fixes: {CONTRACT} is read-only; make it writable to apply fixes; no file was changed" in err
    assert contract.read_text() == BASE["contract"]
    assert stat.S_IMODE(contract.stat().st_mode) == 0o444


# ----------------------------------------------------------------------------- encodings


def test_fix_keeps_the_files_declared_encoding(tmp_path, monkeypatch, capsys):
    files = repo(script=BAD_SCRIPT)
    write(tmp_path, files)
    contract = tmp_path / CONTRACT
    latin = "# -*- coding: latin-1 -*-\n# Maintainer: Jos\u00e9\n" + files[CONTRACT]
    contract.write_bytes(latin.encode("latin-1"))
    code, err = cli(tmp_path, monkeypatch, capsys, "--fix")
    assert code == 0 and "Fixed 1 finding(s) in 1 file(s)." in err
    data = contract.read_bytes()
    assert data.startswith(b"# -*- coding: latin-1 -*-\n# Maintainer: Jos\xe9\n")  # not re-encoded as UTF-8
    assert '"DEBUG_MODE"' in data.decode("latin-1")


def test_fixed_text_the_declared_encoding_cannot_hold_is_refused(tmp_path):
    path = tmp_path / "x.py"
    old = "# coding: latin-1\nA = 'x'\n"
    path.write_bytes(old.encode("latin-1"))
    with pytest.raises(FixWriteError, match="cannot be written in the file's declared encoding"):
        write_fixed({path: (old, old.replace("'x'", "'\u20ac'"))}, [tmp_path])
    assert path.read_bytes() == old.encode("latin-1")

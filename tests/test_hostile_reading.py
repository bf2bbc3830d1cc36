"""Reading hostile files: PEP 263 encodings as CPython accepts them, Python's own line breaks,
and only regular files (a FIFO, a socket or ``/dev/zero`` named ``*.py`` never blocks a run)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from cursus_core.source import MAX_SOURCE_BYTES, load_source, parse_text, read_regular_file, split_lines
from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.facts import EnvRead, Span, extract_script
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

from .repo_helpers import write_repo


def findings(root: Path, select: list[str]) -> list[tuple[str, int, int, str, str]]:
    settings = load_config(root, set(all_rules()), overrides={"select": select})
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in Engine(settings).run([root]).diagnostics]


# ------------------------------------------------------------------------------ encodings


def test_latin1_coding_declaration_is_honoured() -> None:
    src = '# -*- coding: latin-1 -*-\nimport os\nX = os.environ.get("CAF\u00c9", "d\u00e9j\u00e0")\n'.encode("latin-1")
    sf = parse_text(Path("s.py"), src)
    assert sf.problem is None
    (read,) = extract_script(sf).env_reads
    assert (read.name, read.default, read.span) == ("CAF\u00c9", "d\u00e9j\u00e0", Span(3, 5, 3, 35))


def test_coding_declaration_on_line_two_after_a_shebang() -> None:
    sf = parse_text(Path("s.py"), b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nX = '\x80'\n")
    assert sf.problem is None and sf.text is not None and "X = '\u20ac'" in sf.text


@pytest.mark.parametrize("src", [b"x = 1\n# caf\xe9\n", b"# caf\xe9\nx = 1\n", b"x = 1  # \xff\xfe\n"],
                         ids=["comment-line-2", "comment-line-1", "trailing-comment"])
def test_undecodable_comment_is_accepted_as_cpython_does(src: bytes) -> None:
    compile(src, "s.py", "exec")  # the oracle: CPython 3.11 accepts these bytes
    sf = parse_text(Path("s.py"), src)
    assert (sf.ok, sf.problem) == (True, None)
    assert sf.lines[:1] in (["x = 1"], ["# caf\ufffd"], ["x = 1  # \ufffd\ufffd"])


def test_undecodable_byte_in_code_is_still_cl902() -> None:
    sf = parse_text(Path("s.py"), b"x = 1\ny = 'caf\xe9'\n")
    assert sf.problem is not None
    assert (sf.problem.kind, sf.problem.line, sf.problem.message) == (
        "not-utf8", 2, "file is not valid UTF-8 (byte 0xe9 at offset 14)")


def test_declared_ascii_rejects_a_non_ascii_byte() -> None:
    sf = parse_text(Path("s.py"), b"# coding: ascii\nx = 1  # \xe9\n")
    with pytest.raises(SyntaxError):
        compile(b"# coding: ascii\nx = 1  # \xe9\n", "s.py", "exec")
    assert sf.problem is not None and sf.problem.message == "file is not valid ascii (byte 0xe9 at offset 25)"


def test_unknown_encoding_is_a_cl902_finding(tmp_path: Path) -> None:
    write_repo(tmp_path, ex.repo(extra={"steps/scripts/clean.py": "# coding: klingon\n" + ex.SCRIPT}))
    assert findings(tmp_path, ["CL9"]) == [
        ("steps/scripts/clean.py", 1, 1, "CL902", "unknown encoding 'klingon' in the coding declaration")]


def test_bom_contradicting_the_declaration_is_a_problem() -> None:
    sf = parse_text(Path("s.py"), b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    assert sf.problem is not None and (sf.problem.kind, sf.problem.line) == ("bad-encoding", 1)


# ------------------------------------------------------------------------------ line breaks


def test_split_lines_breaks_only_where_python_does() -> None:
    assert split_lines("a\x0cb\x85c\u2028d\u2029e\x1cf\r\ng\rh\n") == ["a\x0cb\x85c\u2028d\u2029e\x1cf", "g", "h"]
    assert split_lines("") == [] and split_lines("x") == ["x"] and split_lines("x\n\n") == ["x", ""]


def test_split_lines_without_a_carriage_return_breaks_at_newlines_only() -> None:
    # the common case takes str.split("\n"): the same lines as the three-break expression
    import re

    breaks = re.compile(r"\r\n|\r|\n")
    for text in ["a\x0cb\x85c\u2028d\n\ne", "\n", "\n\nx", "x\x0b\n\u2029\n", "é\n" * 3]:
        expected = breaks.split(text)
        assert split_lines(text) == (expected[:-1] if expected[-1] == "" else expected), repr(text)
    assert split_lines("a\x0cb\x85c\u2028d\n\ne") == ["a\x0cb\x85c\u2028d", "", "e"]
    assert split_lines("\n\nx") == ["", "", "x"]


@pytest.mark.parametrize("odd", ["\x0c", "\x85", "\u2028", "\u2029", "\x1d"])
def test_columns_after_an_odd_line_break_character(odd: str) -> None:
    src = f'import os\nNOTE = "a{odd}b"\nX = "\u00e9"; Y = os.environ["REGION"]\n'
    sf = parse_text(Path("s.py"), src.encode())
    assert len(sf.lines) == 3
    (read,) = extract_script(sf).env_reads
    assert read == EnvRead("REGION", Span(3, 14, 3, 34), False, "subscript")


# ------------------------------------------------------------------------------ non-regular files


def test_fifo_socket_and_dev_zero_are_cl902_without_reading(tmp_path: Path) -> None:
    write_repo(tmp_path, ex.repo())
    scripts = tmp_path / "steps/scripts"
    os.mkfifo(scripts / "fifo.py")  # opening it for reading would block without O_NONBLOCK
    os.symlink("/dev/zero", scripts / "zero.py")  # stat() size 0, reading never ends
    sock = socket.socket(socket.AF_UNIX)
    sock_path = scripts / "sock.py"
    try:
        sock.bind(str(sock_path))
    except OSError:  # pragma: no cover - path too long for AF_UNIX
        sock.close()
        sock = None
    try:
        got = findings(tmp_path, ["CL9"])
    finally:
        if sock is not None:
            sock.close()
    expected = [("steps/scripts/fifo.py", 1, 1, "CL902", "not a regular file (a FIFO); not read"),
                ("steps/scripts/zero.py", 1, 1, "CL902", "not a regular file (a character device); not read")]
    if sock is not None:
        expected.insert(1, ("steps/scripts/sock.py", 1, 1, "CL902", "cannot read file: No such device or address"))
    assert got == expected


def test_fifo_registry_candidate_is_skipped(tmp_path: Path) -> None:
    write_repo(tmp_path, ex.repo())
    os.mkfifo(tmp_path / "registry/more_names.py")
    assert findings(tmp_path, ["CL6", "CL9"]) == []


def test_reading_is_capped_while_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    big.write_bytes(b"#" * (MAX_SOURCE_BYTES * 2))
    data, st = read_regular_file(big, MAX_SOURCE_BYTES)
    assert len(data) == MAX_SOURCE_BYTES + 1 and st.st_size == MAX_SOURCE_BYTES * 2
    sf = load_source(big)
    assert sf.problem is not None and sf.problem.kind == "too-large"

"""Script facts added for the level-1 rules: dicts handed to main(...) in the call itself, whole-dict
uses (escapes) of path/env dicts and os.environ, and sys.argv reads."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import DictEntry, Span, extract_script


def facts(src: str):
    return extract_script(parse_text(Path("s.py"), textwrap.dedent(src).encode()))


def test_dict_literals_passed_to_main_are_known_under_the_parameter_names() -> None:
    s = facts('''\
        IN = "/opt/ml/processing/input/data"
        def main(input_paths, output_paths, environ_vars, job_args):
            return input_paths["data"]
        if __name__ == "__main__":
            outs = {"out": "/opt/ml/processing/output"}
            main({"data": IN}, outs, environ_vars={"X": "1"}, job_args=None)
        ''')
    assert s.main_dicts["input_paths"] == (
        DictEntry("data", Span(6, 11, 6, 17), "/opt/ml/processing/input/data", Span(6, 19, 6, 21)),)
    assert [e.key for e in s.main_dicts["output_paths"]] == ["out"]
    assert s.main_dicts["outs"] == s.main_dicts["output_paths"]
    assert [(e.key, e.value) for e in s.main_dicts["environ_vars"]] == [("X", "1")]


def test_named_dicts_keep_their_own_entry_and_are_not_overwritten() -> None:
    s = facts('''\
        def main(input_paths, output_paths, environ_vars, job_args):
            pass
        if __name__ == "__main__":
            input_paths = {"a": "/opt/ml/processing/input/a"}
            main(input_paths, {"b": "/opt/ml/processing/output/b"}, {}, None)
        ''')
    assert [e.key for e in s.main_dicts["input_paths"]] == ["a"]
    assert [e.key for e in s.main_dicts["output_paths"]] == ["b"]


def test_key_reads_membership_logging_and_helpers_taking_the_same_name_do_not_escape() -> None:
    s = facts('''\
        import logging
        import os
        logger = logging.getLogger()
        def load(input_paths, environ_vars):
            return input_paths["data"], environ_vars.get("X")
        def main(input_paths, output_paths, environ_vars, job_args):
            if "data" in input_paths and input_paths:
                logger.info(f"inputs {input_paths}")
                print(len(output_paths))
            os.environ["Y"] = "1"
            return load(input_paths, environ_vars=environ_vars), output_paths.get("out"), os.environ.get("Z")
        ''')
    assert s.dict_escapes == {}


def test_iteration_aliasing_and_foreign_helpers_escape_with_the_first_place() -> None:
    s = facts('''\
        import os
        import subprocess
        def helper(paths):
            return paths["x"]
        def main(input_paths, output_paths, environ_vars, job_args):
            for key, value in environ_vars.items():
                pass
            helper(input_paths)
            out = output_paths
            subprocess.run(["ls"], env=os.environ)
            return out
        ''')
    assert s.dict_escapes == {
        "env": Span(6, 23, 6, 35),
        "input": Span(8, 12, 8, 23),
        "output": Span(9, 11, 9, 23),
    }


def test_os_environ_copied_escapes_as_env() -> None:
    s = facts('''\
        import os
        env = dict(os.environ)
        ''')
    assert s.dict_escapes == {"env": Span(2, 12, 2, 22)}


def test_sys_argv_reads() -> None:
    assert facts("import sys\nname = sys.argv[1]\n").reads_argv is True
    assert facts("from sys import argv\nname = argv[1]\n").reads_argv is True
    assert facts("import sys\nsys.exit(0)\n").reads_argv is False

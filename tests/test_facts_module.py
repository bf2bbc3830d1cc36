"""Module facts: imports, sys.path edits and S3 strings, with exact positions."""

from __future__ import annotations

import textwrap
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import Span, extract_module


def facts(src: str):
    return extract_module(parse_text(Path("m.py"), textwrap.dedent(src).encode()))


def test_imports_including_src_and_relative():
    m = facts("""\
        import os, src.util as u
        from src.x import y
        from ..contracts.a_contract import A_CONTRACT as C
        def f():
            import json
        """)
    got = [(i.module, i.names, i.level, i.is_from, i.span.line, i.span.column) for i in m.imports]
    assert got == [
        ("os", (), 0, False, 1, 1),
        ("src.util", (), 0, False, 1, 1),
        ("src.x", ("y",), 0, True, 2, 1),
        ("contracts.a_contract", ("A_CONTRACT",), 2, True, 3, 1),
        ("json", (), 0, False, 5, 5),
    ]
    assert m.imports[1].aliases == ("u",)
    assert m.imports[3].aliases == ("C",)


def test_sys_path_edits():
    m = facts("""\
        import sys, site
        sys.path.append("/x")
        sys.path.insert(0, "/y")
        sys.path = ["a"]
        sys.path += ["b"]
        sys.path[:0] = ["c"]
        site.addsitedir("d")
        sys.argv.append("not a path edit")
        """)
    assert [(e.kind, e.span.line) for e in m.sys_path_edits] == [
        ("append", 2), ("insert", 3), ("assign", 4), ("augassign", 5), ("item-assign", 6), ("addsitedir", 7)]
    assert m.sys_path_edits[0].span == Span(2, 1, 2, 22)


def test_s3_literals_and_builds():
    m = facts("""\
        BUCKET = "s3://my-bucket/data"
        a = f"s3://{bucket}/x"
        b = self.config.pipeline_s3_loc + "/model"
        c = "s3://%s/%s" % (bucket, key)
        d = "{}/out".format(self.config.output_prefix)
        e = os.path.join(self.config.pipeline_s3_loc, "eval")
        f = f"{prefix}_name"
        g = num_buckets + 1
        h = "s3://" + bucket + "/k"
        """)
    assert [(s.value, s.span) for s in m.s3_literals] == [("s3://my-bucket/data", Span(1, 10, 1, 31))]
    got = [(b.kind, b.reason, b.text, b.span.line, b.span.column) for b in m.s3_builds]
    assert got == [
        ("fstring", "s3-prefix", "s3://{bucket}/x", 2, 5),
        ("concat", "pipeline-var", "{self.config.pipeline_s3_loc}/model", 3, 5),
        ("percent", "s3-prefix", "s3://%s/%s", 4, 5),
        ("format", "pipeline-var", "{}/out", 5, 5),
        ("join", "pipeline-var", "{self.config.pipeline_s3_loc}/eval", 6, 5),
        ("concat", "s3-prefix", "s3://{bucket}/k", 9, 5),
    ]
    assert m.s3_builds[1].variables == ("self.config.pipeline_s3_loc",)


def test_non_ascii_columns_count_characters():
    m = facts('label = "\u00e9t\u00e9"; u = "s3://b/k"\n')
    assert m.s3_literals[0].span == Span(1, 20, 1, 30)  # characters, not UTF-8 bytes


def test_definitions():
    m = facts("""\
        X_SPEC = 1
        def helper(): pass
        class A: pass
        """)
    assert m.definitions == {"X_SPEC": Span(1, 1, 1, 7), "helper": Span(2, 5, 2, 11), "A": Span(3, 7, 3, 8)}


def test_docstrings_and_bare_strings_are_not_s3_literals():
    m = facts('''\
        """s3://bucket/module-docstring"""

        class B:
            """s3://bucket/class-docstring"""

            def f(self):
                """s3://bucket/function-docstring"""
                "s3://bucket/bare-statement"
                return "s3://bucket/real"
        ''')
    assert [(s.value, s.span.line) for s in m.s3_literals] == [("s3://bucket/real", 9)]


def test_s3_builds_over_the_base_output_path_call():
    m = facts("""\
        a = f"{self._get_base_output_path()}/model"
        b = self._get_base_output_path() + "/eval"
        c = f"{self._get_base_output_path()}"
        d = f"{self.compute()}/x"
        """)
    got = [(b.kind, b.reason, b.text, b.variables, b.span.line) for b in m.s3_builds]
    assert got == [
        ("fstring", "pipeline-var", "{self._get_base_output_path()}/model", ("self._get_base_output_path()",), 1),
        ("concat", "pipeline-var", "{self._get_base_output_path()}/eval", ("self._get_base_output_path()",), 2),
    ]


def test_s3_strings_in_messages_are_not_locations():
    m = facts("""\
        logger.info(f"writing to {self.config.pipeline_s3_loc}/out")
        self.log_info("reading s3://bucket/in")
        logging.warning("%s", f"s3://{bucket}/x")
        raise ValueError(f"bad prefix {self.config.output_prefix}/x")
        print("s3://bucket/p")
        warnings.warn(msg=f"s3://{bucket}/w")
        catalog.info(f"s3://{bucket}/kept")
        keep = f"s3://{bucket}/y"
        """)
    assert [(b.text, b.span.line) for b in m.s3_builds] == [("s3://{bucket}/kept", 7), ("s3://{bucket}/y", 8)]
    assert m.s3_literals == ()

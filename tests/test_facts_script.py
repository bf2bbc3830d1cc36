"""Script facts: container paths through constants/join/pathlib/f-strings, env reads, argparse,
logical names and the testable main, with exact positions."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import DictEntry, EnvRead, MainCall, PathConstant, PathUse, Span, extract_script

SCRIPT = """\
import os
import argparse
from pathlib import Path

INPUT_DATA_DIR = "/opt/ml/processing/input/data"
OUTPUT_DIR = os.path.join("/opt/ml/processing", "output")


def _float_env(name, default):
    raw = os.environ.get(name)
    return default if raw is None else float(raw)


def main(input_paths, output_paths, environ_vars, job_args):
    train = os.path.join(INPUT_DATA_DIR, "train.csv")
    model = Path(INPUT_DATA_DIR) / "model" / "m.bst"
    out = f"{OUTPUT_DIR}/preds/{job_args.job_type}"
    label = environ_vars.get("LABEL_FIELD", "y")
    data = input_paths["DATA"]
    sig = input_paths.get("SIGNATURE")
    region = os.environ["REGION"]
    debug = os.getenv("DEBUG")
    if "SEED" in os.environ:
        pass
    for key in ["A", "B"]:
        os.environ.get(key)
    ratio = _float_env("TRAIN_RATIO", 0.7)
    mode = os.environ.get(compute_name())
    return output_paths["processed_data"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--job-type", type=str, required=True)
    parser.add_argument("--mode", default="fast")
    args = parser.parse_args()
    input_paths = {"DATA": INPUT_DATA_DIR, "SIGNATURE": "/opt/ml/processing/input/signature"}
    output_paths = {"processed_data": OUTPUT_DIR}
    output_paths["extra"] = "/opt/ml/processing/extra"
    environ_vars = {"LABEL_FIELD": os.environ.get("LABEL_FIELD")}
    main(input_paths=input_paths, output_paths=output_paths, environ_vars=environ_vars, job_args=args)
"""


def facts(src: str, stats: Counter | None = None):
    return extract_script(parse_text(Path("s.py"), textwrap.dedent(src).encode()), stats)


def test_container_paths_at_use_sites_with_constant_definitions():
    f = facts(SCRIPT)
    assert f.path_constants[:2] == (
        PathConstant("INPUT_DATA_DIR", "/opt/ml/processing/input/data", Span(5, 1, 5, 15)),
        PathConstant("OUTPUT_DIR", "/opt/ml/processing/output", Span(6, 1, 6, 11)),
    )
    assert f.paths[:4] == (
        PathUse("/opt/ml/processing", "/opt/ml/processing/output", Span(6, 14, 6, 58), "join"),
        PathUse("/opt/ml/processing/input/data", "/opt/ml/processing/input/data/train.csv",
                Span(15, 13, 15, 54), "join", "INPUT_DATA_DIR"),
        PathUse("/opt/ml/processing/input/data", "/opt/ml/processing/input/data/model/m.bst",
                Span(16, 13, 16, 53), "pathlib", "INPUT_DATA_DIR"),
        PathUse("/opt/ml/processing/output", "/opt/ml/processing/output/preds",
                Span(17, 11, 17, 52), "fstring", "OUTPUT_DIR", complete=False),
    )
    main_block = [(p.full, p.via, p.span.line) for p in f.paths if p.span.line >= 37]
    assert main_block == [
        ("/opt/ml/processing/input/data", "constant", 37),
        ("/opt/ml/processing/input/signature", "literal", 37),
        ("/opt/ml/processing/output", "constant", 38),
        ("/opt/ml/processing/extra", "literal", 39),
    ]


def test_env_reads_all_shapes_and_dynamic_count():
    stats: Counter = Counter()
    f = facts(SCRIPT, stats)
    got = [(r.name, r.span.line, r.has_default, r.how) for r in f.env_reads]
    assert got == [
        ("LABEL_FIELD", 18, True, "environ_vars.get"),
        ("REGION", 21, False, "subscript"),
        ("DEBUG", 22, False, "getenv"),
        ("SEED", 23, True, "in"),
        ("A", 26, False, "get"),
        ("B", 26, False, "get"),
        ("TRAIN_RATIO", 27, True, "wrapper"),
        ("LABEL_FIELD", 40, False, "get"),
    ]
    assert f.env_reads[1] == EnvRead("REGION", Span(21, 14, 21, 34), False, "subscript")
    assert f.dynamic_env_reads == 1
    assert stats["dynamic-env-name"] == 1


def test_argparse_definitions_and_reads():
    f = facts(SCRIPT)
    assert [(a.name, a.raw, a.required, a.has_default, a.span.line, a.span.column) for a in f.arg_defs] == [
        ("job_type", "--job-type", True, False, 34, 5),
        ("mode", "--mode", False, True, 35, 5),
    ]
    assert [(r.name, r.variable, r.span) for r in f.arg_reads] == [("job_type", "job_args", Span(17, 33, 17, 50))]
    assert f.uses_argparse


def test_logical_names_main_and_guard():
    f = facts(SCRIPT)
    assert [(k.key, k.kind, k.how, k.dict_is_main_param, k.span.line) for k in f.key_uses] == [
        ("DATA", "input", "subscript", True, 19),
        ("SIGNATURE", "input", "get", True, 20),
        ("processed_data", "output", "subscript", True, 29),
    ]
    assert f.main is not None and f.main.testable and not f.main.partial
    assert [p.name for p in f.main.params] == ["input_paths", "output_paths", "environ_vars", "job_args"]
    assert f.main.name_span == Span(14, 5, 14, 9)
    assert f.has_main_guard and f.main_guard_span == Span(32, 1, 32, 26)
    assert f.main_calls == (MainCall(Span(41, 5, 41, 103),
                                     ("input_paths", "output_paths", "environ_vars", "job_args"), 0),)
    assert f.main_dicts["output_paths"] == (
        DictEntry("processed_data", Span(38, 21, 38, 37), "/opt/ml/processing/output", Span(38, 39, 38, 49)),
        DictEntry("extra", Span(39, 18, 39, 25), "/opt/ml/processing/extra", Span(39, 29, 39, 55)),
    )
    assert [e.key for e in f.main_dicts["environ_vars"]] == ["LABEL_FIELD"]


def test_partial_main_signature_and_no_guard():
    f = facts("""\
        def main(input_paths, output_dir):
            return input_paths["x"]
        """)
    assert f.main is not None and not f.main.testable and f.main.partial
    assert not f.has_main_guard and f.main_calls == ()


def test_paths_under_main_block_constants_and_joinpath():
    f = facts("""\
        from pathlib import Path
        if __name__ == "__main__":
            MODEL_DIR = "/opt/ml/model"
            base = Path(MODEL_DIR).joinpath("xgb", "m.json")
            other = MODEL_DIR + "/extra"
            main({"model": MODEL_DIR})
        """)
    assert [(p.full, p.via, p.constant) for p in f.paths] == [
        ("/opt/ml/model/xgb/m.json", "pathlib", "MODEL_DIR"),
        ("/opt/ml/model/extra", "concat", "MODEL_DIR"),
        ("/opt/ml/model", "constant", "MODEL_DIR"),
    ]
    assert f.main_calls[0].positional == 1


def test_ambiguous_constant_is_not_resolved_but_counted():
    stats: Counter = Counter()
    f = facts("""\
        def a():
            d = "/opt/ml/processing/input"
            return d
        def b():
            d = "/opt/ml/processing/output"
            return d
        """, stats)
    assert [c.value for c in f.path_constants] == ["/opt/ml/processing/input", "/opt/ml/processing/output"]
    assert f.paths == ()
    assert stats["ambiguous-path-constant"] == 1


def test_odd_code_never_raises():
    f = facts("""\
        import os
        os.environ[1:2]
        os.environ.get()
        parser.add_argument(*flags)
        x = f"{a!r}/opt/ml"
        Path() / "x"
        os.path.join()
        """)
    assert f.env_reads == () and f.arg_defs == () and f.paths == ()
    bad = extract_script(parse_text(Path("b.py"), b"def (:\n"))
    assert bad.paths == () and bad.main is None

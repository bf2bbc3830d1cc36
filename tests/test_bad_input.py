"""Bad input never crashes the linter: each broken file is one CL9xx finding, the rest is linted.

Files that cannot be parsed (CL901) or read (CL902) sit next to a script whose env-var drift
(CL103) must still be found. Runs select CL9 and CL103 so other rule families cannot change
the expectations.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cursus_core.source import MAX_SOURCE_BYTES
from cursus_lint.cli import cli
from cursus_lint.config import load_config
from cursus_lint.engine import CheckResult, Engine
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

SELECT = ["CL9", "CL103"]
DRIFT = ex.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')
CL103 = ("steps/scripts/clean.py", 11, 13, "CL103",
         "script reads env var 'DEBUG_MODE' that contract 'CLEAN_CONTRACT' does not declare")
BROKEN_LOAD_BUILDER = ex.LOAD_BUILDER.replace("def _get_inputs(self, inputs):", "def _get_inputs(self, inputs)")
# a non-UTF-8 byte in code (in a comment CPython accepts it: see test_undecodable_comment_is_accepted)
LATIN1_LOAD_SPEC = ex.LOAD_SPEC.replace("from", 'S = "caf\u00e9"\nfrom', 1).encode("latin-1")


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
    return root


def run(root: Path, select: list[str] | None = SELECT) -> CheckResult:
    overrides = {"select": select} if select is not None else {}
    return Engine(load_config(root, set(all_rules()), overrides=overrides)).run([root])


def findings(root: Path, select: list[str] | None = SELECT) -> list[tuple[str, int, int, str, str]]:
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in run(root, select).diagnostics]


def test_each_broken_file_is_one_finding_and_the_rest_is_linted(tmp_path: Path) -> None:
    write(tmp_path, ex.repo(script=DRIFT, load_builder=BROKEN_LOAD_BUILDER,
                            extra={"steps/specs/data_load_spec.py": LATIN1_LOAD_SPEC}))
    os.symlink(tmp_path / "nowhere" / "config_gone_step.py", tmp_path / "steps/configs/config_gone_step.py")
    (tmp_path / "steps/specs/odd_spec.py").mkdir()
    assert findings(tmp_path) == [
        ("steps/builders/builder_data_load_step.py", 27, 34, "CL901", "cannot parse: expected ':'"),
        ("steps/configs/config_gone_step.py", 1, 1, "CL902", "cannot read file: No such file or directory"),
        CL103,
        ("steps/specs/data_load_spec.py", 1, 1, "CL902", "file is not valid UTF-8 (byte 0xe9 at offset 8)"),
        ("steps/specs/odd_spec.py", 1, 1, "CL902", "cannot read file: Is a directory"),
    ]


def test_bad_byte_is_located_on_its_line(tmp_path: Path) -> None:
    script = (DRIFT.replace("import os\n", 'import os\nAUTHOR = "Jos\u00e9"\n')).encode("latin-1")
    write(tmp_path, ex.repo(extra={"steps/scripts/clean.py": script}))
    offset = script.index(bytes([0xE9]))
    assert findings(tmp_path) == [("steps/scripts/clean.py", 3, 1, "CL902",
                                   f"file is not valid UTF-8 (byte 0xe9 at offset {offset})")]


def test_broken_registry_is_one_cl901(tmp_path: Path) -> None:
    write(tmp_path, ex.repo(script=DRIFT, registry=ex.REGISTRY.replace('"Clean": {', '"Clean": {{')))
    assert findings(tmp_path) == [("registry/step_names.py", 1, 14, "CL901", "cannot parse: '{' was never closed"),
                                  CL103]


def test_registry_with_non_literal_values_is_no_tool_error(tmp_path: Path) -> None:
    registry = ex.REGISTRY.replace('"config_class": "CleanConfig"', '"config_class": make_name("Clean")') \
        .replace("STEP_NAMES = {", "STEP_NAMES = {\n    **OTHER_STEPS,\n") + "STEP_NAMES.update(load_more())\n"
    write(tmp_path, ex.repo(script=DRIFT, registry=registry))
    assert findings(tmp_path) == [CL103]
    result = run(tmp_path, select=None)  # every rule runs over the odd registry without raising
    assert not [d for d in result.diagnostics if d.code.startswith("CL9")]


def test_empty_repo_and_empty_files(tmp_path: Path) -> None:
    result = run(tmp_path, select=None)
    assert (result.diagnostics, result.files, result.steps) == ([], 0, 0)
    write(tmp_path, {"steps/scripts/clean.py": "", "steps/contracts/clean_contract.py": "",
                     "steps/specs/clean_spec.py": "\n", "registry/step_names.py": ""})
    assert [d for d in run(tmp_path, select=None).diagnostics if d.code.startswith("CL9")] == []


def test_file_over_the_size_limit_is_not_analysed(tmp_path: Path) -> None:
    at_limit = ex.LOAD_CONFIG + "# " + "x" * (MAX_SOURCE_BYTES - len(ex.LOAD_CONFIG) - 3) + "\n"
    assert len(at_limit.encode()) == MAX_SOURCE_BYTES
    write(tmp_path, ex.repo(script=DRIFT, load_config=at_limit))
    assert findings(tmp_path) == [CL103]
    write(tmp_path, {"steps/configs/config_data_load_step.py": at_limit + "#"})
    assert findings(tmp_path) == [
        ("steps/configs/config_data_load_step.py", 1, 1, "CL902",
         f"file is {MAX_SOURCE_BYTES + 1} bytes, larger than the {MAX_SOURCE_BYTES} byte limit; not analysed"),
        CL103,
    ]


@pytest.mark.parametrize(("text", "needle"), [
    (b"x = 1\n\x00\n", "null bytes"),
    (("x = " + "(" * 300 + "1" + ")" * 300 + "\n").encode(), "nested"),
    (("x = " + "-" * 100_000 + "1\n").encode(), ""),
], ids=["null-bytes", "deep-parentheses", "deep-unary"])
def test_unparsable_odd_files_are_cl901(tmp_path: Path, text: bytes, needle: str) -> None:
    write(tmp_path, ex.repo(script=DRIFT, load_config=text))
    got = findings(tmp_path)
    assert [(p, c) for p, _, _, c, _ in got] == [("steps/configs/config_data_load_step.py", "CL901"),
                                                 ("steps/scripts/clean.py", "CL103")]
    assert got[0][4].startswith("cannot parse: ") and needle in got[0][4]


def test_cyclic_imports_and_self_references_are_harmless(tmp_path: Path) -> None:
    contract = ex.CONTRACT.replace(
        "from cursus_core.base import ScriptContract\n",
        "from cursus_core.base import ScriptContract\n\nfrom ..specs.clean_spec import CLEAN_SPEC\n"
        "from .clean_contract import CLEAN_CONTRACT\n\nA = B\nB = A\n")
    spec = ex.SPEC + "\n\ndef _get_contract():\n    return _get_contract()\n"
    config = ex.CONFIG + ("\n\nclass Loop(Loop):\n    pass\n"
                          "\n\nclass Ping(Pong):\n    pass\n"
                          "\n\nclass Pong(Ping):\n    pass\n")
    write(tmp_path, ex.repo(script=DRIFT, contract=contract, spec=spec, config=config))
    assert findings(tmp_path) == [CL103]
    assert not [d for d in run(tmp_path, select=None).diagnostics if d.code.startswith("CL9")]


def test_noqa_comments_still_work_in_a_file_that_does_not_parse(tmp_path: Path) -> None:
    broken = BROKEN_LOAD_BUILDER.replace("def _get_inputs(self, inputs)\n",
                                         "def _get_inputs(self, inputs)  # noqa: CL901\n")
    typo = ex.LOAD_CONFIG.replace("    source_table: str\n", "    source_table: str  # noqa: CL9O1\n") + "def (:\n"
    write(tmp_path, ex.repo(script=DRIFT, load_builder=broken, load_config=typo))
    assert findings(tmp_path) == [
        ("steps/configs/config_data_load_step.py", 5, 32, "CL904",
         "noqa names 'CL9', which is not a cursus-lint rule code; noqa takes full rule codes, not prefixes"),
        ("steps/configs/config_data_load_step.py", 6, 5, "CL901", "cannot parse: invalid syntax"),
        CL103,
    ]


def test_cli_reports_bad_input_as_findings_cold_and_warm(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", ex.repo(script=DRIFT, load_builder=BROKEN_LOAD_BUILDER,
                                            extra={"steps/specs/data_load_spec.py": LATIN1_LOAD_SPEC}))
    runner = CliRunner()
    outputs = []
    for _ in range(2):  # the second run reads the facts cache, problems included
        res = runner.invoke(cli, ["check", str(repo), "--format", "json", "--select", "CL9,CL103"])
        assert res.exit_code == 1, res.output
        assert "Traceback" not in res.output and "internal error" not in res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)
        outputs.append(json.loads(res.output))
    assert outputs[0]["diagnostics"] == outputs[1]["diagnostics"]
    assert [(d["code"], d["line"]) for d in outputs[0]["diagnostics"]] == [("CL901", 27), ("CL103", 11), ("CL902", 1)]

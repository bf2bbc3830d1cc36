"""The static path stays lean (issue 13): `check` of a classic-layout file with a fixable finding
marks it `[*]` without importing libcst, the AWS SDKs, the YAML/terminal/schema libraries, the
pydantic domain models (nor pydantic at all: settings and registry rows are plain classes), the
``.step.yaml`` interface layer or the reporters it does not print with; JSON, which carries the
edits, builds them; `--diff` still fixes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cursus_core.base import _member_table, members
from cursus_lint.rules import _examples

from .probes import COUNT_DATACLASSES
from .repo_helpers import write_repo

SCRIPT = _examples.edit("script", '    sep = environ_vars.get("SEPARATOR", ",")\n',
                        '    sep = environ_vars.get("SEPARATOR", ",")\n    debug = os.getenv("DEBUG_MODE")\n')
#: never imported by a plain text `check` of a classic-layout repo
LAZY: tuple[str, ...] = (
        "libcst", "sagemaker", "boto3", "botocore", "moto", "networkx", "jsonschema", "ruamel", "rich", "yaml", "pygls",
        "cursus_core.base.specification", "cursus_core.base.contract", "cursus_core.base.hyperparameters",
        "cursus_lint.fix.context", "cursus_lint.fix.attach", "cursus_lint.report.json", "cursus_lint.report.sarif",
        "cursus_lint.report.junit", "cursus_lint.report.github",
        "cursus_core.interface.model", "cursus_core.interface.reader", "cursus_core.interface.validate",
        "cursus_core.interface.facts", "cursus_core.interface.schema",
        # every digest is BLAKE2b, taken from the builtin _blake2 (cursus_core.digest): hashlib would
        # load OpenSSL's _hashlib (~10 ms); Rule is a Struct, so nothing imports dataclasses; the
        # facts codec imports base64 (with binascii, struct) only for a bytes literal
        "hashlib", "_hashlib", "dataclasses", "base64", "binascii")
if (members.python_version(), members.pydantic_version()) == (_member_table.PYTHON, _member_table.PYDANTIC):
    # CL401 reads the config bases' members from the stored table only on the Python and pydantic
    # it was written for (elsewhere it introspects the classes, which imports pydantic)
    LAZY += ("pydantic", "pydantic_core")
RUN = (
    "import sys\n"
    "from cursus_lint.cli import main\n"
    "code = main(sys.argv[2:])\n"
    "sys.stdout.flush()\n"
    "lazy = sys.argv[1].split(',')\n"
    "print('LOADED:' + ','.join(m for m in lazy if m in sys.modules))\n"
)


def _check(root: Path, *args: str) -> tuple[str, list[str]]:
    out = subprocess.run([sys.executable, "-c", RUN, ",".join(LAZY), "check", *args, "--no-cache", "--no-color"],
                         cwd=root, capture_output=True, text=True, check=True)
    *body, loaded = out.stdout.splitlines()
    return "\n".join(body), [m for m in loaded.removeprefix("LOADED:").split(",") if m]


def test_text_check_of_one_file_marks_the_fix_without_libcst(tmp_path: Path) -> None:
    write_repo(tmp_path, _examples.repo(script=SCRIPT))
    text, loaded = _check(tmp_path, "steps/scripts/clean.py")
    assert "steps/scripts/clean.py:11:13: CL103 [*] script reads env var 'DEBUG_MODE'" in text
    assert text.endswith("[*] 1 fixable with `--fix`.")
    assert loaded == []


def test_json_builds_the_edit_it_carries(tmp_path: Path) -> None:
    write_repo(tmp_path, _examples.repo(script=SCRIPT))
    text, loaded = _check(tmp_path, "steps/scripts/clean.py", "--format", "json", "--select", "CL103")
    [finding] = json.loads(text)["diagnostics"]
    assert finding["fix"]["safe"] is True
    assert [e["new_text"] for e in finding["fix"]["edits"]] == [', "DEBUG_MODE": ""']
    assert "libcst" in loaded and "cursus_lint.report.json" in loaded and "cursus_lint.report.sarif" not in loaded


def test_diff_still_fixes(tmp_path: Path) -> None:
    write_repo(tmp_path, _examples.repo(script=SCRIPT))
    out = subprocess.run([sys.executable, "-m", "cursus_lint.cli", "check", "steps/scripts/clean.py", "--no-cache",
                          "--diff"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 1
    assert '+    optional_env_vars={"SEPARATOR": ",", "DEBUG_MODE": ""},' in out.stdout.splitlines()


def test_one_file_of_the_example_repo_loads_nothing_heavy() -> None:
    """Issue 13's lean static path on the bundled classic repo: `check <one script>` reads the
    settings, the registry and every rule's inputs (CL401 included, which needs the config bases'
    members) without pydantic, libcst, YAML, the AWS SDKs, networkx, rich or the interface layer."""
    repo = Path(__file__).resolve().parent.parent / "fixtures" / "example_repo"
    out = subprocess.run([sys.executable, "-c", RUN, ",".join(LAZY), "check",
                          "steps/scripts/tabular_preprocessing.py", "--no-cache", "--no-color"],
                         cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["All checks passed: 1 step, 8 files.", "LOADED:"]


#: a one-file `check` creates no dataclass: everything on the static path, ``Rule`` included (a
#: mutable Struct whose decorators set ``check``), is a ``msgspec.Struct``, whose class costs ~0.2 ms
#: to create against ~2 ms for a dataclass (109 dataclasses cost ~0.26 s of a one-file run before,
#: issue 13), and the ``dataclasses`` module itself (~5 ms) is not imported.
DATACLASSES_OF_ONE_FILE_CHECK: list[str] = []


def test_one_file_check_creates_no_dataclass() -> None:
    """Creating dataclasses dominated the import time of a one-file check: the facts model, the
    diagnostics, the catalog, the registry and the rules' helpers are Structs instead."""
    repo = Path(__file__).resolve().parent.parent / "fixtures" / "example_repo"
    out = subprocess.run([sys.executable, "-c", COUNT_DATACLASSES, "check", "steps/scripts/tabular_preprocessing.py",
                          "--no-cache", "--no-color"], cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["All checks passed: 1 step, 8 files.",
                                       "DATACLASSES:" + ",".join(DATACLASSES_OF_ONE_FILE_CHECK)]


#: standard-library modules a cached `check <one file>` of a repo without a configuration file
#: needs none of, even when it writes the cache: tempfile (the pack's temporary file is made with
#: os.open), pickle (only forked parsing sends results back), logging (the builder base logs only
#: while building), tomllib (nothing to read); nor, on the result cache's hit either, hashlib and
#: OpenSSL's _hashlib (digests come from the builtin _blake2), dataclasses, or base64 (the cache's
#: codec encodes bytes literals only, which the repo has none of)
CACHED_LAZY = ("tempfile", "pickle", "logging", "tomllib", "hashlib", "_hashlib", "dataclasses", "base64", "binascii")


def _cached_check(root: Path, path: str, lazy: tuple[str, ...] = CACHED_LAZY) -> list[str]:
    out = subprocess.run([sys.executable, "-c", RUN, ",".join(lazy), "check", path, "-q"],
                         cwd=root, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    return [m for m in out.stdout.splitlines()[-1].removeprefix("LOADED:").split(",") if m]


def test_a_cached_one_file_check_loads_no_writer_fork_or_logging_module(tmp_path: Path) -> None:
    write_repo(tmp_path, _examples.repo())
    assert not any((d / "pyproject.toml").exists() for d in (tmp_path, *tmp_path.parents))
    contract = "steps/contracts/clean_contract.py"
    assert _cached_check(tmp_path, contract) == []  # the first run fills the cache
    pack = next((tmp_path / ".cursus-lint-cache").glob("facts-*/pack.json"))
    written = pack.stat().st_ino  # each write replaces the file (a new inode)
    assert _cached_check(tmp_path, contract) == []
    assert pack.stat().st_ino == written  # nothing new: not written again
    with (tmp_path / contract).open("a", encoding="utf-8") as fh:
        fh.write("# an edit\n")
    assert _cached_check(tmp_path, contract) == []  # the edited file's facts are new: the pack is written
    assert pack.stat().st_ino != written


def test_a_result_cache_hit_imports_no_rule_nor_pkgutil(tmp_path: Path) -> None:
    """A hit replays stored findings: it imports rules_index (for the type) but neither the rule
    modules nor pkgutil, which only ``all_rules`` uses to list them."""
    write_repo(tmp_path, _examples.repo())
    lazy = ("pkgutil", "cursus_lint.rules", "cursus_lint.model", "cursus_core.catalog")
    assert _cached_check(tmp_path, "steps", lazy) == ["pkgutil", "cursus_lint.rules", "cursus_lint.model",
                                                      "cursus_core.catalog"]  # a real run
    assert _cached_check(tmp_path, "steps", lazy) == []  # the hit


def test_the_builtin_blake2b_is_hashlibs() -> None:
    """cursus_core.digest skips hashlib's import, not its algorithm: every cache key and content
    fingerprint stays the digest hashlib gives."""
    import hashlib

    from cursus_core.digest import blake2b

    assert blake2b is hashlib.blake2b
    assert blake2b(b"steps", digest_size=16).hexdigest() == "515b8c82fa5dac8d38e59de01b55c9e2"

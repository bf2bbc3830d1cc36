"""CL701-CL705 through the real engine: exact lines, columns and messages, and what stays silent."""

from __future__ import annotations

from pathlib import Path

from cursus_lint.config import load_config
from cursus_lint.engine import CheckResult, Engine
from cursus_lint.rules import _examples as ex
from cursus_lint.rules_index import all_rules

RULES = all_rules()
BUILDER = "steps/builders/builder_clean_step.py"
CONFIG = "steps/configs/config_clean_step.py"
SCRIPT = "steps/scripts/clean.py"
DEST = 'destination=Join(on="/", values=[self._get_base_output_path(), "clean", name]),'


def run(root: Path, files: dict[str, str], select: list[str]) -> CheckResult:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return Engine(load_config(root, set(RULES), overrides={"select": select})).run([root])


def found(root: Path, files: dict[str, str], *codes: str) -> list[tuple[str, int, int, str, str]]:
    result = run(root, files, list(codes))
    return [(d.location.path.relative_to(root).as_posix(), d.location.line, d.location.column, d.code, d.message)
            for d in result.diagnostics]


def builder_with(method_body: str) -> str:
    """The example builder with an extra method (``body`` is indented 8 spaces)."""
    return ex.BUILDER + "\n    def _helper(self, name):\n" + method_body


# ----------------------------------------------------------------------------- CL701


def test_src_imports_every_form(tmp_path: Path) -> None:
    script = ex.edit("script", "import os\n",
                     "import os\nimport src\nimport src.steps.util as util\nfrom src import helpers\n"
                     "from src.steps.scripts.fx import load, parse\n")
    got = found(tmp_path, ex.repo(script=script), "CL701")
    tail = "which only works when the repo root is on sys.path; "
    assert got == [
        (SCRIPT, 3, 1, "CL701", "'import src' imports through the repository's 'src' directory, " + tail
         + "import the package by its installed name or use a relative import"),
        (SCRIPT, 4, 1, "CL701", "'import src.steps.util' imports through the repository's 'src' directory, " + tail
         + "import 'steps.util' from the installed package or use a relative import"),
        (SCRIPT, 5, 1, "CL701", "'from src import helpers' imports through the repository's 'src' directory, "
         + tail + "import the package by its installed name or use a relative import"),
        (SCRIPT, 6, 1, "CL701", "'from src.steps.scripts.fx import load, parse' imports through the repository's "
         "'src' directory, " + tail + "import 'steps.scripts.fx' from the installed package or use a relative import"),
    ]


def test_relative_and_lookalike_imports_are_fine(tmp_path: Path) -> None:
    contract = ex.edit("contract", "from cursus_core.base import ScriptContract\n",
                       "from cursus_core.base import ScriptContract\nfrom .src import a\nfrom ..src.b import c\n"
                       "import srcutils\nfrom sources import d\nfrom cursus.src import e\n")
    assert found(tmp_path, ex.repo(contract=contract), "CL701") == []


def test_src_import_in_registry_and_function_body(tmp_path: Path) -> None:
    registry = "from src.registry.base import BASE\n\n" + ex.REGISTRY
    config = ex.CONFIG + "\n    def load(self):\n        from src.steps.hyperparams import HP\n        return HP\n"
    got = found(tmp_path, ex.repo(registry=registry, config=config), "CL701")
    assert [(p, line, col) for p, line, col, _, _ in got] == [("registry/step_names.py", 1, 1), (CONFIG, 13, 9)]


# ----------------------------------------------------------------------------- CL702


def test_every_kind_of_sys_path_edit(tmp_path: Path) -> None:
    script = ex.edit("script", "import os\n",
                     "import os\nimport site\nimport sys\n\nsys.path.append('/a')\nsys.path.extend(['/b'])\n"
                     "sys.path.remove('/a')\nsys.path = ['/c']\nsys.path[0:0] = ['/d']\nsite.addsitedir('/e')\n")
    got = found(tmp_path, ex.repo(script=script), "CL702")
    written = ["sys.path.append(...)", "sys.path.extend(...)", "sys.path.remove(...)", "sys.path = ...",
               "sys.path[...] = ...", "site.addsitedir(...)"]
    assert [(line, code) for _, line, _, code, _ in got] == [(n, "CL702") for n in range(6, 12)]
    assert [m for *_, m in got] == [
        f"'{w}' changes the import path at run time, so imports depend on this machine's layout; "
        "package the module and import it normally" for w in written]
    assert RULES["CL702"].severity.value == "warning"


def test_edit_inside_main_guard_is_reported_and_reads_are_not(tmp_path: Path) -> None:
    script = ex.edit("script", 'if __name__ == "__main__":\n',
                     'if __name__ == "__main__":\n    import sys\n    print(sys.path[0], len(sys.path))\n'
                     '    sys.path.insert(0, os.getcwd())\n')
    got = found(tmp_path, ex.repo(script=script), "CL702")
    assert [(p, line, col) for p, line, col, _, _ in got] == [(SCRIPT, ex.line_of(script, "sys.path.insert"), 5)]


# ----------------------------------------------------------------------------- CL703


def test_builder_literals_reported_docstrings_messages_and_scheme_checks_not(tmp_path: Path) -> None:
    builder = "DEFAULT_ROOT = \"s3://team-bucket/root\"\n" + builder_with(
        '        """Writes below s3://team-bucket/docs/."""\n'
        '        logger.info("uploading to s3://team-bucket/log")\n'
        '        if not str(name).startswith("s3://"):\n'
        '            raise ValueError("expected s3://bucket/key, got " + name)\n'
        '        return f"s3://team-bucket/{name}", {"uri": "s3://other-bucket/x"}\n')
    got = found(tmp_path, ex.repo(builder=builder), "CL703")
    last = ex.line_of(builder, 'return f"s3://team')
    tail = "; derive it from the base output path (Join over self._get_base_output_path()) or take it from the config"
    assert got == [
        (BUILDER, 1, 16, "CL703", "builder hard-codes the S3 URI 's3://team-bucket/root'" + tail),
        (BUILDER, last, 16, "CL703", "builder hard-codes the bucket 'team-bucket' in 's3://team-bucket/{name}'" + tail),
        (BUILDER, last, 52, "CL703", "builder hard-codes the S3 URI 's3://other-bucket/x'" + tail),
    ]


def test_s3_literals_outside_builders_and_config_defaults_are_not_checked(tmp_path: Path) -> None:
    script = ex.edit("script", "import os\n", 'import os\n\nREF = "s3://team-bucket/ref"\n')
    spec = ex.SPEC + '\nEXAMPLE_URI = "s3://team-bucket/example"\n'
    contract = ex.CONTRACT + '\nDOC_URI = "s3://team-bucket/doc"\n'
    config = ex.CONFIG + ('\n    @property\n    def fallback(self) -> str:\n        return "s3://team-bucket/fb"\n\n'
                          '    def describe(self):\n        return {"example": "s3://team-bucket/desc"}\n')
    assert found(tmp_path, ex.repo(script=script, spec=spec, contract=contract, config=config), "CL703") == []


def test_config_field_defaults(tmp_path: Path) -> None:
    config = ex.edit("config", "from pydantic import Field\n",
                     'from pydantic import Field\n\nREF_URI = "s3://team-bucket/ref"\n').replace(
        '    separator: str = ","\n',
        '    separator: str = ","\n'
        '    plain: str = "s3://team-bucket/plain"\n'
        '    via_field: str = Field(default="s3://team-bucket/field", description="s3://x/y for docs")\n'
        '    from_constant: str = REF_URI\n'
        '    listed: list = ["s3://team-bucket/a", "local"]\n'
        '    built: str = f"s3://team-bucket/{REF_URI}"\n'
        '    scheme_only: str = "s3://"\n'
        '    described: str = Field(description="s3://team-bucket/not-a-default")\n')
    got = found(tmp_path, ex.repo(config=config), "CL703")
    line = ex.line_of(config, "    plain:")
    head = "default of config field 'CleanConfig."
    tail = "; make the field required or derive it from pipeline_s3_loc"
    assert got == [
        (CONFIG, line, 18, "CL703", head + "plain' hard-codes the S3 URI 's3://team-bucket/plain'" + tail),
        (CONFIG, line + 1, 36, "CL703", head + "via_field' hard-codes the S3 URI 's3://team-bucket/field'" + tail),
        (CONFIG, line + 2, 26, "CL703", head + "from_constant' is the hard-coded S3 URI 's3://team-bucket/ref' "
         "(from a module constant)" + tail),
        (CONFIG, line + 3, 21, "CL703", head + "listed' hard-codes the S3 URI 's3://team-bucket/a'" + tail),
        (CONFIG, line + 4, 18, "CL703", head + "built' hard-codes the bucket 'team-bucket' in "
         "'s3://team-bucket/{REF_URI}'" + tail),
    ]


def test_hyperparameter_defaults_are_checked_too(tmp_path: Path) -> None:
    hp = ("from cursus_core.base import ModelHyperparameters\n\n\nclass CleanHyperparameters(ModelHyperparameters):\n"
          '    vocab_uri: str = "s3://team-bucket/vocab.txt"\n')
    got = found(tmp_path, ex.repo(extra={"steps/hyperparams/hyperparameters_clean.py": hp}), "CL703")
    assert [(p, line, col) for p, line, col, _, _ in got] == [("steps/hyperparams/hyperparameters_clean.py", 5, 22)]


# ----------------------------------------------------------------------------- CL704


def test_every_way_of_building_an_s3_path_in_a_builder(tmp_path: Path) -> None:
    builder = builder_with(
        "        base = self._get_base_output_path()\n"
        '        a = self.config.pipeline_s3_loc + "/clean/" + name\n'
        '        b = "s3://%s/clean" % self.config.bucket\n'
        '        c = "{}/clean".format(self.config.output_prefix)\n'
        '        d = os.path.join(self.config.pipeline_s3_loc, "clean")\n'
        '        e = "/".join([self.config.pipeline_s3_loc, "clean"])\n'
        '        f = f"{self.config.job_name_prefix}-{name}"\n'
        '        g = Join(on="/", values=[base, "clean", name])\n'
        '        logger.info(f"wrote {self.config.pipeline_s3_loc}/clean")\n'
        "        return a, b, c, d, e, f, g\n")
    got = found(tmp_path, ex.repo(builder=builder), "CL704")
    first = ex.line_of(builder, "        a = ")
    tail = "; use Join(on=\"/\", values=[...]) so pipeline variables such as the execution prefix are resolved " \
           "when the pipeline runs"
    assert got == [
        (BUILDER, first, 13, "CL704", "builder builds the S3 path '{self.config.pipeline_s3_loc}/clean/{name}' with "
         "'+' from 'self.config.pipeline_s3_loc'" + tail),
        (BUILDER, first + 1, 13, "CL704", "builder builds the S3 path 's3://%s/clean' with '%' formatting from "
         "'self.config.bucket'" + tail),
        (BUILDER, first + 2, 13, "CL704", "builder builds the S3 path '{}/clean' with str.format() from "
         "'self.config.output_prefix'" + tail),
        (BUILDER, first + 3, 13, "CL704", "builder builds the S3 path '{self.config.pipeline_s3_loc}/clean' with a "
         "string join from 'self.config.pipeline_s3_loc'" + tail),
        (BUILDER, first + 4, 13, "CL704", "builder builds the S3 path '{self.config.pipeline_s3_loc}/clean' with a "
         "string join from 'self.config.pipeline_s3_loc'" + tail),
    ]


def test_config_default_built_but_derived_property_not(tmp_path: Path) -> None:
    config = ex.edit("config", '    separator: str = ","\n',
                     '    separator: str = ","\n    bucket_name: str = "team-bucket"\n'
                     '    archive: str = "s3://" + "team" + "-bucket" + "/archive"\n'
                     '    archive2: str = Field(default="s3://{}/a".format(BUCKET))\n\n'
                     '    @property\n    def derived(self) -> str:\n'
                     '        return f"s3://{self.bucket_name}/{self.pipeline_s3_loc}/x"\n')
    got = found(tmp_path, ex.repo(config=config), "CL704")
    line = ex.line_of(config, "archive:")
    assert [(p, n, c) for p, n, c, _, _ in got] == [(CONFIG, line, 20), (CONFIG, line + 1, 35)]
    assert got[0][4].startswith("default of config field 'CleanConfig.archive' builds the S3 path "
                                "'s3://team-bucket/archive' with '+'")


def test_scripts_may_build_s3_paths(tmp_path: Path) -> None:
    script = ex.edit("script", "    return label, sep, src, dst\n",
                     '    remote = f"s3://{environ_vars.get(\'BUCKET\')}/x" + dst\n    return label, sep, src, dst\n')
    assert found(tmp_path, ex.repo(script=script), "CL704") == []


# ----------------------------------------------------------------------------- CL705


def test_destinations_not_from_the_base_path(tmp_path: Path) -> None:
    literal = ex.edit("builder", DEST, 'destination="s3://team-bucket/clean",')
    concat = ex.edit("load_builder",
                     'destination=Join(on="/", values=[self._get_base_output_path(), "data_load", "raw_data"]),',
                     'destination=self.config.output_root + "/raw_data",')
    got = found(tmp_path, ex.repo(builder=literal, load_builder=concat), "CL705")
    tail = ", not derived from the base output path; use Join(on=\"/\", values=[self._get_base_output_path(), ...])"
    assert got == [
        (BUILDER, ex.line_of(literal, "s3://team"), 29, "CL705",
         "output destination in 'CleanStepBuilder._get_outputs' is a string literal" + tail),
        ("steps/builders/builder_data_load_step.py", ex.line_of(concat, "output_root"), 29, "CL705",
         "output destination in 'DataLoadStepBuilder._get_outputs' is a string expression" + tail),
    ]
    result = run(tmp_path, ex.repo(builder=literal, load_builder=concat), ["CL705"])
    (related,) = result.diagnostics[0].related
    assert (related.location.line, related.message) == (ex.line_of(literal, "def _get_outputs"),
                                                        "'CleanStepBuilder._get_outputs' defined here")


def test_fstring_over_the_base_path_is_cl704_not_cl705(tmp_path: Path) -> None:
    builder = ex.edit("builder", DEST, 'destination=f"{self._get_base_output_path()}/clean/{name}",')
    got = found(tmp_path, ex.repo(builder=builder), "CL704", "CL705")
    assert [(line, code) for _, line, _, code, _ in got] == [(ex.line_of(builder, "destination=f"), "CL704")]


def test_unknown_destinations_are_counted_not_reported(tmp_path: Path) -> None:
    builder = ex.edit("builder", DEST, "destination=self._destination_for(name),")
    passed = ex.edit("load_builder",
                     'destination=Join(on="/", values=[self._get_base_output_path(), "data_load", "raw_data"]),',
                     'destination=outputs.get("raw_data", Join(on="/", values=[self._get_base_output_path(), "x"])),')
    result = run(tmp_path, ex.repo(builder=builder, load_builder=passed), ["CL705"])
    assert result.diagnostics == []
    assert result.unknown["output-destination"] == 1


def test_helper_modules_next_to_the_builders_are_not_step_builders(tmp_path: Path) -> None:
    helper = ('class S3PathHandler:\n    @staticmethod\n    def join(bucket, key):\n'
              '        return f"s3://{bucket}/{key}" if key else "s3://default-bucket"\n')
    files = ex.repo(extra={"steps/builders/s3_utils.py": helper})
    assert found(tmp_path, files, "CL703", "CL704", "CL705") == []
    as_builder = helper.replace("class S3PathHandler:", "class S3PathStepBuilder:")
    got = found(tmp_path / "b", ex.repo(extra={"steps/builders/s3_utils.py": as_builder}), "CL703", "CL704")
    assert [(p, line, code) for p, line, _, code, _ in got] == [
        ("steps/builders/s3_utils.py", 4, "CL704"), ("steps/builders/s3_utils.py", 4, "CL703")]

"""Fix probes give the provider's answer without libcst: a plain text `check` marks exactly the
findings `--fix` repairs. Every fixable rule has a probe, and on every bad example and on the
shapes a provider refuses (computed values, constants, concatenated strings, other step types)
the probe says "fixable" exactly when the provider builds a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from cursus_lint.config import load_config
from cursus_lint.engine import Engine
from cursus_lint.rules._examples import edit, repo
from cursus_lint.rules_index import all_rules

from .repo_helpers import write_repo

RULES = all_rules()
FIXABLE = sorted(code for code, rule in RULES.items() if rule.fix is not None)
_READ_AT = '    sep = environ_vars.get("SEPARATOR", ",")\n'


def _answers(root: Path, files: dict, code: str) -> list[tuple[int, str | None, str | None]]:
    """(line, what the edits say, what the probe says) for each finding of ``code``."""
    write_repo(root, files)
    settings = load_config(root, set(RULES), overrides={"select": [code]})
    built = Engine(settings, RULES, fixes="edits").run([root]).diagnostics
    marked = Engine(settings, RULES, fixes="marks").run([root]).diagnostics
    assert [d.location for d in built] == [d.location for d in marked]
    assert all(d.fix is None for d in marked)  # marks never build edits
    return [(b.location.line, ("safe" if b.fix.safe else "unsafe") if b.fix else None, m.fixable)
            for b, m in zip(built, marked, strict=True) if b.code == code]


#: what the probe (and the provider) answer for each finding of each variant, in line order
EXPECTED: dict[str, list[str | None]] = {
    "cl103-computed-default": [None],
    "cl103-required-builder-never-sets": [None],
    "cl103-optional-is-a-name": [None],
    "cl103-keyword-added": ["safe", "safe"],
    "cl106-concatenated-string": [None],
    "cl106-tuple": [None],
    "cl107-dict-key": ["unsafe"],
    "cl108-arguments-is-a-name": [None],
    "cl203-transform-step": [None],
    "cl203-outputs-tuple": [None],
    "cl203-empty-list-names-bound": ["safe", "safe"],
    "cl203-empty-list-outputspec-unbound": [None, None],
    "cl205-concatenated-string": [None],
}


def _named(keyword: str, value: str) -> str:
    """The contract with ``keyword`` given as a module constant (known, but not a literal to edit)."""
    text = edit("contract", f"{keyword}={value}", f"{keyword}=VALUE")
    return text.replace("\n\nCLEAN_CONTRACT", f"\n\nVALUE = {value}\nCLEAN_CONTRACT", 1)


def _variants() -> list:
    cl203 = dict(RULES["CL203"].bad[0].files)
    transform = dict(cl203)
    transform["registry/step_names.py"] = cl203["registry/step_names.py"].replace(
        '"sagemaker_step_type": "Processing"', '"sagemaker_step_type": "Transform"')
    spec = cl203["steps/specs/clean_spec.py"]
    start, end = spec.index("    outputs=["), spec.index("    ],\n)") + len("    ],\n")
    as_tuple = dict(cl203)
    items = spec[start + len("    outputs=["):end - len("    ],\n")]
    as_tuple["steps/specs/clean_spec.py"] = spec[:start] + "    outputs=(" + items + "    ),\n" + spec[end:]
    bare_list = dict(cl203)
    bare_list["steps/specs/clean_spec.py"] = spec[:start] + "    outputs=[],\n" + spec[end:]
    unbound = dict(bare_list)
    unbound["steps/specs/clean_spec.py"] = bare_list["steps/specs/clean_spec.py"].replace(", OutputSpec,", ",")
    return [
        pytest.param("CL103", repo(script=edit("script", _READ_AT, f"{_READ_AT}    m = os.environ.get('M', pick())\n")),
                     id="cl103-computed-default"),
        pytest.param("CL103", repo(script=edit("script", _READ_AT, f"{_READ_AT}    m = os.environ['M']\n")),
                     id="cl103-required-builder-never-sets"),
        pytest.param("CL103", repo(script=edit("script", _READ_AT, f"{_READ_AT}    m = os.getenv('M')\n"),
                                   contract=_named("optional_env_vars", '{"SEPARATOR": ","}')),
                     id="cl103-optional-is-a-name"),
        pytest.param("CL103", repo(script=edit("script", _READ_AT, f"{_READ_AT}    m = os.getenv('M')\n"),
                                   contract=edit("contract", '    optional_env_vars={"SEPARATOR": ","},\n', "")),
                     id="cl103-keyword-added"),
        pytest.param("CL106", repo(contract=edit("contract", 'required_env_vars=["LABEL_FIELD"]',
                                                 'required_env_vars=["LABEL_FIELD", "UN" "USED"]')),
                     id="cl106-concatenated-string"),
        pytest.param("CL106", repo(contract=edit("contract", 'required_env_vars=["LABEL_FIELD"]',
                                                 'required_env_vars=("LABEL_FIELD", "UNUSED")')),
                     id="cl106-tuple"),
        pytest.param("CL107", repo(contract=edit("contract", 'optional_env_vars={"SEPARATOR": ","}',
                                                 'optional_env_vars={"SEPARATOR": ",", "UNUSED": "x"}')),
                     id="cl107-dict-key"),
        pytest.param("CL108", repo(script=edit("script", 'parser.add_argument("--job_type"',
                                               'parser.add_argument("--mode", default="a")\n'
                                               '    parser.add_argument("--job_type"'),
                                   contract=_named("expected_arguments", '{"job_type": "training"}')),
                     id="cl108-arguments-is-a-name"),
        pytest.param("CL203", transform, id="cl203-transform-step"),
        pytest.param("CL203", as_tuple, id="cl203-outputs-tuple"),
        pytest.param("CL203", bare_list, id="cl203-empty-list-names-bound"),
        pytest.param("CL203", unbound, id="cl203-empty-list-outputspec-unbound"),
        pytest.param("CL205", repo(spec=edit("spec", "\"properties.ProcessingOutputConfig.Outputs['clean_data']"
                                                     ".S3Output.S3Uri\"",
                                             "\"properties.ProcessingOutputConfig.Outputs['raw_data']\" "
                                             "\".S3Output.S3Uri\"")),
                     id="cl205-concatenated-string"),
    ]


def test_every_fixable_rule_has_a_probe() -> None:
    assert FIXABLE == ["CL103", "CL106", "CL107", "CL108", "CL203", "CL205"]
    assert [code for code in FIXABLE if RULES[code].fix.probe is None] == []


@pytest.mark.parametrize(("code", "index"), [(c, i) for c in FIXABLE for i in range(len(RULES[c].bad))])
def test_probe_agrees_on_every_bad_example(tmp_path: Path, code: str, index: int) -> None:
    answers = _answers(tmp_path, dict(RULES[code].bad[index].files), code)
    assert answers and all(edits == probe for _, edits, probe in answers), answers


@pytest.mark.parametrize(("code", "files"), _variants())
def test_probe_agrees_where_the_provider_may_refuse(tmp_path: Path, code: str, files: dict,
                                                    request: pytest.FixtureRequest) -> None:
    answers = _answers(tmp_path, files, code)
    assert [probe for _, _, probe in answers] == EXPECTED[request.node.callspec.id]
    assert [edits for _, edits, _ in answers] == EXPECTED[request.node.callspec.id]

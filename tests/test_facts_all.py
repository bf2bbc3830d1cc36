"""extract_all: role selection, unknown counts, unparsable files, pickling, one walk per file."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

from cursus_core.source import parse_text
from cursus_lint.facts import ModuleFacts, extract_all

CONTRACT = textwrap.dedent("""\
    A_CONTRACT = ScriptContract(entry_point="a.py", expected_input_paths=paths())  # noqa: CL104
    """).encode()


def test_roles_select_extractors_and_unknown_is_summed():
    sf = parse_text(Path("steps/contracts/a_contract.py"), CONTRACT)
    facts = extract_all(sf, {"contract"})
    assert facts.roles == frozenset({"contract"})
    assert [c.variable for c in facts.contracts] == ["A_CONTRACT"]
    assert facts.script is None and facts.specs == () and facts.builders == ()
    assert facts.module is not None and set(facts.module.definitions) == {"A_CONTRACT"}
    assert dict(facts.unknown) == {"non-literal-contract-field": 1}
    assert facts.digest == sf.digest and facts.problem is None


def test_unparsable_file_keeps_its_problem():
    sf = parse_text(Path("broken.py"), b"def f(:\n    pass  # noqa\n")
    facts = extract_all(sf, {"script"})
    assert facts.problem is not None and facts.problem.kind == "syntax-error"
    assert facts.script is None and facts.module == ModuleFacts()


def test_facts_pickle_round_trip():
    src = textwrap.dedent("""\
        import os
        def main(input_paths, output_paths, environ_vars, job_args):
            return os.environ.get("X", "d"), input_paths["DATA"], "/opt/ml/processing/input/data"
        class AConfig(BasePipelineConfig):
            x: int = 1
        """).encode()
    facts = extract_all(parse_text(Path("a.py"), src), {"script", "config", "builder"})
    again = pickle.loads(pickle.dumps(facts))
    assert again == facts
    assert again.script.env_reads[0].name == "X"
    assert again.configs[0].fields["x"].default == 1

"""tools/compare_migrate.py: what it reports when a committed .step.yaml differs from the migration."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("compare_migrate_tool", ROOT / "tools" / "compare_migrate.py")
assert _spec is not None and _spec.loader is not None
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)


def test_differences_per_facet_and_job_type(tmp_path: Path, capsys) -> None:
    ours, upstream = tmp_path / "ours", tmp_path / "upstream"
    assert tool.main([str(ROOT / "fixtures" / "example_repo"), str(upstream), "--out", str(ours)]) == 0
    capsys.readouterr()
    upstream.mkdir()
    for name in ("currency_conversion", "tabular_preprocessing"):
        shutil.copy(ours / f"{name}.step.yaml", upstream)
    cc = upstream / "currency_conversion.step.yaml"
    cc.write_text(cc.read_text().replace("TARGET_CURRENCY: USD", "TARGET_CURRENCY: EUR")
                  .replace("    - CURRENCY_CODE_FIELD\n", ""))
    tp = upstream / "tabular_preprocessing.step.yaml"
    tp.write_text(tp.read_text().replace("  testing:\n    spec:\n      dependencies:\n        DATA:\n",
                                         "  testing:\n    spec:\n      dependencies:\n        DATA:\n"
                                         "          compatible_sources: [Elsewhere]\n"))
    diffs, counts, unmatched = tool.compare(ours, [upstream])
    assert diffs == {
        "CurrencyConversion": [
            "  [base] env required: only ours=['CURRENCY_CODE_FIELD'] only upstream=[]",
            "  [base] env optional: TARGET_CURRENCY: ours='USD' upstream='EUR'",
        ],
        "TabularPreprocessing": [
            "  [testing] compatible_sources: DATA: ours=['DataLoading'] upstream=['Elsewhere']",
        ],
    }
    assert counts == {"env required": 1, "env optional": 1, "compatible_sources": 1}
    assert len(unmatched) == 10 and unmatched[0] == "batch_transform.step.yaml: no upstream file"


def test_compute_kind_is_its_own_facet_and_only_on_the_base(tmp_path: Path, capsys) -> None:
    ours, upstream = tmp_path / "ours", tmp_path / "upstream"
    assert tool.main([str(ROOT / "fixtures" / "example_repo"), str(upstream), "--out", str(ours)]) == 0
    capsys.readouterr()
    upstream.mkdir()
    shutil.copy(ours / "tabular_preprocessing.step.yaml", upstream)
    tp = upstream / "tabular_preprocessing.step.yaml"
    tp.write_text(tp.read_text().replace("  kind: sklearn\n", "  kind: framework\n  sdk_class: SKLearn\n"))
    diffs, counts, _ = tool.compare(ours, [upstream])
    assert diffs == {"TabularPreprocessing": [
        "  [base] compute kind: ours='sklearn' upstream='framework'",
        "  [base] route: sdk_class: ours='<absent>' upstream='SKLearn'",
    ]}
    assert counts == {"compute kind": 1, "route": 1}

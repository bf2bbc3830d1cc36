"""The editor's re-lint after an edit of one document extracts that document's facts only: every
unchanged file's facts (and parse) are reused from the previous lint in the same process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import cursus_lint.engine as engine_module
import cursus_lint.prefetch as prefetch
from cursus_lint.lsp.linting import lint_documents
from cursus_lint.rules import _examples as ex

STEPS = 60


def generate(dest: Path, steps: int) -> Path:
    """An aligned repo: the examples' DataLoad provider plus ``steps - 1`` renamed Clean steps."""
    files: dict[str, str] = {}
    entries: list[str] = []
    head, clean = ex.REGISTRY.split('    "Clean": ')
    clean_entry = clean.rsplit("}", 1)[0].rstrip().rstrip(",")
    for k in range(steps - 1):
        name = f"Clean{chr(65 + k // 26)}{chr(97 + k % 26)}"
        sub = {"Clean": name, "clean": "clean_" + name[5:].lower(), "CLEAN": "CLEAN_" + name[5:].upper()}

        def rename(text: str, sub: dict[str, str] = sub) -> str:
            for old, new in sub.items():
                text = text.replace(old, new)
            return text

        for key in ("script", "contract", "spec", "builder", "config"):
            files[rename(ex.PATHS[key])] = rename(ex.BASE[key])
        entries.append(f'    "{name}": {rename(clean_entry)},\n')
    for key in ("load_spec", "load_builder", "load_config"):
        files[ex.PATHS[key]] = ex.BASE[key]
    files[ex.PATHS["registry"]] = head + "".join(entries) + "}\n"
    for rel, text in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for d in ["steps", *(f"steps/{x}" for x in ("scripts", "contracts", "specs", "builders", "configs"))]:
        (dest / d / "__init__.py").touch()
    return dest


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("lsp") / "repo", STEPS)


def test_a_relint_after_one_edit_extracts_only_the_edited_document(repo: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    extracted: list[Path] = []
    real = engine_module.extract_all

    def counting(source, roles):  # type: ignore[no-untyped-def]
        extracted.append(source.path)
        return real(source, roles)

    monkeypatch.setattr(engine_module, "extract_all", counting)
    monkeypatch.setattr(prefetch, "PARALLEL_MIN_FILES", 10**6)  # the first lint in this process, countable
    contract = (repo / ex.PATHS["contract"].replace("clean", "clean_ab")).absolute()
    assert contract.is_file()
    text = contract.read_text()
    assert lint_documents([contract], {contract: text})[contract] == []
    assert len(extracted) > 5 * (STEPS - 1)  # the first lint of the session reads the repo
    times = []
    for i in range(3):
        extracted.clear()
        edited = text.replace('["LABEL_FIELD"]', f'["LABEL_FIELD", "EXTRA_{i}"]', 1)
        assert edited != text
        start = time.perf_counter()
        found = lint_documents([contract], {contract: edited})[contract]
        times.append(time.perf_counter() - start)
        assert extracted == [contract]
        assert [d.code for d in found] == ["CL106"]  # the script never reads the new required env var
    extracted.clear()
    assert lint_documents([contract], {contract: text})[contract] == []  # back to the saved text: nothing new
    assert extracted == []
    print(f"\nre-lint of one edited document in a {STEPS}-step repo: "
          + ", ".join(f"{t * 1000:.0f} ms" for t in times))

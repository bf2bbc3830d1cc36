"""Configuration: discovery, validation messages, rule selection, per-file ignores, paths."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from cursus_lint.config import (
    DEFAULT_EXCLUDES,
    ConfigError,
    LintConfig,
    _glob_regex,
    find_config_file,
    glob_match,
    load_config,
)
from cursus_lint.diagnostic import Severity

KNOWN = {"CL101", "CL102", "CL103", "CL104", "CL110", "CL201", "CL303", "CL501", "CL703", "CL903"}


def write(root: Path, body: str, *, name: str = "pyproject.toml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text(body, encoding="utf-8")
    return path


def table(root: Path, body: str) -> Path:
    return write(root, '[project]\nname = "steps"\n\n[tool.cursus-lint]\n' + body)


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs from an empty directory so the repo's own pyproject is never found."""
    home = tmp_path / "cwd"
    home.mkdir()
    monkeypatch.chdir(home)


def error(tmp_path: Path, body: str, overrides: dict | None = None) -> ConfigError:
    path = table(tmp_path / "repo", body)
    with pytest.raises(ConfigError) as info:
        load_config(path.parent, KNOWN, overrides)
    return info.value


# ---------------------------------------------------------------------------- discovery


def test_find_config_walks_up_from_a_file(tmp_path: Path) -> None:
    cfg = table(tmp_path / "repo", 'select = ["CL1"]\n')
    deep = tmp_path / "repo" / "steps" / "scripts"
    deep.mkdir(parents=True)
    (deep / "x.py").write_text("")
    assert find_config_file(deep / "x.py") == cfg
    assert find_config_file(deep) == cfg


def test_find_config_skips_pyproject_without_our_table(tmp_path: Path) -> None:
    outer = table(tmp_path / "repo", "")
    write(tmp_path / "repo" / "pkg", '[project]\nname = "pkg"\n[tool.ruff]\nline-length = 99\n')
    assert find_config_file(tmp_path / "repo" / "pkg") == outer


def test_find_config_returns_none_at_filesystem_root(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_config_file(tmp_path / "a" / "b") is None


def test_no_config_gives_defaults_rooted_at_cwd(tmp_path: Path) -> None:
    config = load_config(tmp_path / "cwd", KNOWN)
    assert config.config_file is None
    assert config.root == tmp_path / "cwd"
    assert config.select is None
    assert config.fail_on == "error"
    assert config.cache_path == tmp_path / "cwd" / ".cursus-lint-cache"
    assert config.resolver.threshold == 0.5 and config.resolver.tie_margin == 0.05
    assert all(config.enabled(code) for code in KNOWN)


def test_explicit_config_file_skips_the_search(tmp_path: Path) -> None:
    table(tmp_path / "near", 'ignore = ["CL1"]\n')
    far = table(tmp_path / "far", 'ignore = ["CL2"]\n')
    config = load_config(tmp_path / "near", KNOWN, config_file=far)
    assert config.config_file == far and config.root == tmp_path / "far"
    assert config.enabled("CL101") and not config.enabled("CL201")


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, KNOWN, config_file=missing)
    assert str(info.value) == f"cannot read config file {missing}: No such file or directory"


# ---------------------------------------------------------------------------- error messages


def test_unknown_key_names_key_file_and_closest(tmp_path: Path) -> None:
    err = error(tmp_path, 'selct = ["CL1"]\n')
    cfg = tmp_path / "repo" / "pyproject.toml"
    assert str(err) == f"unknown key 'selct' in [tool.cursus-lint] of {cfg}; did you mean 'select'?"
    assert err.path == cfg


def test_snake_case_key_suggests_the_kebab_spelling(tmp_path: Path) -> None:
    err = error(tmp_path, 'extend_select = ["CL1"]\n')
    assert str(err).startswith("unknown key 'extend_select' in [tool.cursus-lint] of ")
    assert str(err).endswith("; did you mean 'extend-select'?")


def test_unknown_key_without_close_match_has_no_guess(tmp_path: Path) -> None:
    err = error(tmp_path, "zzzzzz = 1\n")
    assert str(err) == f"unknown key 'zzzzzz' in [tool.cursus-lint] of {tmp_path / 'repo' / 'pyproject.toml'}"


def test_unknown_resolver_key(tmp_path: Path) -> None:
    err = error(tmp_path, "[tool.cursus-lint.resolver]\nthresold = 0.7\n")
    assert str(err) == (f"unknown key 'thresold' in [tool.cursus-lint.resolver] of "
                        f"{tmp_path / 'repo' / 'pyproject.toml'}; did you mean 'threshold'?")


def test_resolver_threshold_out_of_range(tmp_path: Path) -> None:
    err = error(tmp_path, "resolver = { threshold = 1.5 }\n")
    assert str(err) == (f"invalid value for 'resolver.threshold' in [tool.cursus-lint] of "
                        f"{tmp_path / 'repo' / 'pyproject.toml'}: Input should be less than or equal to 1")


def test_bad_severity_value(tmp_path: Path) -> None:
    err = error(tmp_path, 'severity = { CL103 = "fatal" }\n')
    assert str(err) == (f"invalid value for 'severity.CL103' in [tool.cursus-lint] of "
                        f"{tmp_path / 'repo' / 'pyproject.toml'}: Input should be 'error', 'warning' or 'info'")


def test_bad_fail_on_value(tmp_path: Path) -> None:
    err = error(tmp_path, 'fail-on = "never"\n')
    assert str(err).endswith(": Input should be 'error', 'warning' or 'info'")
    assert str(err).startswith("invalid value for 'fail-on' in [tool.cursus-lint] of ")


def test_unknown_layout_role(tmp_path: Path) -> None:
    err = error(tmp_path, 'layout = { scriptz = ["src"] }\n')
    assert str(err) == (f"unknown layout role 'scriptz' in [tool.cursus-lint] of "
                        f"{tmp_path / 'repo' / 'pyproject.toml'}; did you mean 'scripts'?")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('select = ["CL199"]\n', "unknown rule code 'CL199' in 'select' of {cfg}; did you mean 'CL109'?"),
        ('ignore = ["CL8"]\n', "unknown rule code 'CL8' in 'ignore' of {cfg}"),
        ('extend-select = ["E501"]\n', "unknown rule code 'E501' in 'extend-select' of {cfg}"),
        ('per-file-ignores = { "tests/*" = ["CL7", "CL777"] }\n',
         "unknown rule code 'CL777' in 'per-file-ignores['tests/*']' of {cfg}"),
        ('ignore = ["CL1O3"]\n', "unknown rule code 'CL1O3' in 'ignore' of {cfg}; did you mean 'CL103'?"),
        ('severity = { CL3 = "info", CL999 = "info" }\n', "unknown rule code 'CL999' in 'severity' of {cfg}"),
    ],
)
def test_unknown_rule_codes(tmp_path: Path, body: str, message: str) -> None:
    known = KNOWN | {"CL109"}
    path = table(tmp_path / "repo", body)
    with pytest.raises(ConfigError) as info:
        load_config(path.parent, known)
    assert str(info.value) == message.format(cfg=f"[tool.cursus-lint] of {path}")


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "repo", '[tool.cursus-lint]\nselect = ["CL1"\nignore = []\n')
    with pytest.raises(ConfigError) as info:
        load_config(path.parent, KNOWN)
    assert str(info.value) == f"invalid TOML in {path} at line 3, column 1: Unclosed array"
    assert (info.value.path, info.value.line, info.value.column) == (path, 3, 1)


def test_invalid_toml_without_our_table_is_not_our_business(tmp_path: Path) -> None:
    write(tmp_path / "repo", "[project\nname = 'x'\n")
    assert find_config_file(tmp_path / "repo") is None


def test_table_must_be_a_table(tmp_path: Path) -> None:
    path = write(tmp_path / "repo", '[tool]\ncursus-lint = "strict"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path.parent, KNOWN)
    assert str(info.value) == f"[tool.cursus-lint] in {path} must be a table, not str"


def test_command_line_errors_are_attributed_to_the_command_line(tmp_path: Path) -> None:
    table(tmp_path / "repo", "")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "repo", KNOWN, {"select": ["CL42"]})
    assert str(info.value) == "unknown rule code 'CL42' in 'select' of command-line options"
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "repo", KNOWN, {"ignroe": ["CL1"]})
    assert str(info.value) == "unknown key 'ignroe' in command-line options; did you mean 'ignore'?"


# ---------------------------------------------------------------------------- selection


def test_most_specific_selector_wins(tmp_path: Path) -> None:
    table(tmp_path / "repo", 'select = ["CL1"]\nignore = ["CL10"]\nextend-select = ["CL103"]\n')
    config = load_config(tmp_path / "repo", KNOWN)
    assert {code: config.enabled(code) for code in sorted(KNOWN)} == {
        "CL101": False, "CL102": False, "CL103": True, "CL104": False, "CL110": True,
        "CL201": False, "CL303": False, "CL501": False, "CL703": False, "CL903": False,
    }


def test_ignore_wins_a_tie_and_codes_are_case_insensitive(tmp_path: Path) -> None:
    table(tmp_path / "repo", 'select = ["cl103", "ALL"]\nignore = ["CL103", "cl7"]\n')
    config = load_config(tmp_path / "repo", KNOWN)
    assert config.select == ["CL103", "ALL"]
    assert not config.enabled("CL103")
    assert not config.enabled("cl703")
    assert config.enabled("CL104")


def test_select_all_then_ignore_family(tmp_path: Path) -> None:
    table(tmp_path / "repo", 'ignore = ["CL5"]\n')
    config = load_config(tmp_path / "repo", KNOWN)
    assert config.enabled("CL101") and not config.enabled("CL501")


def test_overrides_replace_select_and_append_ignore(tmp_path: Path) -> None:
    table(tmp_path / "repo", 'select = ["CL1"]\nignore = ["CL101"]\nfail-on = "warning"\n')
    config = load_config(tmp_path / "repo", KNOWN,
                         {"select": ["CL2", "CL1"], "ignore": ["CL102"], "extend-select": ["CL303"]})
    assert config.select == ["CL2", "CL1"]
    assert config.ignore == ["CL101", "CL102"]
    assert config.fail_on == "warning"
    assert [c for c in sorted(KNOWN) if config.enabled(c)] == ["CL103", "CL104", "CL110", "CL201", "CL303"]


def test_override_fail_on_replaces_file_value(tmp_path: Path) -> None:
    table(tmp_path / "repo", 'fail-on = "warning"\n')
    assert load_config(tmp_path / "repo", KNOWN, {"fail-on": "info"}).fail_on == "info"


# ---------------------------------------------------------------------------- severity and fail-on


def test_severity_for_most_specific_key_and_default(tmp_path: Path) -> None:
    table(tmp_path / "repo", 'severity = { CL1 = "warning", CL103 = "info", ALL = "error" }\n')
    config = load_config(tmp_path / "repo", KNOWN)
    assert config.severity_for("CL103", "error") == "info"
    assert config.severity_for("CL104", "error") == "warning"
    assert config.severity_for("CL501", "warning") == "error"
    bare = LintConfig()
    assert bare.severity_for("CL501", Severity.WARNING) == "warning"


def test_fails_default_is_errors_only() -> None:
    config = LintConfig()
    assert config.fails("error") and config.fails(Severity.ERROR)
    assert not config.fails("warning") and not config.fails("info")
    strict = LintConfig(**{"fail-on": "info"})
    assert strict.fails("info")


# ---------------------------------------------------------------------------- paths


def test_per_file_ignores_relative_to_config_dir(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    table(repo, '[tool.cursus-lint.per-file-ignores]\n"steps/scripts/**/*.py" = ["CL10"]\n'
                '"__init__.py" = ["ALL"]\n"legacy/*.py" = ["CL7"]\n')
    config = load_config(repo, KNOWN)
    assert config.ignored_for_path("CL103", repo / "steps/scripts/tab.py")
    assert config.ignored_for_path("cl104", repo / "steps/scripts/sub/deep/tab.py")
    assert not config.ignored_for_path("CL110", repo / "steps/scripts/tab.py")
    assert not config.ignored_for_path("CL103", repo / "steps/contracts/tab_contract.py")
    assert config.ignored_for_path("CL501", repo / "steps/contracts/__init__.py")
    assert config.ignored_for_path("CL703", repo / "legacy/old.py")
    assert not config.ignored_for_path("CL703", repo / "legacy/sub/old.py")
    assert not config.ignored_for_path("CL703", tmp_path / "legacy/old.py")  # outside the root


def test_default_excludes_and_additions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    table(repo, 'exclude = ["fixtures/broken"]\nextend-exclude = ["*_generated.py", "docs/**/*.py"]\n')
    config = load_config(repo, KNOWN)
    assert config.exclude_patterns == (*DEFAULT_EXCLUDES, "fixtures/broken", "*_generated.py", "docs/**/*.py")
    excluded = [".venv/lib/site.py", "steps/__pycache__/x.py", "build", "sub/node_modules/a.py",
                "fixtures/broken", "fixtures/broken/steps/scripts/a.py", "steps/x_generated.py",
                "docs/conf.py", "docs/a/b/c.py", ".cursus-lint-cache/facts.json"]
    kept = ["steps/scripts/build_model.py", "fixtures/clean/a.py", "docs/readme.md", "sub/fixtures/broken/a.py",
            "steps/scripts/tab.py"]
    assert [p for p in excluded if not config.is_excluded(repo / p)] == []
    assert [p for p in kept if config.is_excluded(repo / p)] == []


def test_root_named_like_an_exclude_is_not_excluded(tmp_path: Path) -> None:
    repo = tmp_path / "build"
    table(repo, "")
    config = load_config(repo, KNOWN)
    assert not config.is_excluded(repo / "steps" / "a.py")
    assert not config.is_excluded(repo)


def test_relative_paths_are_relative_to_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    table(repo, 'exclude = ["steps/legacy"]\n')
    monkeypatch.chdir(repo)
    config = load_config(Path("."), KNOWN)
    assert config.root == repo
    assert config.is_excluded(Path("steps/legacy/a.py"))
    assert not config.is_excluded(Path("steps/scripts/a.py"))


def test_paths_in_file_resolve_against_config_dir(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    table(repo, 'registry = "registry/step_names.py"\nworkspace-dirs = ["development/projects"]\n'
                'cache-dir = ".cache/cl"\n')
    config = load_config(repo / "steps", KNOWN)
    assert config.registry_path == repo / "registry/step_names.py"
    assert config.workspace_paths == [repo / "development/projects"]
    assert config.cache_path == repo / ".cache/cl"


def test_command_line_paths_and_globs_resolve_against_cwd(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    table(repo, 'exclude = ["a/old"]\nper-file-ignores = { "steps/x.py" = ["CL1"] }\n')
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    config = load_config(Path("."), KNOWN, {
        "exclude": ["gen/*.py", "tmp"], "registry": "reg.py",
        "per-file-ignores": {"s/*.py": ["CL5"]},
    })
    assert config.exclude == ["a/old", "sub/gen/*.py", "tmp"]
    assert config.registry_path == repo / "sub" / "reg.py"
    assert config.is_excluded(repo / "sub/gen/a.py")
    assert not config.is_excluded(repo / "gen/a.py")
    assert config.ignored_for_path("CL501", repo / "sub/s/m.py")
    assert config.ignored_for_path("CL101", repo / "steps/x.py")
    assert not config.ignored_for_path("CL501", repo / "s/m.py")


def test_layout_overrides_one_role() -> None:
    config = LintConfig(layout={"scripts": ["scripts", "processing"]})
    assert config.layout_for("scripts") == ("scripts", "processing")
    assert config.layout_for("builders") == ("builders",)


# ---------------------------------------------------------------------------- glob translation


@pytest.mark.parametrize(
    ("path", "glob", "expected"),
    [
        ("a/b.py", "**/*.py", True),
        ("b.py", "**/*.py", True),
        ("a/b/c.py", "a/**/c.py", True),
        ("a/c.py", "a/**/c.py", True),
        ("a/b/c.py", "a/*.py", False),
        ("a/b/c.py", "a/*/c.py", True),
        ("a/x/y", "a/**", True),
        ("ab/c.py", "a*/c.py", True),
        ("a/b.py", "a/?.py", True),
        ("a/bb.py", "a/?.py", False),
        ("a/b.py", "a/[abc].py", True),
        ("a/d.py", "a/[!abc].py", True),
        ("a/b.py", "a/[!abc].py", False),
        ("a/b.py", "A/b.py", False),
        ("a[1]/b.py", "a[[]1]/b.py", True),
    ],
)
def test_glob_match(path: str, glob: str, expected: bool) -> None:
    assert glob_match(PurePosixPath(path), glob) is expected
    # the fallback translation agrees on every Python version
    assert (_glob_regex(glob).match(path) is not None) is expected


def test_non_utf8_config_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "repo" / "pyproject.toml"
    path.parent.mkdir()
    path.write_bytes(b'[tool.cursus-lint]\nselect = ["CL1"]  # caf\xe9\n')
    with pytest.raises(ConfigError) as info:
        load_config(path.parent, KNOWN)
    assert str(info.value) == f"invalid TOML in {path} at line 2: not valid UTF-8 (byte 0xe9 at offset 42)"
    assert info.value.line == 2

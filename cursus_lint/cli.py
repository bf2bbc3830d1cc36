"""The ``cursus-lint`` command line.

One error path: usage and configuration problems print one ``cursus-lint: error: ...`` line and
exit 2; an unexpected internal error does the same (set ``CURSUS_LINT_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import contextlib
import json as _json
import os
import sys
from pathlib import Path
from typing import Any

import click

from ._version import __version__
from .fix import FixMode

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A problem with how the tool was called or configured: one line, exit 2."""


def _fail(message: str) -> None:
    click.echo(f"cursus-lint: error: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             invoke_without_command=True)
@click.version_option(__version__, "-V", "--version", prog_name="cursus-lint", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Static alignment checks for SageMaker pipeline step repos.

    Each step is a script, a script contract, a step specification, a step builder and a config
    class, plus a registry entry. cursus-lint reads them as syntax (never importing them) and
    reports where they disagree.

    \b
    Examples:
      cursus-lint check .                      lint the repo in the current directory
      cursus-lint check steps/contracts/x.py   lint the steps this file belongs to
      cursus-lint check . --format sarif -o cursus.sarif
      cursus-lint rules                        list every rule
      cursus-lint rule CL103                   explain one rule
      cursus-lint catalog .                    show which files form which step
      cursus-lint migrate . --dry-run          classic steps -> .step.yaml interfaces
    """
    if ctx.invoked_subcommand is None:  # bare `cursus-lint`: the help, as `git` does
        click.echo(ctx.get_help())
        ctx.exit(EXIT_OK)


def _codes(values: tuple[str, ...]) -> list[str] | None:
    """``--select CL1,CL2 --select CL3`` -> [CL1, CL2, CL3]; None when the flag was not given."""
    if not values:
        return None
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "--output-format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "junit"]),
              default="text", show_default=True, envvar="CURSUS_LINT_OUTPUT_FORMAT", show_envvar=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE.")
@click.option("--select", multiple=True, help="Only these codes or prefixes (e.g. CL1,CL402). Replaces the config.")
@click.option("--extend-select", multiple=True, help="Add codes or prefixes to the selection.")
@click.option("--ignore", multiple=True, help="Skip these codes or prefixes.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (added to the configured excludes).")
@click.option("--workspace-dir", "workspace_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Directory holding development/projects/<id>/ workspaces (repeatable).")
@click.option("--registry", type=click.Path(path_type=Path), help="Registry file defining STEP_NAMES.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Use this pyproject.toml instead of searching upward.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]),
              help="Lowest severity that makes the exit status 1 (default: error).")
@click.option("--statistics", is_flag=True, help="Add counts per rule and of statically unknowable cases.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary line.")
@click.option("--color/--no-color", default=None, help="Force coloured text output on or off (default: on a terminal).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the on-disk facts cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Directory of the facts cache (default: .cursus-lint-cache in the project). Only this option "
                   "may put it outside the project; cache-dir in pyproject.toml must stay inside.")
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Report only findings not recorded in this baseline file; list stale entries.")
@click.option("--write-baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Record the current findings in FILE (for adopting cursus-lint on a legacy repo) and exit 0.")
@click.option("--fix", "fix", is_flag=True, help="Apply safe fixes, then report what remains.")
@click.option("--fix-only", is_flag=True, help="Apply safe fixes and report nothing else; exit 0 unless "
                                               "--exit-non-zero-on-fix.")
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="Exit 1 when --fix changed a file, even if no finding remains (a CI or hook sees the edit).")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: also apply fixes that need review.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print a unified diff of the fixes instead of writing them (exit 1 if there is any).")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file.")
@click.option("--add-noqa", is_flag=True, help="Add '# noqa: CODE' for every remaining finding.")
@click.option("--per-file-ignores", "per_file_ignores", multiple=True, metavar="GLOB:CODES",
              help="Skip CODES (comma-separated) in files matching GLOB, e.g. 'steps/scripts/*.py:CL1,CL402' "
                   "(repeatable; added to the configured ones).")
@click.option("--stdin-filename", type=click.Path(path_type=Path),
              help="Lint standard input as the contents of this file (pass '-' as the path), for editors "
                   "and scripts.")
@click.option("--show-settings", is_flag=True,
              help="Print the resolved configuration, and where each value came from, then exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be linted, one per line, then exit.")
@click.option("-v", "--verbose", is_flag=True,
              help="Also list, on stderr, where each case that is not statically knowable is and what it was.")
def check_cmd(paths: tuple[Path, ...], fmt: str, output: Path | None, select: tuple[str, ...],
              extend_select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...],
              workspace_dirs: tuple[Path, ...], registry: Path | None, config_file: Path | None,
              fail_on: str | None, statistics: bool, exit_zero: bool, quiet: bool, color: bool | None,
              no_cache: bool, cache_dir: Path | None, baseline_file: Path | None, write_baseline: Path | None,
              fix: bool = False,
              unsafe_fixes: bool = False, show_diff: bool = False, show_fixes: bool = False,
              add_noqa: bool = False, fix_only: bool = False, exit_non_zero_on_fix: bool = False,
              per_file_ignores: tuple[str, ...] = (), stdin_filename: Path | None = None,
              show_settings: bool = False, show_files: bool = False, verbose: bool = False) -> None:
    """Lint the step repos under PATHS (default: the current directory).

    A file path lints the steps that file belongs to, against their other components, and
    reports only findings in those steps (what a pre-commit hook needs).
    """
    from .config import ConfigError, load_config
    from .report import Summary, render
    from .rules_index import all_rules

    overlay: dict[Path, str] = {}
    if stdin_filename is not None:
        if list(paths) != [Path("-")]:
            raise UsageError("--stdin-filename needs '-' as the only path (the text comes from standard input)")
        overlay[stdin_filename.absolute()] = sys.stdin.read()
        paths = (stdin_filename,)
    elif Path("-") in paths:
        raise UsageError("'-' (standard input) needs --stdin-filename PATH to say which file the text is")
    targets = list(paths) or [Path(".")]
    for p in targets:
        if not p.exists() and p.absolute() not in overlay:
            raise UsageError(f"path does not exist: {p}")
    overrides: dict[str, object] = {}
    for key, value in (("select", _codes(select)), ("extend-select", _codes(extend_select)),
                       ("ignore", _codes(ignore))):
        if value is not None:
            overrides[key] = value
    if exclude:
        overrides["extend-exclude"] = list(exclude)
    if workspace_dirs:
        overrides["workspace-dirs"] = [str(Path(w).absolute()) for w in workspace_dirs]
    if registry is not None:
        overrides["registry"] = str(Path(registry).absolute())
    if fail_on is not None:
        overrides["fail-on"] = fail_on
    if cache_dir is not None:
        overrides["cache-dir"] = str(Path(cache_dir).absolute())
    if per_file_ignores:
        overrides["per-file-ignores"] = _per_file_ignores(per_file_ignores)
    fix = fix or fix_only
    # the whole-run result cache: not for edits, unsaved text, or a run told to bypass caches
    cacheable = not (no_cache or overlay or fix or show_diff or add_noqa or show_settings or show_files
                     or os.environ.get("CURSUS_LINT_RESULT_CACHE") == "0")
    rules: dict[str, Any] | None = None
    known: set[str] = set()
    settings = None
    if cacheable:
        from .result_cache import candidate_codes

        known = candidate_codes()  # the rule modules' names: a hit need not import them
        try:
            settings = load_config(targets[0].absolute(), known, overrides=overrides, config_file=config_file)
        except ConfigError:
            settings = None  # reported below, with the codes the rules really have
    if settings is None:
        rules = all_rules()
        known = set(rules)
        try:
            settings = load_config(targets[0].absolute(), known, overrides=overrides, config_file=config_file)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    if show_settings:
        click.echo("\n".join(_settings_lines(settings, set(overrides))))
        sys.exit(EXIT_OK)
    if show_files:
        for f in _files_to_lint(settings, targets):
            click.echo(_rel(f))
        sys.exit(EXIT_OK)
    if unsafe_fixes and not (fix or show_diff):
        raise UsageError("--unsafe-fixes needs --fix or --diff")
    fixed_files = 0
    if fix or show_diff or add_noqa:
        result, fixed_files = _fix_run(settings, rules, targets, no_cache, fix or show_diff, unsafe_fixes, show_diff,
                                       show_fixes, add_noqa)
    else:
        result = _check_run(settings, rules, known, targets, overlay, no_cache, cacheable, FIXES_SHOWN[fmt], verbose,
                            overrides, fmt)
        rules = result.rules
    assert rules is not None  # a fix run and a real run both have the rules, a hit its cards
    if result.empty_dirs:
        raise UsageError(f"no step repo under {_rel(result.empty_dirs[0])} "
                         "(no steps/ directory with scripts, contracts, "
                         "specs, builders or configs); check the path")
    if write_baseline is not None:
        from .baseline import write_baseline as write

        try:
            count = write(write_baseline, result.diagnostics, Path.cwd())
        except OSError as exc:
            raise UsageError(f"cannot write {write_baseline}: {exc.strerror or exc}") from None
        click.echo(f"Wrote {count} finding(s) to baseline {write_baseline}.", err=True)
        sys.exit(EXIT_OK)
    if baseline_file is not None:
        from .baseline import BaselineError, apply_baseline, read_baseline

        try:
            entries = read_baseline(baseline_file)
        except BaselineError as exc:
            raise UsageError(str(exc)) from None
        result.diagnostics, stale = apply_baseline(result.diagnostics, entries, Path.cwd())
        if stale:
            click.echo(f"cursus-lint: {len(stale)} baseline entr{'y is' if len(stale) == 1 else 'ies are'} stale "
                       f"(fixed since the baseline was written); shrink it with --write-baseline {baseline_file}:",
                       err=True)
            for e in stale:
                click.echo(f"  {e.code} {e.path} ({e.step or 'no step'}): {e.message}", err=True)
    use_color = (sys.stdout.isatty() and output is None and not os.environ.get("NO_COLOR")) if color is None \
        else color
    summary = Summary(files=result.files, steps=result.steps, elapsed_ms=result.elapsed_ms,
                      unknown=dict(result.unknown))
    ran = {code: r for code, r in rules.items() if settings.enabled(code)}
    text = render(fmt, result.diagnostics, ran, summary, color=use_color and fmt == "text", statistics=statistics)
    if fix_only:
        text = ""  # the fix summary went to stderr; remaining findings are the next run's business
    if quiet and fmt == "text":
        lines = text.splitlines()  # drop the summary block: everything after the last blank line
        text = "\n".join(lines[:len(lines) - 1 - lines[::-1].index("")]) if "" in lines else ""
    if output is not None:
        try:
            output.write_text(text + ("" if text.endswith("\n") or not text else "\n"), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    elif text:
        click.echo(text.rstrip("\n"))
    if verbose:
        click.echo(_unknown_listing(result), err=True)
    failed = result.failed(settings.fail_on) and not fix_only
    if exit_non_zero_on_fix and fixed_files:
        failed = True
    sys.exit(EXIT_OK if exit_zero or not failed else EXIT_FINDINGS)


def _check_run(settings, rules: dict[str, Any] | None, known: set[str], targets: list[Path],
               overlay: dict[Path, str], no_cache: bool, cacheable: bool, fixes: FixMode, verbose: bool,
               overrides: dict[str, object], fmt: str):
    """The engine's result for a plain check: from the result cache when nothing it depends on
    changed, else a real run (recorded and stored when ``cacheable``)."""
    from .rules_index import all_rules

    cache = None
    if cacheable:
        from .result_cache import ResultCache

        cache = ResultCache(settings, targets, fixes, rule_docs=fmt == "sarif")
        hit = cache.lookup(known, verbose)
        if hit is not None:
            return hit
    if rules is None:
        rules = all_rules()
        if set(rules) != known:  # the module names did not tell the codes: validate with the real ones
            from .config import ConfigError, load_config

            try:
                settings = load_config(targets[0].absolute(), set(rules), overrides=overrides,
                                       config_file=settings.config_file)
            except ConfigError as exc:
                raise UsageError(str(exc)) from None
            cache = None
    from .engine import Engine

    engine = Engine(settings, rules, overlay=overlay, use_cache=not no_cache and not overlay,
                    parallel_min_files=0, fixes=fixes)
    if cache is None:
        return engine.run(targets)
    recorder = cache.recording()
    try:
        result = engine.run(targets)
    finally:
        recorder.stop()
    if not result.empty_dirs:  # a usage error is never stored
        cache.store(result, rules)
    return result


def _unknown_listing(result) -> str:
    """`--verbose`: each fact that could not be known statically, as path:line:col (what they are
    is why rules said nothing there: precision before recall), then what rules counted when they
    abstained, which has no single location."""
    from collections import Counter

    from .facts import KIND_TEXT

    cases = [(path, case) for path, found in result.unknown_at.items() for case in found]
    total = sum(result.unknown.values())
    lines = [f"{total} case{'' if total == 1 else 's'} not statically knowable" + (":" if total else ".")]
    for path, case in cases:
        what = KIND_TEXT.get(case.kind, case.kind)
        lines.append(f"  {_rel(path)}:{case.line}:{case.column}: {what} ({case.kind})"
                     + (f": {case.code}" if case.code else ""))
    rest = Counter(result.unknown) - Counter(case.kind for _, case in cases)
    if rest:
        detail = ", ".join(f"{kind}: {n}" for kind, n in sorted(rest.items()))
        lines.append(f"  {sum(rest.values())} without a location: {detail}")
    return "\n".join(lines)


#: what each format shows of fixes: JSON and SARIF carry the edits (the output contract), text
#: marks fixable findings (``[*]`` and the hint; probes answer without libcst), the others nothing
FIXES_SHOWN: dict[str, FixMode] = {"json": "edits", "sarif": "edits", "text": "marks", "github": "none",
                                   "junit": "none"}


def _per_file_ignores(values: tuple[str, ...]) -> dict[str, list[str]]:
    """``--per-file-ignores "GLOB:CL1,CL2"`` (repeatable) -> {GLOB: [CL1, CL2]}."""
    out: dict[str, list[str]] = {}
    for value in values:
        glob, sep, codes = value.rpartition(":")
        listed = [c.strip() for c in codes.split(",") if c.strip()]
        if not sep or not glob.strip() or not listed:
            raise UsageError(f"--per-file-ignores {value!r}: expected GLOB:CODES, e.g. 'steps/scripts/*.py:CL1,CL402'")
        out.setdefault(glob.strip(), []).extend(listed)
    return out


def _settings_lines(settings, from_cli: set[str]) -> list[str]:
    """``--show-settings``: every key of the resolved configuration, as TOML-ish ``key = value``,
    with where it came from: the command line, the pyproject.toml that set it, or the default."""
    from .config import tomllib

    file = settings.config_file
    in_file: set[str] = set()
    if file is not None:
        try:
            table = tomllib.loads(file.read_text(encoding="utf-8")).get("tool", {}).get("cursus-lint", {})
            in_file = set(table) if isinstance(table, dict) else set()
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            in_file = set()
    lines = [f"# config file: {_rel(file) if file is not None else 'none (defaults)'}",
             f"# project root: {_rel(settings.root)}"]
    for key, value in sorted(settings.as_table().items()):
        where = [w for w, hit in ((_rel(file) if file else "", key in in_file), ("command line", key in from_cli))
                 if hit]
        lines.append(f"{key} = {_json.dumps(value, sort_keys=True)}  # {' + '.join(where) or 'default'}")
    return lines


def _files_to_lint(settings, targets: list[Path]) -> list[Path]:
    """``--show-files``: the Python files of every step repo under the targets (the files `check`
    would read), or the given files themselves, minus the excluded ones; sorted, no duplicates."""
    from cursus_core.catalog import StepCatalog, find_repo_root

    from .engine import split_step_repos

    layout = dict(settings.layout) or None
    out: set[Path] = set()
    dirs = []
    for t in targets:
        p = t.absolute()
        if p.is_dir():
            dirs.append(p)
        elif not settings.is_excluded(p):
            out.add(p)
    roots, _ = split_step_repos(sorted({find_repo_root(p, layout) for p in dirs}), layout)
    for root in roots:
        configured = root == settings.root.absolute() or root in settings.root.absolute().parents
        catalog = StepCatalog([root], workspace_dirs=[w.absolute() for w in settings.workspace_paths] if configured
                              else [], registry=settings.registry_path.absolute() if settings.registry_path else None,
                              layout=layout)
        for step_dir in catalog.step_dirs:
            for role_dirs in step_dir.role_dirs.values():
                out.update(f for d in role_dirs for f in d.glob("*.py")
                           if f.name != "__init__.py" and not settings.is_excluded(f))
        out.update(f for f in catalog.registry_files if not settings.is_excluded(f))
    return sorted(out, key=lambda f: _rel(f))


def _fix_run(settings, rules, targets: list[Path], no_cache: bool, fix: bool, unsafe: bool, show_diff: bool,
             show_fixes: bool, add_noqa: bool):
    """Run the fix loop; with --diff print the diff and exit, else write and return the last result."""
    from .engine import Engine
    from .fix.apply import run_fixes

    def run(overlay: dict[Path, str]):
        return Engine(settings, rules, overlay=overlay, use_cache=not no_cache).run(targets)

    outcome = run_fixes(run, unsafe=unsafe, fix=fix, add_noqa=add_noqa)
    for s in outcome.skipped:
        click.echo(f"cursus-lint: skipped fix in {_rel(s.path)} ({s.code}: {s.message}): {s.reason}", err=True)
    if show_diff:
        text = outcome.diff()
        if text:
            click.echo(text, nl=False)
        count = len(outcome.applied)
        click.echo(f"Would fix {count} finding(s) in {len(outcome.changed)} file(s)." if outcome.changed
                   else "No fixes available.", err=True)
        _unsafe_hint(outcome, unsafe)
        sys.exit(EXIT_FINDINGS if outcome.changed else EXIT_OK)
    from cursus_core.catalog import find_repo_root

    from .fix.write import FixWriteError

    roots = {find_repo_root(t.absolute()) for t in targets} | {w.absolute() for w in settings.workspace_paths}
    try:
        outcome.write(sorted(roots))
    except FixWriteError as exc:
        raise UsageError(f"cannot write fixes: {_rel(exc.path)} {exc.reason}; no file was changed") from None
    if show_fixes and outcome.applied:
        by_file: dict[Path, list] = {}
        for a in outcome.applied:
            by_file.setdefault(a.target, []).append(a)
        click.echo("Fixed:", err=True)
        for path in sorted(by_file, key=str):
            click.echo(f"  {_rel(path)}:", err=True)
            for a in by_file[path]:
                click.echo(f"    {a.code} {a.message} ({_rel(a.path)}:{a.line})", err=True)
    if outcome.applied:
        click.echo(f"Fixed {len(outcome.applied)} finding(s) in {len(outcome.changed)} file(s).", err=True)
    if outcome.noqa_added:
        click.echo(f"Added noqa for {outcome.noqa_added} finding(s).", err=True)
    _unsafe_hint(outcome, unsafe)
    return outcome.result, len(outcome.changed)


def _unsafe_hint(outcome, unsafe: bool) -> None:
    hidden = 0 if unsafe else outcome.unsafe_available()
    if hidden:
        click.echo(f"{hidden} more fix(es) available with --unsafe-fixes.", err=True)


def _rel(path: Path) -> str:
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:
        return path.as_posix()


@cli.command("clean")
@click.argument("root", type=click.Path(path_type=Path, file_okay=False), default=".")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The cache directory to remove (default: cache-dir of the project's configuration).")
def clean_cmd(root: Path, cache_dir: Path | None) -> None:
    """Remove the facts cache of the project at ROOT and say what was removed."""
    import shutil

    from .config import ConfigError, load_config
    from .rules_index import all_rules

    if not root.is_dir():
        raise UsageError(f"directory does not exist: {root}")
    try:
        settings = load_config(root.absolute(), set(all_rules()))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    target = cache_dir if cache_dir is not None else settings.cache_path
    if not target.exists():
        click.echo(f"No cache to remove at {_rel(target)}.")
        return
    if target.is_symlink() or not (target / "CACHEDIR.TAG").is_file():  # only what the cache itself created
        raise UsageError(f"{_rel(target)} is not a cursus-lint cache (no CACHEDIR.TAG); not removing it")
    try:
        shutil.rmtree(target)
    except OSError as exc:
        raise UsageError(f"cannot remove {_rel(target)}: {exc.strerror or exc}") from None
    click.echo(f"Removed {_rel(target)}.")


@cli.command("init")
@click.argument("root", type=click.Path(path_type=Path, file_okay=False), default=".")
def init_cmd(root: Path) -> None:
    """Write [tool.cursus-lint] for the repo at ROOT and print pre-commit and CI snippets.

    Detects the registry, workspace directories, the pipeline DAG and the saved pipeline config,
    and appends the section to ROOT/pyproject.toml (created if missing; the rest of the file is
    kept as it is). Refuses when the section already exists.
    """
    from .init import InitError, detect, section_text, snippets

    if not root.is_dir():
        raise UsageError(f"directory does not exist: {root}")
    pyproject = root / "pyproject.toml"
    try:
        found = detect(root.absolute())
        text = section_text(found)
        old = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
        from .init import has_section

        if has_section(old, pyproject):
            raise UsageError(f"{_rel(pyproject)} already has a [tool.cursus-lint] section; not changing it "
                             "(see `cursus-lint check --show-settings`)")
    except InitError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot read {_rel(pyproject)}: {exc.strerror or exc}") from None
    sep = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
    try:
        with open(pyproject, "a", encoding="utf-8") as f:
            f.write(sep + text)
    except OSError as exc:
        raise UsageError(f"cannot write {_rel(pyproject)}: {exc.strerror or exc}") from None
    click.echo(f"Wrote [tool.cursus-lint] to {_rel(pyproject)}:\n\n{text}")
    click.echo(snippets(), nl=False)


def _stdin_is_tty() -> bool:
    """Whether missing options may be asked for (a terminal), rather than be errors (a pipe, CI)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _items(values: tuple[str, ...]) -> tuple[str, ...]:
    """``--inputs a,b --inputs c`` -> (a, b, c)."""
    return tuple(item.strip() for v in values for item in v.split(",") if item.strip())


_STEP_TYPES = ("Processing", "Training", "CreateModel", "Transform")


@cli.command("new-step")
@click.argument("name", required=False)
@click.argument("root", type=click.Path(path_type=Path, file_okay=False), required=False)
@click.option("--type", "sagemaker_type", type=click.Choice(_STEP_TYPES),
              help="SageMaker step type (asked for on a terminal when missing).")
@click.option("--after", multiple=True, metavar="STEP",
              help="Upstream step(s): the new step's inputs are planned from their outputs and wired by the resolver.")
@click.option("--inputs", multiple=True, metavar="NAMES", help="Input logical names (comma-separated).")
@click.option("--outputs", multiple=True, metavar="NAMES", help="Output logical names (comma-separated).")
@click.option("--env", multiple=True, metavar="VARS",
              help="Env vars the script reads: NAME (required) or NAME=default (optional), comma-separated.")
@click.option("--job-types", default="", metavar="TYPES",
              help="Job-type variants, comma-separated (training,calibration,...).")
@click.option("--layout", type=click.Choice(["classic", "interface"]),
              help="Repo layout to write; default: the layout ROOT already uses.")
@click.option("--dry-run", is_flag=True, help="Print the files as a diff and the wiring; write nothing.")
def new_step_cmd(name: str | None, root: Path | None, sagemaker_type: str | None, after: tuple[str, ...],
                 inputs: tuple[str, ...], outputs: tuple[str, ...], env: tuple[str, ...], job_types: str,
                 layout: str | None, dry_run: bool) -> None:
    """Write an aligned new step NAME into the step repo at ROOT (default: .).

    Writes every component the repo's layout needs, named by the naming rules: the script (a
    testable main() and a __main__ block wired from the contract), the contract and spec(s) or one
    .step.yaml, the config class, the builder (classic layout), hyperparameters for Training, and
    the registry entry. With --after, the inputs are planned from the upstream steps' outputs and
    the resolver's pick and score for each one are printed. Existing files are never overwritten.

    \b
    Examples:
      cursus-lint new-step FeatureSelection --type Processing --after TabularPreprocessing --dry-run
      cursus-lint new-step MyTraining --type Training --after FeatureSelection --job-types training
    """
    from .scaffold import NewStepRequest, ScaffoldError, plan_new_step, write_plan

    if root is None and name is not None and ("/" in name or os.sep in name or Path(name).is_dir()):
        root, name = Path(name), None  # `new-step PATH`: the name is to be asked for
    root = root if root is not None else Path(".")
    if not root.is_dir():
        raise UsageError(f"directory does not exist: {root}")
    if name is None or sagemaker_type is None:
        missing = "NAME" if name is None else "--type"
        if not _stdin_is_tty():
            raise UsageError(f"missing {missing} (standard input is not a terminal, so it cannot be asked for)")
        if name is None:
            name = click.prompt("Step name (PascalCase)", type=str)
        if sagemaker_type is None:
            sagemaker_type = click.prompt("SageMaker step type", type=click.Choice(_STEP_TYPES))
    assert name is not None and sagemaker_type is not None
    request = NewStepRequest(name=name.strip(), sagemaker_type=sagemaker_type, after=_items(after),
                             inputs=_items(inputs), outputs=_items(outputs), env=_items(env),
                             job_types=_items((job_types,)), layout=layout)
    try:
        plan = plan_new_step(root, request)
        if dry_run:
            click.echo(plan.diff(), nl=False)
            click.echo(plan.wiring_report(), nl=False)
            click.echo(f"Dry run: {len(plan.files)} file(s) planned for {plan.step_name} ({plan.layout} layout), "
                       "nothing written.")
            return
        written = write_plan(root, plan)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write the new step: {exc.strerror or exc}") from None
    for f, path in zip(plan.files, written, strict=True):
        click.echo(f"{'Edited ' if f.is_edit else 'Created'} {_rel(path)}")
    click.echo(plan.wiring_report(), nl=False)


@cli.command("catalog")
@click.argument("root", type=click.Path(path_type=Path), default=".")
@click.option("--workspace-dir", "workspace_dirs", multiple=True, type=click.Path(path_type=Path),
              help="Extra directory holding development/projects/<id>/ workspaces (repeatable).")
@click.option("--registry", type=click.Path(path_type=Path), help="Registry file defining STEP_NAMES.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def catalog_cmd(root: Path, workspace_dirs: tuple[Path, ...], registry: Path | None, fmt: str) -> None:
    """Show every step found under ROOT and the files that form it (nothing is imported)."""
    from cursus_core.catalog import StepCatalog

    from .config import ConfigError, load_config
    from .rules_index import all_rules

    if not root.exists():
        raise UsageError(f"path does not exist: {root}")
    overrides: dict[str, object] = {}
    if workspace_dirs:
        overrides["workspace-dirs"] = [str(Path(w).absolute()) for w in workspace_dirs]
    if registry is not None:
        overrides["registry"] = str(Path(registry).absolute())
    try:  # the same [tool.cursus-lint] table `check` reads: registry, workspace-dirs, layout
        settings = load_config(root.absolute(), set(all_rules()), overrides=overrides)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    cat = StepCatalog(root, workspace_dirs=[w.absolute() for w in settings.workspace_paths],
                      interface_dirs=[d.absolute() for d in settings.interface_paths],
                      registry=settings.registry_path.absolute() if settings.registry_path else None,
                      layout={role: dirs for role, dirs in settings.layout.items()} or None)

    def rel(p: Path | None) -> str | None:
        if p is None:
            return None
        try:
            return Path(os.path.relpath(p)).as_posix()
        except ValueError:
            return p.as_posix()

    steps = cat.iter_steps()
    if fmt == "json":
        doc = {
            "registry": rel(cat.core_registry_file),
            "steps": [{
                "name": s.name, "workspace": s.workspace_id,
                "registered": s.registry is not None,
                "sagemaker_step_type": s.registry.sagemaker_step_type if s.registry else None,
                "script": rel(s.script), "contract": rel(s.contract),
                "specs": {(k or ""): rel(v) for k, v in sorted(s.specs.items(), key=lambda kv: kv[0] or "")},
                "builder": rel(s.builder), "config": rel(s.config),
                "hyperparams": [rel(h) for h in s.hyperparams],
            } for s in steps],
            "unmatched": [{"path": rel(u.path), "role": u.role, "reason": u.reason} for u in cat.unmatched],
            "problems": [{"path": rel(getattr(p, "path", None)), "line": p.line, "message": p.message}
                         for p in cat.problems],
        }
        click.echo(_json.dumps(doc, indent=2))
        return
    click.echo("\n".join(_catalog_lines(steps, cat, root, rel)))


def _catalog_lines(steps, cat, root: Path, rel) -> list[str]:
    """One block per step, one component per line with its whole path: readable at any width and
    when piped (a table cut file names mid-word at 80 columns)."""
    n = len(steps)
    registry = rel(cat.core_registry_file) or "built-in"
    lines = [f"{n} step{'' if n == 1 else 's'} under {rel(root)} (registry: {registry})"]
    for s in steps:
        kind = s.registry.sagemaker_step_type if s.registry else "unregistered"
        lines += ["", s.name + (f" [workspace {s.workspace_id}]" if s.workspace_id else "") + f" ({kind})"]
        parts: list[tuple[str, Path | None]] = [("script", s.script), ("contract", s.contract)]
        parts += [(f"spec ({k})" if k else "spec", v) for k, v in sorted(s.specs.items(), key=lambda kv: kv[0] or "")]
        parts += [("builder", s.builder), ("config", s.config)]
        parts += [("hyperparams", h) for h in s.hyperparams]
        width = max(len(label) for label, _ in parts)
        lines += [f"  {label + ':':<{width + 1}} {rel(path) if path else '-'}" for label, path in parts]
    if cat.unmatched or cat.problems:
        lines.append("")
    for u in cat.unmatched:
        lines.append(f"unmatched {u.role[:-1] if u.role.endswith('s') else u.role}: {rel(u.path)}: {u.reason}")
    for p in cat.problems:
        lines.append(f"problem: {rel(getattr(p, 'path', None)) or '<registry>'}:{p.line}: {p.message}")
    return lines


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--write-docs", "docs_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write one markdown page per rule (and an index) into DIR, e.g. docs/rules.")
def rules_cmd(fmt: str, docs_dir: Path | None) -> None:
    """List every rule with its family, default severity and whether it can be fixed."""
    from .rules_index import all_rules

    rules = all_rules()
    if docs_dir is not None:
        from .report.rule_docs import write_rule_docs

        try:
            names = write_rule_docs(docs_dir, rules)
        except OSError as exc:
            raise UsageError(f"cannot write {docs_dir}: {exc.strerror or exc}") from None
        click.echo(f"Wrote {len(names)} pages to {docs_dir}.", err=True)
        return
    if fmt == "json":
        click.echo(_json.dumps([{"code": r.code, "name": r.name, "family": r.family, "severity": r.severity.value,
                                 "fixable": r.fixable, "summary": r.summary} for r in rules.values()], indent=2))
        return
    width = max((len(r.name) for r in rules.values()), default=10)
    for r in rules.values():
        fix = {"no": "", "safe": "fix", "unsafe": "fix (unsafe)"}[r.fixable]
        click.echo(f"{r.code}  {r.name:<{width}}  {r.family:<26}  {r.severity.value:<7}  {fix:<12}  {r.summary}")


@cli.command("rule")
@click.argument("code")
def rule_cmd(code: str) -> None:
    """Print the documentation of one rule (by code, e.g. CL103, or name, e.g. undeclared-env-var)."""
    from .rules_index import all_rules

    rules = all_rules()
    wanted = code.strip()
    rule = rules.get(wanted.upper()) or next((r for r in rules.values() if r.name == wanted.lower()), None)
    if rule is None:
        import difflib

        upper = wanted.upper()
        lookalike = upper[:2] + upper[2:].translate(str.maketrans("OIL", "011"))  # CL1O3 -> CL103
        close = difflib.get_close_matches(upper, list(rules), n=3) or difflib.get_close_matches(
            wanted.lower(), [r.name for r in rules.values()], n=3)
        if lookalike in rules:  # a letter typed for a digit: that code first, whatever else is as close
            close = [lookalike, *(c for c in close if c != lookalike)][:3]
        hint = f"; did you mean {', '.join(close)}?" if close else "; run `cursus-lint rules` for the list"
        raise UsageError(f"unknown rule '{code}'{hint}")
    fix = {"no": "not fixable", "safe": "safe autofix", "unsafe": "unsafe autofix (--unsafe-fixes)"}[rule.fixable]
    click.echo(f"# {rule.code} {rule.name}\n\n{rule.summary}\n\nFamily: {rule.family} · default severity: "
               f"{rule.severity.value} · {fix}\n\n{rule.docs.strip()}")


@cli.command("schema")
@click.argument("name", type=click.Choice(["step-interface"]))
def schema_cmd(name: str) -> None:
    """Print a JSON Schema (draft-07, sorted keys): `step-interface` for .step.yaml files.

    \b
    Use it with yaml-language-server, e.g. as the first line of a .step.yaml:
      # yaml-language-server: $schema=./step-interface.schema.json
    """
    from cursus_core.interface.json_schema import step_interface_schema_text

    click.echo(step_interface_schema_text(), nl=False)


@cli.command("migrate")
@click.argument("root", type=click.Path(path_type=Path), default=".")
@click.option("--step", "steps", multiple=True, metavar="NAME", help="Only this step (repeatable).")
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the files as a unified diff; write nothing.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write the .step.yaml files into DIR instead of <pkg>/steps/interfaces/.")
@click.option("--delete-sources", is_flag=True,
              help="After writing a step's .step.yaml, delete its contract, spec and builder files.")
def migrate_cmd(root: Path, steps: tuple[str, ...], dry_run: bool, show_diff: bool, out_dir: Path | None,
                delete_sources: bool) -> None:
    """Convert classic steps (contract + specs + registry row + builder) into .step.yaml interfaces.

    Reads every value as a literal from the syntax tree (nothing is imported) and writes one
    <pkg>/steps/interfaces/<snake_step>.step.yaml per step; job-type specs become variants. What it
    cannot convert (values that are not literal, builder logic no template runs, routes it could not
    infer) is reported, not guessed. An existing .step.yaml is never overwritten; the classic files
    stay unless --delete-sources. Exit 0 when everything converted, 1 when something was reported.
    """
    from cursus_core.migrate import MigrationError, diff_text, migrate

    if delete_sources and (dry_run or show_diff):
        _fail("--delete-sources cannot be combined with --dry-run or --diff")
        sys.exit(EXIT_ERROR)
    try:
        report = migrate(root, list(steps) or None, out_dir.resolve() if out_dir else None,
                         write=not (dry_run or show_diff), delete_sources=delete_sources)
    except (MigrationError, OSError) as exc:
        _fail(str(exc))
        sys.exit(EXIT_ERROR)
    here = Path.cwd()
    verbs = {"written": "wrote", "would-write": "would write", "exists": "kept existing", "skipped": "skipped"}
    for o in report.outcomes:
        if show_diff:
            click.echo(diff_text(o, here), nl=False)
        variants = f" (variants: {', '.join(o.variants)})" if o.variants else ""
        click.echo(f"{verbs[o.status]} {_rel(o.target)}: {o.step}{variants}", err=show_diff)
        for n in o.notes:
            where = f"{_rel(n.path)}{':' + str(n.line) if n.line else ''}: " if n.path else ""
            click.echo(f"  {n.kind}: {where}{n.message}", err=show_diff)
        for d in o.deleted:
            click.echo(f"  deleted {_rel(d)}", err=show_diff)
    for n in report.notes:
        click.echo(f"{n.kind}: {n.message}", err=show_diff)
    counts = {k: sum(o.status == k for o in report.outcomes) for k in verbs}
    summary = ", ".join(f"{v} {counts[k]}" for k, v in verbs.items() if counts[k])
    reported = sum(len([n for n in o.notes if n.kind != "info"]) for o in report.outcomes)
    click.echo(f"{len(report.outcomes)} steps: {summary}; {reported} things reported", err=show_diff)
    sys.exit(EXIT_OK if report.complete else EXIT_FINDINGS)


@cli.command("lsp")
@click.option("--tcp", metavar="HOST:PORT", help="Listen on a TCP socket instead of stdio.")
@click.option("--stdio", is_flag=True, help="Talk over stdin/stdout (the default; accepted because editors pass it).")
def lsp_cmd(tcp: str | None, stdio: bool) -> None:
    """Run the language server: diagnostics as you type, quick fixes, rule docs on hover."""
    from .lsp import parse_address, serve

    try:
        address = parse_address(tcp) if tcp else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    serve(address)


@cli.command("mcp")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=".", show_default=True,
              help="The step repo the tools work on; every path a tool is given must stay inside it.")
@click.option("--allow-write", is_flag=True, help="Also offer the `fix` tool, which writes files (inside --root).")
def mcp_cmd(root: Path, allow_write: bool) -> None:
    """Run an MCP server over stdio: the linter as tools for coding agents.

    Tools: check, rule, step, wiring, fix_preview and build (read-only), and fix with
    --allow-write. Register it in an MCP host with the command `cursus-lint` and the
    arguments `mcp --root /path/to/repo` (see the README). Needs the mcp extra.
    """
    from .mcp import MISSING_SDK

    if not root.is_dir():
        raise UsageError(f"root directory does not exist: {root}")
    try:
        from .mcp.server import serve
    except ImportError as exc:
        if (getattr(exc, "name", None) or "").split(".")[0] in ("mcp", "mcp_types"):
            raise UsageError(MISSING_SDK) from None
        raise
    serve(root.absolute(), allow_write=allow_write)


@cli.command("build")
@click.option("--dag", "dag", type=click.Path(path_type=Path, dir_okay=False),
              help="Pipeline DAG: .json, .yaml or .py (default: 'dag' in [tool.cursus-lint]).")
@click.option("--config", "pipeline_config", type=click.Path(path_type=Path, dir_okay=False),
              help="Saved pipeline config JSON (default: 'pipeline-config' in [tool.cursus-lint]).")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False),
              help="Step repo root (default: the directory of the pyproject.toml with [tool.cursus-lint], "
                   "else the current directory).")
@click.option("--definition", "definition_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the pipeline definition JSON here (sorted keys, for diffing in review).")
@click.option("--format", "--output-format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "junit"]),
              default="text", show_default=True, envvar="CURSUS_LINT_OUTPUT_FORMAT", show_envvar=True,
              help="Report format for the build's findings.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write the report to FILE (as in check and test-scripts).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
              help="Seconds before the build process is stopped (reported as CL811).")
@click.option("--pipeline-name", help="Name of the built pipeline (default: from the saved config).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]),
              help="Lowest severity that makes the exit status 1 (default: error).")
@click.option("--report", "report_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the compile report (each node's config and builder, every wired input with its "
                   "score and why) as JSON.")
@click.option("--explain", is_flag=True, help="Print how each node was built and wired (text, before the findings).")
@click.option("--source-root", type=click.Path(path_type=Path, file_okay=False),
              help="Directory the saved config's relative source dirs and entry points are relative to "
                   "(default: 'source-root' in [tool.cursus-lint], else found as cursus finds them).")
@click.option("--strict", is_flag=True,
              help="Report placeholder nodes (builders needing a package that is not installed, CL812) as errors.")
@click.option("--progress/--no-progress", default=None,
              help="Print a line per build phase and node on stderr (default: when stderr is a terminal).")
@click.option("--python", "python", metavar="PATH",
              help="Interpreter for the build child (default: this one); it must have this version of "
                   "cursus-lint and its build extra installed.")
def build_cmd(dag: Path | None, pipeline_config: Path | None, repo: Path | None, definition_file: Path | None,
              fmt: str, output: Path | None, timeout: float, pipeline_name: str | None, fail_on: str | None,
              report_file: Path | None,
              explain: bool, source_root: Path | None, strict: bool, progress: bool | None,
              python: str | None) -> None:
    """Dry-run build: compile the DAG and saved config into a SageMaker pipeline definition, offline.

    Unlike `check`, this IMPORTS the repo's builders and configs (user code) and sagemaker. It
    does so in a child process that is stopped after --timeout seconds, with no AWS access.
    Network access is blocked in the child (loopback included; an attempt is CL809), every
    process it starts is killed when the build ends, and entry points outside the repo are
    refused (CL808). This guards against accidents; it is not a security sandbox.
    Problems (DAG cycle, node without config, unwired input, builder exception, ...) are
    reported as CL8xx findings; exit status 0, 1 or 2 as for `check`.

    \b
    Needs the build extra: pip install '.[build]' in a clone of cursus-lint.
    """
    from .build import BuildChild, BuildCrash, MissingBuildExtra, build_findings, run_build, write_definition

    if progress is None:
        progress = sys.stderr.isatty()
    # The child imports sagemaker while this process checks the options and files below; it runs no
    # user code before run_build sends its order, and leaving the `with` early (a usage error) ends it.
    # With --python it starts after that interpreter is checked, below.
    with BuildChild(progress=progress) if python is None else contextlib.nullcontext() as child:
        settings, rules, root, dag, pipeline_config = _build_setup(repo, dag, pipeline_config, fail_on, source_root,
                                                                   python)
        try:
            with _BuildProgress(progress) as shown:
                outcome = run_build(Path(dag), Path(pipeline_config), Path(root), timeout=timeout,
                                    pipeline_name=pipeline_name, source_root=source_root or settings.source_root_path,
                                    on_progress=shown.line if progress else None, python=python, child=child)
        except (MissingBuildExtra, BuildCrash) as exc:
            raise UsageError(str(exc)) from None
    from .report import Summary, render

    diagnostics = build_findings(outcome, Path(dag), Path(pipeline_config), Path(root), settings, rules,
                                 strict=strict)
    if outcome.definition is not None and definition_file is not None:
        try:
            write_definition(outcome.definition, definition_file)
        except OSError as exc:
            raise UsageError(f"cannot write {definition_file}: {exc.strerror or exc}") from None
        n = len(outcome.definition.get("Steps", []))
        click.echo(f"Wrote the pipeline definition ({n} step{'' if n == 1 else 's'}) to {definition_file}.",
                   err=True)
    if report_file is not None and isinstance(outcome.report, dict):
        try:
            report_file.write_text(_json.dumps(outcome.report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {report_file}: {exc.strerror or exc}") from None
    if explain and isinstance(outcome.report, dict):
        click.echo(_explain(outcome.report))
    steps = len(outcome.definition.get("Steps", [])) if outcome.definition else 0
    summary = Summary(files=2, steps=steps, elapsed_ms=outcome.elapsed_s * 1000)
    ran = {code: r for code, r in rules.items() if code.startswith("CL8")}
    text = render(fmt, diagnostics, ran, summary, color=False, statistics=False)
    _emit(text, output)
    failed = any(settings.fails(d.severity.value) for d in diagnostics)
    if outcome.definition is None and not failed:
        click.echo("cursus-lint: the dry run produced no pipeline definition.", err=True)
        failed = True
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _build_setup(repo: Path | None, dag: Path | None, pipeline_config: Path | None, fail_on: str | None,
                 source_root: Path | None, python: str | None) -> tuple[Any, dict, Path, Path, Path]:
    """`build`'s own checks before the child gets its order: settings, rules, the repo root, the DAG and
    saved config files, --source-root and --python; each problem is a one-line usage error."""
    from .build import check_build_python
    from .config import ConfigError, load_config
    from .rules_index import all_rules

    rules = all_rules()
    start = (repo or Path(".")).absolute()
    if repo is not None and not repo.is_dir():
        raise UsageError(f"repo directory does not exist: {repo}")
    try:
        settings = load_config(start, set(rules), overrides={"fail-on": fail_on} if fail_on else None)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    dag, pipeline_config = _pipeline_files(settings, dag, pipeline_config)
    root = repo if repo is not None else (settings.config_file.parent if settings.config_file else Path("."))
    if source_root is not None and not source_root.is_dir():
        raise UsageError(f"source root directory does not exist: {source_root}")
    if python is not None:
        problem = check_build_python(python, Path(root).absolute())
        if problem:
            raise UsageError(problem)
    return settings, rules, Path(root), dag, pipeline_config


class _BuildProgress:
    """`build` progress on stderr (never stdout, never the -o report): a line per phase and node,
    and on a terminal a rich spinner with the current one while the child works."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.console: Any = None
        self.status: Any = None

    def __enter__(self) -> _BuildProgress:
        if self.enabled:
            from rich.console import Console

            self.console = Console(stderr=True, highlight=False, soft_wrap=True)
            if self.console.is_terminal:
                self.status = self.console.status("build: starting the build child")
                self.status.start()
        return self

    def line(self, text: str) -> None:
        if self.console is not None:
            self.console.print(f"build: {text}", markup=False)
            if self.status is not None:
                self.status.update(f"build: {text}")

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.stop()


def _pipeline_files(settings, dag: Path | None, pipeline_config: Path | None) -> tuple[Path, Path]:
    """The DAG and saved config of `build` and `test-scripts`: from the options, else from
    [tool.cursus-lint]; a missing or unreadable saved config is the same one-line error (exit 2) in both."""
    from cursus_core.testing.saved_config import TestingSetupError, read_saved_config

    dag = dag or (Path(_rel(settings.dag_path)) if settings.dag_path else None)  # messages name it as typed
    pipeline_config = pipeline_config or (Path(_rel(settings.pipeline_config_path))
                                          if settings.pipeline_config_path else None)
    if dag is None:
        raise UsageError("no pipeline DAG: pass --dag or set 'dag' in [tool.cursus-lint]")
    if pipeline_config is None:
        raise UsageError("no saved pipeline config: pass --config or set 'pipeline-config' in [tool.cursus-lint]")
    for what, path in (("DAG", dag), ("config", pipeline_config)):
        if not Path(path).is_file():
            raise UsageError(f"pipeline {what} file does not exist: {path}")
    try:
        read_saved_config(Path(pipeline_config))
    except TestingSetupError as exc:
        raise UsageError(str(exc)) from None
    if Path(dag).suffix.lower() in (".json", ".yaml", ".yml"):  # data: read here; a .py DAG runs in the child
        from cursus_core.dag import DAGCycleError, DAGError, load_dag

        try:
            load_dag(dag)
        except DAGCycleError:
            pass  # a finding (CL801 at the node in `build`), not a usage error
        except DAGError as exc:  # the message names the file once: "path:line:col: ..."
            raise UsageError(str(exc)) from None
    return Path(dag), Path(pipeline_config)


def _emit(text: str, output: Path | None) -> None:
    """A report to stdout, or to ``-o FILE`` (the same option in check, build and test-scripts)."""
    if output is None:
        if text:
            click.echo(text.rstrip("\n"))
        return
    try:
        output.write_text(text + ("" if text.endswith("\n") or not text else "\n"), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def _explain(report: dict) -> str:
    """The compile report as text: node -> builder, then each wired input and its score."""
    lines: list[str] = []
    for node in report.get("nodes", []):
        built = (f"placeholder (package '{node['placeholder']}' not installed)" if node.get("placeholder")
                 else node.get("builder_class"))
        lines.append(f"{node.get('node')}: {node.get('config_class')} -> {built} "
                     f"({node.get('sagemaker_step_type')}, {node.get('builder_file')})")
        for wired in node.get("inputs", []):
            lines.append(f"    {wired.get('dependency')} <- "
                         f"{wired.get('provider_node')}.{wired.get('provider_output')} "
                         f"(score {wired.get('score', 0):.2f})")
        for unwired in node.get("unwired", []):
            what = unwired.get("dependency") if isinstance(unwired, dict) else unwired
            why = unwired.get("reason", "") if isinstance(unwired, dict) else ""
            lines.append(f"    {what} unwired{': ' + why if why else ''}")
    return "\n".join(lines)


@cli.command("test-scripts")
@click.option("--dag", "dag", type=click.Path(path_type=Path, dir_okay=False),
              help="Pipeline DAG: .json, .yaml or .py (run in a child process with the --timeout limit) "
                   "(default: 'dag' in [tool.cursus-lint]).")
@click.option("--config", "pipeline_config", type=click.Path(path_type=Path, dir_okay=False),
              help="Saved pipeline config JSON (default: 'pipeline-config' in [tool.cursus-lint]).")
@click.option("--spec", "spec_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Testing spec (JSON or YAML): local inputs, env vars and arguments per script.")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False),
              help="Step repo root that entry points are relative to (default: found from the config file).")
@click.option("--workspace", type=click.Path(path_type=Path, file_okay=False),
              help="Directory for every file the run writes (default: a new temporary directory).")
@click.option("--format", "--output-format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write the report to FILE (as in check and build).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0, show_default=True,
              help="Seconds each script may run before it is stopped.")
@click.option("--progress/--no-progress", default=None,
              help="Print a line per script as it runs (default: when stderr is a terminal).")
@click.option("--python", "python", metavar="PATH",
              help="Interpreter that runs the scripts (default: the active project environment: $VIRTUAL_ENV, "
                   "else a .venv or venv in the repo or above it up to the checkout root, else this one).")
@click.option("--source-root", type=click.Path(path_type=Path, file_okay=False),
              help="Directory the configs' relative source dirs stand for, as in build (default: 'source-root' "
                   "in [tool.cursus-lint], else found as cursus finds them).")
@click.option("--generate-data/--no-generate-data", default=True, show_default=True,
              help="Write 300 rows of CSV for each required tabular input that no upstream script feeds and "
                   "--spec gives no path for (an id, the step's label field, numeric and categorical features), "
                   "and a placeholder model.tar.gz for each such model input.")
def test_scripts_cmd(dag: Path | None, pipeline_config: Path | None, spec_file: Path | None, repo: Path | None,
                     workspace: Path | None, fmt: str, output: Path | None, timeout: float,
                     progress: bool | None, python: str | None, source_root: Path | None,
                     generate_data: bool) -> None:
    """Run the pipeline's real scripts in DAG order on local data (runtime testing).

    Scripts are found from each node's config entry point; nodes without one are skipped.
    Each script runs in a child process stopped after --timeout seconds, with the container
    paths of its contract mapped to directories in the workspace, env vars and arguments as
    its builder would set them, and upstream outputs wired to downstream inputs. This RUNS
    the scripts (user code). Network access is blocked in each script's process except the
    loopback (an attempt fails the script), every process a script starts is killed when it
    ends, and entry points outside the repo are refused. This guards against accidents; it is
    not a security sandbox (a script can still write files outside the workspace). Exit
    status: 0 every script passed, 1 a script failed, timed out, was blocked or is not
    configured, 2 usage error (unreadable DAG, config or spec).
    """
    import shutil
    import tempfile

    from cursus_core.dag import DAGError
    from cursus_core.testing import RuntimeTestingFactory, ScriptConfigurationError, TestingSetupError
    from cursus_core.testing.interpreter import Interpreter, InterpreterError, check_python, project_python
    from cursus_core.testing.report import render_report, result_line
    from cursus_core.testing.spec import read_testing_spec

    from .config import ConfigError, load_config
    from .rules_index import all_rules

    if repo is not None and not repo.is_dir():
        raise UsageError(f"repo directory does not exist: {repo}")
    try:  # the same [tool.cursus-lint] table `build` reads: dag, pipeline-config
        settings = load_config((repo or Path(".")).absolute(), set(all_rules()))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    dag, pipeline_config = _pipeline_files(settings, dag, pipeline_config)
    if spec_file is not None and not spec_file.is_file():
        raise UsageError(f"testing spec file does not exist: {spec_file}")
    if source_root is not None and not source_root.is_dir():
        raise UsageError(f"source root directory does not exist: {source_root}")
    temporary = workspace is None
    where = workspace if workspace is not None else Path(tempfile.mkdtemp(prefix="cursus-test-scripts-"))
    try:
        try:
            factory = RuntimeTestingFactory(dag, pipeline_config, workspace_dir=where, repo_root=repo,
                                            timeout=timeout, source_root=source_root or settings.source_root_path)
            # generated first, for what the spec does not give: loading the spec checks each script it names
            given = {node: set(entry.inputs) for node, entry in read_testing_spec(spec_file).scripts.items()} \
                if spec_file is not None else {}
            generated = factory.generate_inputs(given) if generate_data else {}
            if spec_file is not None:
                factory.load_spec(spec_file)
            interpreter = Interpreter(python, "--python") if python else project_python(factory.repo_root)
            if not interpreter.is_current:
                check_python(interpreter.path, interpreter.source)
        except (DAGError, TestingSetupError, ScriptConfigurationError, InterpreterError) as exc:
            raise UsageError(str(exc)) from None
        factory.python = None if interpreter.is_current else interpreter.path
        if progress is None:
            progress = sys.stderr.isatty()
        if progress and factory.python:
            click.echo(f"running the scripts with {interpreter.path} ({interpreter.source})", err=True)
        for node, made in generated.items():
            for name, what in made.items():
                click.echo(f"generated {what} for {node}.{name} (no upstream script or --spec path "
                           f"feeds it; --no-generate-data to turn off)", err=True)
        total = len(factory.scripts_requiring_testing())
        started: list[str] = []
        # the text report on stdout lists every result: on a terminal both streams show, so the
        # progress lines then only say what starts (each result once, not twice)
        results_in_progress = output is not None or fmt != "text"

        def show(node: str, result) -> None:
            if result is None:
                started.append(node)
                click.echo(f"[{len(started)}/{total}] running {node} ...", err=True)
            elif results_in_progress:
                click.echo(f"        {result_line(result)}", err=True)

        report = factory.run(on_progress=show if progress else None)
    finally:
        if temporary:
            shutil.rmtree(where, ignore_errors=True)
    report.workspace_removed = temporary
    text = render_report(report, fmt)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
        click.echo(result_summary(report), err=True)
    else:
        click.echo(text.rstrip("\n"))
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


def result_summary(report) -> str:
    """One line for stderr when the report goes to a file."""
    counts = ", ".join(f"{n} {s}" for s, n in report.counts().items())
    return f"test-scripts: {'OK' if report.ok else 'FAILED'}: {counts}"


#: one complete sentence per command for `cursus-lint --help` (click cuts the docstring's first
#: sentence at 45 characters with "...", mid-sentence)
SHORT_HELP = {
    "build": "Dry-run build of the pipeline (imports user code).",
    "catalog": "Show which files form which step.",
    "check": "Lint the step repos under PATHS.",
    "clean": "Remove the facts cache.",
    "init": "Configure cursus-lint for this repo.",
    "lsp": "Run the language server.",
    "mcp": "Run the MCP server for coding agents.",
    "migrate": "Convert classic steps to .step.yaml files.",
    "new-step": "Write an aligned new step into a repo.",
    "rule": "Explain one rule.",
    "rules": "List every rule.",
    "schema": "Print the JSON Schema of .step.yaml files.",
    "test-scripts": "Run the pipeline's scripts on local data.",
}
for _name, _text in SHORT_HELP.items():
    cli.commands[_name].short_help = _text


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit status instead of raising."""
    try:
        cli.main(args=argv, prog_name="cursus-lint", standalone_mode=False)
    except SystemExit as exc:  # click's own exits (e.g. --help) and our explicit exit codes
        code = exc.code
        return code if isinstance(code, int) else (EXIT_ERROR if code else EXIT_OK)
    except click.exceptions.Abort:
        _fail("aborted")
        return EXIT_ERROR
    except click.ClickException as exc:
        _fail(exc.format_message())
        return EXIT_ERROR
    except UsageError as exc:
        _fail(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_ERROR
    except Exception as exc:  # one error path: never a traceback unless asked for
        if os.environ.get("CURSUS_LINT_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set CURSUS_LINT_DEBUG=1 for a traceback)")
        return EXIT_ERROR
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""Lint configuration: ``[tool.cursus-lint]`` of the nearest ``pyproject.toml`` plus CLI overrides.

Why it looks like this:

* Keys are kebab-case, as in ``pyproject.toml``; an unknown key, an unknown rule code and
  invalid TOML each become one :class:`ConfigError` line that names the file (and the closest
  valid key or code), because a silently ignored typo disables a check without anyone noticing.
* Rule selection follows ruff: ``select`` (default ``["ALL"]``) and ``extend-select`` enable,
  ``ignore`` disables, and for each code the *most specific* matching selector wins
  (``select = ["CL1"]``, ``ignore = ["CL10"]``, ``extend-select = ["CL103"]`` enables CL103 and
  CL110 but not CL104). On a tie ``ignore`` wins.
* ``fail-on`` defaults to ``"error"``: warnings and infos are reported but exit status stays 0,
  so turning the linter on in CI does not break builds on advice.
* ``exclude`` and ``extend-exclude`` both *add to* :data:`DEFAULT_EXCLUDES` (virtualenvs and
  build output are never worth linting); ``--exclude`` on the command line replaces nothing,
  it adds as well.
* Paths and globs in the file are relative to the config file's directory (:attr:`LintConfig.root`);
  paths and globs given as overrides (the command line) are relative to the current directory.

Override merging (``load_config(..., overrides=...)``): ``select`` and scalars replace the
file's value; ``extend-select``, ``ignore``, ``exclude``, ``extend-exclude`` and
``workspace-dirs``, ``interface-dirs`` append; ``per-file-ignores``, ``severity``, ``layout`` and ``resolver``
update key by key.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from pathlib import Path, PurePosixPath
from collections.abc import Callable, Mapping
from typing import Any, Literal


def _tomllib() -> Any:
    """The TOML reader, imported when a file is read (a repo without a config file never needs it)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


__all__ = [
    "ConfigError",
    "DEFAULT_EXCLUDES",
    "LintConfig",
    "ResolverConfig",
    "find_config_file",
    "glob_match",
    "load_config",
]

def _default_layout() -> dict[str, tuple[str, ...]]:
    """The catalog's default layout, imported when first needed: loading the settings must not
    import the catalog package (a result-cache hit never builds one)."""
    from cursus_core.catalog.layout import DEFAULT_LAYOUT

    return DEFAULT_LAYOUT


def __getattr__(name: str) -> Any:
    """Names loaded on first use: ``DEFAULT_LAYOUT`` (the catalog's) and ``tomllib`` (init and cli
    import it from here)."""
    if name == "DEFAULT_LAYOUT":  # re-exported for callers that read it from here
        return _default_layout()
    if name == "tomllib":
        return _tomllib()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SeverityName = Literal["error", "warning", "info"]
Role = Literal["scripts", "contracts", "specs", "builders", "configs", "hyperparams"]
_SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
_ROLES: tuple[str, ...] = ("scripts", "contracts", "specs", "builders", "configs", "hyperparams")

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".venv", ".git", "__pycache__", "build", "dist", "node_modules", ".cursus-lint-cache",
)

#: is_excluded answers by (patterns, root, cwd, absolute path), shared by every settings object of
#: the process; cleared whole when full (a bound, not an LRU: entries are cheap to recompute)
_EXCLUDED: dict[tuple[tuple[str, ...], str, str, str], bool] = {}
_EXCLUDED_SIZE = 65536

_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
_TABLE = "[tool.cursus-lint]"
_SELECTOR = re.compile(r"CL\d{1,3}")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_APPEND_KEYS = ("extend-select", "ignore", "exclude", "extend-exclude", "workspace-dirs",
                "interface-dirs")
_UPDATE_KEYS = ("per-file-ignores", "severity", "layout", "resolver")
_PATH_KEYS = ("registry", "cache-dir", "dag", "pipeline-config", "source-root")


class ConfigError(Exception):
    """A configuration problem, as one line a person can act on (exit status 2; in the editor, a
    CL904-style note on the pyproject).

    ``path``/``line``/``column`` locate it when known (``line`` only for TOML syntax errors).
    """

    def __init__(self, message: str, path: Path | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column


class _Invalid(ValueError):
    """The first thing wrong with a setting: where (a pydantic-style location), what kind, and why.

    The settings are checked by hand rather than by a validation library because every `check`
    reads them before its first file; the kinds and messages are pydantic's, which the
    configuration's error lines have always shown (``tests/test_config_schema.py`` holds the two
    to each other).
    """

    def __init__(self, loc: tuple[str | int, ...], kind: str, msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.kind = kind
        self.msg = msg

    def error(self) -> dict[str, Any]:
        return {"loc": self.loc, "type": self.kind, "msg": self.msg}


def _as_str(value: Any, loc: tuple[str | int, ...]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise _Invalid(loc, "string_unicode",
                           "Input should be a valid string, unable to parse raw data as a unicode string") from None
    raise _Invalid(loc, "string_type", "Input should be a valid string")


def _as_optional_str(value: Any, loc: tuple[str | int, ...]) -> str | None:
    return None if value is None else _as_str(value, loc)


def _as_str_list(value: Any, loc: tuple[str | int, ...]) -> list[str]:
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise _Invalid(loc, "list_type", "Input should be a valid list")
    return [_as_str(item, (*loc, i)) for i, item in enumerate(value)]


def _as_optional_str_list(value: Any, loc: tuple[str | int, ...]) -> list[str] | None:
    return None if value is None else _as_str_list(value, loc)


def _as_mapping(value: Any, loc: tuple[str | int, ...]) -> Mapping[Any, Any]:
    if not isinstance(value, Mapping):
        raise _Invalid(loc, "dict_type", "Input should be a valid dictionary")
    return value


def _as_literal(value: Any, loc: tuple[str | int, ...], choices: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in choices:
        return value
    quoted = [f"'{c}'" for c in choices]
    raise _Invalid(loc, "literal_error", f"Input should be {', '.join(quoted[:-1])} or {quoted[-1]}")


def _as_severity(value: Any, loc: tuple[str | int, ...]) -> SeverityName:
    return _as_literal(value, loc, _SEVERITIES)  # type: ignore[return-value]


def _as_fraction(value: Any, loc: tuple[str | int, ...]) -> float:
    """A number in [0, 1]; strings are parsed and bools count as 0/1, as pydantic's lax float does."""
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            raise _Invalid(loc, "float_type", "Input should be a valid number") from None
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Invalid(loc, "float_parsing",
                           "Input should be a valid number, unable to parse string as a number") from None
    else:
        raise _Invalid(loc, "float_type", "Input should be a valid number")
    if not number <= 1.0:
        raise _Invalid(loc, "less_than_equal", "Input should be less than or equal to 1")
    if not number >= 0.0:
        raise _Invalid(loc, "greater_than_equal", "Input should be greater than or equal to 0")
    return number


def _upper(codes: list[str]) -> list[str]:
    return [code.strip().upper() for code in codes]


class ResolverConfig:
    """Thresholds for the level-3 dependency checks (CL302 unsatisfiable, CL303 ambiguous)."""

    __slots__ = ("threshold", "tie_margin")
    #: the table's keys, in the order they are checked
    KEYS = ("threshold", "tie-margin")

    #: a provider whose compatibility score is below this does not satisfy a dependency
    threshold: float
    #: two providers whose scores differ by at most this are ambiguous
    tie_margin: float

    def __init__(self, **data: Any) -> None:
        at = data.pop("_loc", ())
        set_ = object.__setattr__
        set_(self, "threshold", _as_fraction(data.pop("threshold"), (*at, "threshold")) if "threshold" in data else 0.5)
        set_(self, "tie_margin",
             _as_fraction(data.pop("tie-margin"), (*at, "tie-margin")) if "tie-margin" in data else 0.05)
        for key in data:
            raise _Invalid((*at, key), "extra_forbidden", "Extra inputs are not permitted")

    @classmethod
    def parse(cls, value: Any, loc: tuple[str | int, ...]) -> ResolverConfig:
        if isinstance(value, ResolverConfig):
            return value
        if not isinstance(value, Mapping):
            raise _Invalid(loc, "model_type", "Input should be a valid dictionary or instance of ResolverConfig")
        return cls(**dict(value), _loc=loc)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ResolverConfig is frozen: cannot set {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle rebuild through __init__, not setattr
        return (_resolver, (self.threshold, self.tie_margin))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResolverConfig):
            return NotImplemented
        return (self.threshold, self.tie_margin) == (other.threshold, other.tie_margin)

    def __hash__(self) -> int:
        return hash((self.threshold, self.tie_margin))

    def __repr__(self) -> str:
        return f"ResolverConfig(threshold={self.threshold!r}, tie_margin={self.tie_margin!r})"

    def as_table(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "tie-margin": self.tie_margin}


def _resolver(threshold: float, tie_margin: float) -> ResolverConfig:
    return ResolverConfig(threshold=threshold, **{"tie-margin": tie_margin})


def _as_pfi(value: Any, loc: tuple[str | int, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for glob, codes in _as_mapping(value, loc).items():
        key = _as_str(glob, (*loc, glob, "[key]"))
        out[key] = _upper(_as_str_list(codes, (*loc, glob)))
    return out


def _as_severity_map(value: Any, loc: tuple[str | int, ...]) -> dict[str, SeverityName]:
    out: dict[str, SeverityName] = {}
    for code, level in _as_mapping(value, loc).items():
        key = _as_str(code, (*loc, code, "[key]"))
        out[key.strip().upper()] = _as_severity(level, (*loc, code))
    return out


def _as_layout(value: Any, loc: tuple[str | int, ...]) -> dict[Role, list[str]]:
    out: dict[Role, list[str]] = {}
    for role, dirs in _as_mapping(value, loc).items():
        key: Role = _as_literal(role, (*loc, role, "[key]"), _ROLES)  # type: ignore[assignment]
        out[key] = _as_str_list(dirs, (*loc, role))
    return out


def _codes_field(value: Any, loc: tuple[str | int, ...]) -> list[str]:
    return _upper(_as_str_list(value, loc))


def _select_field(value: Any, loc: tuple[str | int, ...]) -> list[str] | None:
    codes = _as_optional_str_list(value, loc)
    return None if codes is None else _upper(codes)


#: (attribute, key in the table, converter, default factory), in the order a table is checked
_FIELDS: tuple[tuple[str, str, Callable[[Any, tuple[str | int, ...]], Any], Callable[[], Any]], ...] = (
    ("select", "select", _select_field, lambda: None),
    ("extend_select", "extend-select", _codes_field, list),
    ("ignore", "ignore", _codes_field, list),
    ("per_file_ignores", "per-file-ignores", _as_pfi, dict),
    ("severity", "severity", _as_severity_map, dict),
    ("fail_on", "fail-on", _as_severity, lambda: "error"),
    ("exclude", "exclude", _as_str_list, list),
    ("extend_exclude", "extend-exclude", _as_str_list, list),
    ("workspace_dirs", "workspace-dirs", _as_str_list, list),
    ("interface_dirs", "interface-dirs", _as_str_list, list),
    ("registry", "registry", _as_optional_str, lambda: None),
    ("layout", "layout", _as_layout, dict),
    ("resolver", "resolver", ResolverConfig.parse, ResolverConfig),
    ("cache_dir", "cache-dir", _as_str, lambda: ".cursus-lint-cache"),
    ("dag", "dag", _as_optional_str, lambda: None),
    ("pipeline_config", "pipeline-config", _as_optional_str, lambda: None),
    ("source_root", "source-root", _as_optional_str, lambda: None),
    ("framework_env_vars", "framework-env-vars", _as_str_list, list),
    ("compatible_source_placeholders", "compatible-source-placeholders", _as_str_list, list),
)


class LintConfig:
    """The effective configuration; build it with :func:`load_config`.

    ``LintConfig(**table)`` takes the table's kebab-case keys, checks and normalises them (codes
    upper-cased) and raises :class:`_Invalid` at the first bad value, in field order. Settings are
    read-only once built.
    """

    select: list[str] | None
    extend_select: list[str]
    ignore: list[str]
    per_file_ignores: dict[str, list[str]]
    severity: dict[str, SeverityName]
    fail_on: SeverityName
    exclude: list[str]
    extend_exclude: list[str]
    workspace_dirs: list[str]
    #: more directories of ``.step.yaml`` interfaces (a step pack, a project holding one, or a bare dir)
    interface_dirs: list[str]
    registry: str | None
    layout: dict[Role, list[str]]
    resolver: ResolverConfig
    cache_dir: str
    #: pipeline DAG (.json/.yaml; a .py DAG is only run by `cursus-lint build`) and saved config,
    #: for the static CL8xx rules and as defaults of `cursus-lint build`
    dag: str | None
    pipeline_config: str | None
    #: the directory the saved config's relative source dirs and entry points are relative to
    #: (default: found as cursus finds them, from project_root_folder and the config's folder)
    source_root: str | None
    #: env vars builders set for the container or framework rather than the script (names, or
    #: prefixes ending in ``*``): CL403 does not ask the contract to declare them
    framework_env_vars: list[str]
    #: generic names specs list in ``compatible_sources`` on purpose (``ProcessingStep``): CL301 skips them
    compatible_source_placeholders: list[str]

    _root: Path
    _config_file: Path | None
    _excluded_cache: dict[str, bool]

    def __init__(self, **data: Any) -> None:
        set_ = object.__setattr__
        for name, key, convert, default in _FIELDS:
            set_(self, name, convert(data[key], (key,)) if key in data else default())
        for key in data:
            if key not in _KEYS:
                raise _Invalid((key,), "extra_forbidden", "Extra inputs are not permitted")
        set_(self, "_root", Path.cwd())
        set_(self, "_config_file", None)
        set_(self, "_excluded_cache", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            raise AttributeError(f"LintConfig is frozen: cannot set {name!r}")
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LintConfig):
            return NotImplemented
        return self.as_table() == other.as_table() and (self._root, self._config_file) == (
            other._root, other._config_file)

    __hash__ = None  # type: ignore[assignment]  # holds lists

    def __repr__(self) -> str:
        return "LintConfig(" + ", ".join(f"{name}={getattr(self, name)!r}" for name, *_ in _FIELDS) + ")"

    def as_table(self) -> dict[str, Any]:
        """The settings under their table keys, as plain data (``show-settings``)."""
        out: dict[str, Any] = {}
        for name, key, *_ in _FIELDS:
            value = getattr(self, name)
            if isinstance(value, ResolverConfig):
                value = value.as_table()
            elif isinstance(value, dict):
                value = {k: list(v) if isinstance(v, list) else v for k, v in value.items()}
            elif isinstance(value, list):
                value = list(value)
            out[key] = value
        return out

    # ------------------------------------------------------------------ where

    @property
    def root(self) -> Path:
        """Directory of the config file (or the current directory when there is none)."""
        return self._root

    @property
    def config_file(self) -> Path | None:
        return self._config_file

    @property
    def registry_path(self) -> Path | None:
        return None if self.registry is None else self._root / self.registry

    @property
    def cache_path(self) -> Path:
        return self._root / self.cache_dir

    @property
    def dag_path(self) -> Path | None:
        return None if self.dag is None else self._root / self.dag

    @property
    def pipeline_config_path(self) -> Path | None:
        return None if self.pipeline_config is None else self._root / self.pipeline_config

    @property
    def source_root_path(self) -> Path | None:
        return None if self.source_root is None else self._root / self.source_root

    @property
    def workspace_paths(self) -> list[Path]:
        return [self._root / d for d in self.workspace_dirs]

    @property
    def interface_paths(self) -> list[Path]:
        return [self._root / d for d in self.interface_dirs]

    def layout_for(self, role: str) -> tuple[str, ...]:
        """Directory names holding ``role`` components; ``layout`` replaces the default per role."""
        if role in self.layout:
            return tuple(self.layout[role])
        return _default_layout()[role]

    # ------------------------------------------------------------------ rules

    def is_framework_env_var(self, name: str) -> bool:
        """``name`` is in ``framework-env-vars`` (exactly, or under a ``PREFIX*`` entry)."""
        return any(name.startswith(p[:-1]) if p.endswith("*") else name == p for p in self.framework_env_vars)

    def enabled(self, code: str) -> bool:
        """Whether ``code`` is selected: the most specific of select/extend-select/ignore wins."""
        code = code.upper()
        selected = self.select if self.select is not None else ["ALL"]
        on = _best_prefix(code, [*selected, *self.extend_select])
        off = _best_prefix(code, self.ignore)
        return on is not None and (off is None or on > off)

    def ignored_for_path(self, code: str, path: Path | str) -> bool:
        """Whether a ``per-file-ignores`` glob matching ``path`` lists ``code`` (or a prefix of it)."""
        code = code.upper()
        for glob, codes in self.per_file_ignores.items():
            if _best_prefix(code, codes) is not None and self._path_matches(glob, Path(path)):
                return True
        return False

    def severity_for(self, code: str, default: str) -> str:
        """The configured severity for ``code`` (most specific key wins), else ``default``."""
        code = code.upper()
        best: tuple[int, str] | None = None
        for selector, level in self.severity.items():
            length = _prefix_length(code, selector)
            if length is not None and (best is None or length > best[0]):
                best = (length, level)
        if best is not None:
            return best[1]
        return str(getattr(default, "value", default))

    def fails(self, severity: str) -> bool:
        """Whether a finding of ``severity`` makes the run exit 1 under ``fail-on``."""
        level = str(getattr(severity, "value", severity))
        return _SEVERITY_RANK[level] >= _SEVERITY_RANK[self.fail_on]

    # ------------------------------------------------------------------ paths

    @property
    def exclude_patterns(self) -> tuple[str, ...]:
        return (*DEFAULT_EXCLUDES, *self.exclude, *self.extend_exclude)

    def is_excluded(self, path: Path | str) -> bool:
        """Whether ``path`` (a file or directory, relative to the cwd or absolute) is excluded."""
        key = os.path.abspath(path)
        hit = self._excluded_cache.get(key)
        if hit is None:  # asked once per file and again per diagnostic: memoise
            # the answer depends on the patterns, the root and the cwd only, so settings loaded
            # again for the same project (the language server's next lint) share it
            shared_key = (self.exclude_patterns, str(self._root), os.getcwd(), key)
            hit = _EXCLUDED.get(shared_key)
            if hit is None:
                absolute = Path(key)
                names = _parts_for_names(absolute, self._root)  # once per path, not once per glob
                patterns = self.exclude_patterns
                by_name = _name_globs(patterns)  # the slash-free globs as one regex: one match per part
                hit = (by_name is not None and any(by_name.match(part) for part in names)) or any(
                    self._path_matches(glob, absolute) for glob in patterns if "/" in glob)
                if len(_EXCLUDED) >= _EXCLUDED_SIZE:
                    _EXCLUDED.clear()
                _EXCLUDED[shared_key] = hit
            self._excluded_cache[key] = hit
        return hit

    def _path_matches(self, glob: str, path: Path) -> bool:
        """Match a config glob against ``path`` or any of its parent directories.

        A glob without ``/`` matches any single path component (``.venv``, ``*.egg-info``,
        ``__init__.py``); a glob with ``/`` is matched against the whole path relative to
        :attr:`root` (or absolute, when the glob is absolute).
        """
        absolute = Path(os.path.abspath(path))
        if "/" not in glob:
            return any(fnmatch.fnmatchcase(part, glob) for part in _parts_for_names(absolute, self._root))
        if Path(glob).is_absolute():
            candidate = PurePosixPath(absolute.as_posix())
        else:
            try:
                candidate = PurePosixPath(absolute.relative_to(self._root).as_posix())
            except ValueError:
                return False
        glob = glob.rstrip("/")
        current = candidate
        while True:
            if str(current) not in ("", ".") and glob_match(current, glob):
                return True
            if current.parent == current:
                return False
            current = current.parent


# ---------------------------------------------------------------------------- matching helpers


def _prefix_length(code: str, selector: str) -> int | None:
    """How specific ``selector`` is for ``code`` (``ALL`` = 0), or None when it does not match."""
    if selector == "ALL":
        return 0
    return len(selector) if code.startswith(selector) else None


def _best_prefix(code: str, selectors: list[str]) -> int | None:
    lengths = [n for n in (_prefix_length(code, s) for s in selectors) if n is not None]
    return max(lengths) if lengths else None


_NAME_GLOBS: dict[tuple[str, ...], re.Pattern[str] | None] = {}


def _name_globs(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """The slash-free globs of ``patterns`` as one regex that matches a whole path component
    exactly when :func:`fnmatch.fnmatchcase` matches it against one of them (None: there are none)."""
    if patterns not in _NAME_GLOBS:
        globs = [g for g in patterns if "/" not in g]
        _NAME_GLOBS[patterns] = re.compile("|".join(fnmatch.translate(g) for g in globs)) if globs else None
    return _NAME_GLOBS[patterns]


def _parts_for_names(absolute: Path, root: Path) -> tuple[str, ...]:
    """Components a slash-free glob may match: those below the root (or the cwd), else the name."""
    for base in (root, Path.cwd()):
        try:
            return absolute.relative_to(base).parts
        except ValueError:
            continue
    return (absolute.name,)


_GLOB_CACHE: dict[str, re.Pattern[str]] = {}


def _glob_regex(glob: str) -> re.Pattern[str]:
    """Translate a path glob: ``**`` as a whole segment spans any number of segments
    (including none); ``*``, ``?`` and ``[...]`` never cross ``/``."""
    cached = _GLOB_CACHE.get(glob)
    if cached is not None:
        return cached
    segments = glob.split("/")
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "**":
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        out.append(_segment_regex(segment))
        if not last:
            out.append("/")
    pattern = re.compile("".join(out) + r"\Z", re.DOTALL)
    _GLOB_CACHE[glob] = pattern
    return pattern


def _segment_regex(segment: str) -> str:
    out: list[str] = []
    i, n = 0, len(segment)
    while i < n:
        ch = segment[i]
        if ch == "*":
            while i + 1 < n and segment[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = segment.find("]", i + 2 if i + 1 < n and segment[i + 1] in "!^" else i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = segment[i + 1:end]
                negate = body[:1] in ("!", "^")
                if negate:
                    body = body[1:]
                body = re.sub(r"([\\\[&~|])", r"\\\1", body)
                out.append(f"[{'^/' if negate else ''}{body}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def glob_match(path: PurePosixPath | str, glob: str) -> bool:
    """Whole-path glob match with ``**`` support (``PurePath.full_match`` where it exists)."""
    pure = PurePosixPath(path)
    full_match = getattr(pure, "full_match", None)
    if full_match is not None:  # Python 3.13+
        return bool(full_match(glob))
    return _glob_regex(glob).match(pure.as_posix()) is not None


# ---------------------------------------------------------------------------- finding and loading


def find_config_file(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.cursus-lint]`` table, from ``start`` upward.

    A ``pyproject.toml`` without our table does not stop the search (a sub-package's metadata
    must not hide the repo's lint settings). One that mentions ``cursus-lint`` but is not valid
    TOML raises :class:`ConfigError`.
    """
    current = Path(os.path.abspath(start))
    if not current.is_dir():
        current = current.parent
    while True:
        candidate = current / "pyproject.toml"
        if candidate.is_file():
            try:
                data = candidate.read_bytes()
            except OSError:
                data = b""
            if b"cursus-lint" in data and _table(_parse_toml(candidate, data), candidate) is not None:
                return candidate
        if current.parent == current:
            return None
        current = current.parent


def load_config(start: Path, known_codes: set[str], overrides: dict[str, Any] | None = None,
                config_file: Path | None = None) -> LintConfig:
    """Read, validate and merge the configuration for a run starting at ``start``.

    ``config_file`` (``--config``) skips the search; ``overrides`` use the file's kebab-case keys.
    """
    known = {code.upper() for code in known_codes}
    if config_file is not None:
        config_file = Path(os.path.abspath(config_file))
        try:
            data = config_file.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read config file {config_file}: {exc.strerror or exc}",
                              config_file) from None
        raw = _table(_parse_toml(config_file, data), config_file) or {}
    else:
        config_file = find_config_file(start)
        raw = {}
        if config_file is not None:
            raw = _table(_parse_toml(config_file, config_file.read_bytes()), config_file) or {}
    root = config_file.parent if config_file is not None else Path.cwd()
    where = f"{_TABLE} of {config_file}" if config_file is not None else _TABLE
    merged = dict(raw)
    _validate(raw, where, known, config_file)
    if overrides:
        cli = _anchor_overrides(overrides, root)
        _validate(cli, "command-line options", known, None)
        merged = _merge(raw, cli)
    config = _validate(merged, where, known, config_file)
    if not (overrides and "cache-dir" in overrides):
        _confine_cache_dir(config.cache_dir, root, where, config_file)
    config._root = root
    config._config_file = config_file
    return config


def _confine_cache_dir(cache_dir: str, root: Path, where: str, path: Path | None) -> None:
    """A configured ``cache-dir`` stays inside the project, also through symlinks.

    The cache is written on every run: a committed ``cache-dir = "/somewhere"`` (or ``".."``, or a
    committed symlink) must not let a repo make the linter write outside it. Only the command line
    (``--cache-dir``), which the user types themselves, may point elsewhere.
    """
    if Path(cache_dir).is_absolute() or os.path.isabs(cache_dir):
        raise ConfigError(f"invalid value for 'cache-dir' in {where}: {cache_dir!r} is absolute; it must be a path "
                          "inside the project (pass an absolute path with --cache-dir instead)", path)
    target = Path(os.path.normpath(root / cache_dir))
    inside = target == root or root in target.parents
    if inside:
        real_root = Path(os.path.realpath(root))
        real = Path(os.path.realpath(target))
        inside = real == real_root or real_root in real.parents
    if not inside:
        raise ConfigError(f"invalid value for 'cache-dir' in {where}: {cache_dir!r} leads outside the project "
                          f"directory {root}; pass a path outside it with --cache-dir instead", path)


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    tomllib = _tomllib()
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line: int | None = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"invalid TOML in {path} at line {line}: not valid UTF-8 "
                          f"(byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line) from None
    except RecursionError:
        raise ConfigError(f"invalid TOML in {path}: nested too deeply to read", path) from None
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        found = _TOML_POSITION.search(text)
        line = int(found.group(1)) if found else None
        column = int(found.group(2)) if found else None
        reason = _TOML_POSITION.sub("", text).strip()
        at = f" at line {line}, column {column}" if found else ""
        raise ConfigError(f"invalid TOML in {path}{at}: {reason}", path, line, column) from None


def _table(document: dict[str, Any], path: Path) -> dict[str, Any] | None:
    tool = document.get("tool")
    if not isinstance(tool, dict) or "cursus-lint" not in tool:
        return None
    table = tool["cursus-lint"]
    if not isinstance(table, dict):
        raise ConfigError(f"{_TABLE} in {path} must be a table, not {type(table).__name__}", path)
    return table


def _anchor_overrides(overrides: dict[str, Any], root: Path) -> dict[str, Any]:
    """Make command-line paths and globs (relative to the cwd) mean the same thing under ``root``."""
    cwd = Path.cwd()
    out = dict(overrides)
    for key in _PATH_KEYS:
        if isinstance(out.get(key), str):
            out[key] = os.path.abspath(out[key])
    for key in ("workspace-dirs", "interface-dirs"):
        if isinstance(out.get(key), list):
            out[key] = [os.path.abspath(d) if isinstance(d, str) else d for d in out[key]]
    for key in ("exclude", "extend-exclude"):
        if isinstance(out.get(key), list):
            out[key] = [_anchor_glob(g, cwd, root) if isinstance(g, str) else g for g in out[key]]
    if isinstance(out.get("per-file-ignores"), dict):
        out["per-file-ignores"] = {_anchor_glob(g, cwd, root): codes for g, codes in out["per-file-ignores"].items()}
    return out


def _anchor_glob(glob: str, cwd: Path, root: Path) -> str:
    if "/" not in glob or Path(glob).is_absolute():
        return glob
    try:
        prefix = cwd.relative_to(root).as_posix()
    except ValueError:
        return f"{_escape_glob(cwd.as_posix())}/{glob}"
    return glob if prefix == "." else f"{_escape_glob(prefix)}/{glob}"


def _escape_glob(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _merge(base: dict[str, Any], cli: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in cli.items():
        if key in _APPEND_KEYS and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *value]
        elif key in _UPDATE_KEYS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


# ---------------------------------------------------------------------------- validation


def _validate(data: dict[str, Any], where: str, known: set[str], path: Path | None) -> LintConfig:
    _check_keys(data, where, path)
    try:
        config = LintConfig(**data)
    except _Invalid as exc:
        raise ConfigError(_describe(exc.error(), where), path) from None
    _check_codes(config, where, known, path)
    _check_globs(config, where, path)
    return config


def glob_problem(glob: str) -> str | None:
    """Why a glob is malformed (an unclosed ``[`` set, which fnmatch silently takes literally,
    so the glob would never match what its writer meant), or None."""
    i, n = 0, len(glob)
    while i < n:
        if glob[i] == "[":
            j = i + 1
            if j < n and glob[j] in "!^":
                j += 1
            if j < n and glob[j] == "]":  # a leading ']' is a member of the set
                j += 1
            end = glob.find("]", j)
            if end == -1:
                return f"'[' at position {i + 1} is never closed by ']' (write '[[]' for a literal '[')"
            i = end
        i += 1
    return None


def _check_globs(config: LintConfig, where: str, path: Path | None) -> None:
    groups = [("exclude", config.exclude), ("extend-exclude", config.extend_exclude),
              ("per-file-ignores", list(config.per_file_ignores))]
    for key, globs in groups:
        for glob in globs:
            problem = glob_problem(glob)
            if problem is not None:
                raise ConfigError(f"malformed glob {glob!r} in '{key}' of {where}: {problem}", path)


_KEYS = frozenset(key for _, key, *_ in _FIELDS)


def _check_keys(data: dict[str, Any], where: str, path: Path | None) -> None:
    """Reject unknown keys with a suggestion (snake_case spellings included: keys are kebab-case)."""
    tables: list[tuple[dict[str, Any], str, list[str]]] = [(data, where, [key for _, key, *_ in _FIELDS])]
    if isinstance(data.get("resolver"), dict):
        tables.append((data["resolver"], _subtable(where, "resolver"), list(ResolverConfig.KEYS)))
    for table, label, valid in tables:
        for key in table:
            if key not in valid:
                raise ConfigError(f"unknown key {key!r} in {label}{_suggest(key, valid)}", path)


def _subtable(where: str, name: str) -> str:
    if where.startswith(_TABLE):
        return f"[tool.cursus-lint.{name}]" + where[len(_TABLE):]
    return f"'{name}' of {where}"


def _suggest(word: str, choices: list[str] | set[str], cutoff: float = 0.6) -> str:
    """``; did you mean 'x'?`` for a close enough choice (rule codes need a stricter cutoff:
    they differ in one digit, so only a one-character slip is a credible typo). difflib is
    imported here: only a configuration error needs it."""
    import difflib

    found = difflib.get_close_matches(word.replace("_", "-"), sorted(choices), n=1, cutoff=cutoff)
    if not found:
        found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return f"; did you mean {found[0]!r}?" if found else ""


def _check_codes(config: LintConfig, where: str, known: set[str], path: Path | None) -> None:
    groups: list[tuple[str, list[str]]] = [
        ("select", config.select or []),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
        *((f"per-file-ignores[{glob!r}]", codes) for glob, codes in config.per_file_ignores.items()),
        ("severity", list(config.severity)),
    ]
    for key, codes in groups:
        for code in codes:
            if code == "ALL" or (_SELECTOR.fullmatch(code) and any(k.startswith(code) for k in known)):
                continue
            raise ConfigError(f"unknown rule code {code!r} in '{key}' of {where}{_suggest(code, known, 0.75)}", path)


def _describe(error: Mapping[str, Any], where: str) -> str:
    """One line for the first problem (pydantic-shaped: loc, type, msg): which key, what was wrong."""
    loc = [str(part) for part in error.get("loc", ())]
    if error.get("type") == "literal_error" and loc and loc[0] == "layout" and len(loc) >= 2:
        role = loc[1]
        roles = list(_default_layout())
        return f"unknown layout role {role!r} in {where}{_suggest(role, roles)}"
    key = ".".join(part for part in loc if part != "[key]")
    message = str(error.get("msg", "invalid value"))
    message = message.removeprefix("Value error, ")
    return f"invalid value for {key!r} in {where}: {message}"

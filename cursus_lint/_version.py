"""The linter's version, in a leaf module: the engine (cache fingerprint), reporters, baseline,
CLI and language server read it without importing the package ``__init__`` (which lazily imports
the API, which imports the engine: a circle)."""

__version__ = "0.1.0"

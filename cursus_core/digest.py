"""BLAKE2b, the digest of every cache key and content fingerprint, without importing ``hashlib``.

Importing ``hashlib`` loads OpenSSL's ``_hashlib`` (~10 ms, about a tenth of the imports of a
one-file ``check``, issue 13) to offer algorithms none of the static path uses. BLAKE2b is built
into CPython (``_blake2``), and ``hashlib.blake2b`` is that very type, so digests are unchanged.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # an interpreter built without the module: hashlib finds another one
    from hashlib import blake2b

__all__ = ["blake2b"]

"""A file's stat stamp, and when a stored stamp may stand for the file's content.

Three caches answer "has this file changed?" from its stat alone: the registry walk's verdicts,
the result cache's inputs and its code fingerprint. They share one stamp (size, mtime, ctime,
inode: an edit or a chmod changes the ctime at least) and one racy window: a filesystem's
timestamps may not tell two writes within the same tick apart, so a stamp taken less than
:data:`RACY_NS` after the file's last change proves nothing about a later edit.
"""

from __future__ import annotations

import os

__all__ = ["INPUT_EVENT", "RACY_NS", "Stamp", "settled", "stamp"]

#: a file changed this close to when its stamp is taken may change again unseen by the stamp
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int, int]

#: the audit event (``sys.audit``) that tells whoever records a run's inputs (an audit hook) that
#: the run depends on a file's content although it did not read it (its answer came from its stamp)
INPUT_EVENT = "cursus.input"


def stamp(st: os.stat_result) -> Stamp:
    """(size, mtime, ctime, inode) of a stat result."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def settled(mtime_ns: int, ctime_ns: int, now_ns: int) -> bool:
    """Whether a file last changed at ``mtime_ns``/``ctime_ns`` is outside the racy window at
    ``now_ns``: a stamp taken then can stand for its content."""
    return now_ns - max(mtime_ns, ctime_ns) >= RACY_NS

"""Block network access in this process: every socket connect, send to an address, bind and
name lookup outside the loopback fails with :class:`NetworkBlockedError`.

A :func:`sys.addaudithook` hook (which user code cannot remove) is installed by the sandboxed
worker (build child, runtime-test harness, ``.py`` DAG loader) before any user code runs. Each
attempt is recorded with the user-code line that made it, so the caller can report it even
when user code swallowed the error. It guards this Python process only: programs the user code
starts (``curl``, another interpreter) are not covered.
"""

from __future__ import annotations

import os
import sys
from types import FrameType

__all__ = ["BLOCKED_TEXT", "NetworkBlockedError", "Attempt", "install_network_guard", "set_user_root",
           "blocked_attempts"]

#: what every blocked-network message starts with (callers look for it in error texts)
BLOCKED_TEXT = "network access is blocked"


class NetworkBlockedError(PermissionError):
    """User code tried to reach the network from a sandboxed run."""


class Attempt:
    """One blocked network operation: what, and the user-code line that asked for it."""

    def __init__(self, what: str, path: str | None, line: int | None, function: str | None = None) -> None:
        self.what, self.path, self.line, self.function = what, path, line, function


_ATTEMPTS: list[Attempt] = []
#: the real path of the user code's file or directory, once known (see set_user_root)
_USER_ROOT: list[str | None] = [None]
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def blocked_attempts() -> list[Attempt]:
    """Every network operation the guard blocked in this process, in order."""
    return list(_ATTEMPTS)


def _loopback_host(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").split("%")[0].lower()
    if host in _LOOPBACK_NAMES:
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ip_literal(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
        return True
    except ValueError:
        return False


def _describe(address: object) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = address[0].decode("ascii", "replace") if isinstance(address[0], bytes) else str(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    if isinstance(address, bytes):
        return address.decode("utf-8", "replace")
    return str(address)


def set_user_root(user_root: str | os.PathLike[str]) -> None:
    """Where user code lives, for locating attempts: a worker that installs the guard before it
    knows its work (it imports sagemaker while the parent still checks options) sets it with the order."""
    _USER_ROOT[0] = os.path.realpath(user_root)


def install_network_guard(what: str, *, user_root: str | os.PathLike[str] | None = None,
                          allow_local: bool = False) -> None:
    """Block network access in this process from now on (see the module docstring).

    ``what`` names the run in messages (``"the dry-run build"``); ``user_root`` is the file or
    directory of the user code, whose innermost frame is recorded with each attempt;
    ``allow_local`` keeps loopback addresses and Unix sockets usable (local multiprocessing,
    a local cluster), otherwise every connect is refused.
    """
    import ipaddress  # noqa: F401 - imported now, not inside the hook
    import socket

    if user_root is not None:
        set_user_root(user_root)
    unix = getattr(socket, "AF_UNIX", None)
    installed = (f"{os.sep}site-packages{os.sep}", f"{os.sep}dist-packages{os.sep}")  # a venv inside the repo

    def where() -> tuple[str | None, int | None, str | None]:
        frame: FrameType | None = sys._getframe(1)
        root = _USER_ROOT[0]
        while frame is not None:
            name = frame.f_code.co_filename
            if root is not None and (name == root or name.startswith(root.rstrip(os.sep) + os.sep)) \
                    and not any(part in name for part in installed):
                return name, frame.f_lineno, frame.f_code.co_name
            frame = frame.f_back
        return None, None, None

    def block(action: str) -> None:
        _ATTEMPTS.append(Attempt(action, *where()))
        raise NetworkBlockedError(f"{BLOCKED_TEXT} in {what}: {action}")

    def address_allowed(sock: object, address: object) -> bool:
        if address is None:
            return True
        if getattr(sock, "family", None) == unix:
            return allow_local
        host = address[0] if isinstance(address, tuple) and address else None
        return allow_local and _loopback_host(host)

    def hook(event: str, args: tuple) -> None:
        if not event.startswith("socket."):
            return
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            if not address_allowed(args[0], args[1]):
                block(f"connecting to {_describe(args[1])}" if event == "socket.connect"
                      else f"sending to {_describe(args[1])}")
        elif event == "socket.bind":
            sock, address = args[0], args[1]
            host = address[0] if isinstance(address, tuple) and address else None
            if getattr(sock, "family", None) == unix:
                if not allow_local:
                    block(f"binding {_describe(address)}")
            elif not _loopback_host(host):
                block(f"listening on {_describe(address)}")
        elif event == "socket.getaddrinfo":
            host, port = args[0], args[1]
            if host not in (None, "", b"") and not _loopback_host(host):  # None/"": this machine
                shown = host.decode("ascii", "replace") if isinstance(host, bytes) else str(host)
                if _ip_literal(shown) and port not in (None, 0, ""):  # the connect that comes next
                    block(f"connecting to {_describe((shown, port))}")
                block(f"resolving {shown}" + (f" (port {port})" if port not in (None, 0, "") else ""))
        elif event in ("socket.gethostbyname", "socket.gethostbyaddr"):
            if not _loopback_host(args[0]):
                block(f"resolving {args[0]}")
        elif event == "socket.getnameinfo":
            address = args[0]
            if not _loopback_host(address[0] if isinstance(address, tuple) and address else None):
                block(f"resolving {_describe(address)}")

    sys.addaudithook(hook)

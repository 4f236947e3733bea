"""``quiz serve``: the app in a browser tab, through textual-serve.

textual-serve runs a command per browser tab (a websocket): here ``python -m quiz`` with the
options the server was started with, so every tab is its own app process on the same bank and
database (two copies of the app may share a database: the store is built for that). Nothing
here is imported unless ``quiz serve`` runs: aiohttp costs the other commands nothing.
"""

from __future__ import annotations

import errno
import ipaddress
import shlex
import socket
import sys
from typing import Any

from quiz.textsafe import printable


def tab_command(args: list[str]) -> str:
    """The shell command each tab runs (textual-serve starts it through a shell): this Python,
    ``-m quiz`` and ``args``, every word quoted."""
    return shlex.join([sys.executable, "-m", "quiz", *args])


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost): nobody else can
    reach a server bound there. A name is judged by every address it resolves to."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                   for a in addresses)


def exposure_warning(host: str, port: int) -> str | None:
    """The warning to print before serving on ``host``, or None on a loopback address."""
    if is_loopback(host):
        return None
    return (f"warning: serving on {printable(host)}:{port}: anyone who can reach this port can "
            "use the app, with your progress database and banks, without a password. Serve on "
            "127.0.0.1 (the default) unless that is what you want.")


def bind_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host``:``port`` (in use, not an address of this
    machine, not allowed), or None if it can. Checked before serving, so the answer is one
    line, not a server's traceback."""
    if not host.strip():  # "cannot serve on : no such host" named nothing
        return "--host is empty: give an address to listen on, e.g. 127.0.0.1 (the default)"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return f"cannot serve on {printable(host)}: no such host"
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            try:
                probe.bind(address)
            except OSError as exc:
                where = f"{printable(host)}:{port}"
                if exc.errno == errno.EADDRINUSE:
                    return f"port {port} on {printable(host)} is already in use: choose " \
                           "another with --port"
                if exc.errno in (errno.EACCES, errno.EPERM):
                    return f"not allowed to listen on {where}: ports below 1024 need root; " \
                           "choose another with --port"
                return f"cannot listen on {where}: {printable(exc.strerror or str(exc))}"
    return None


def serve(args: list[str], host: str, port: int) -> None:
    """Serve the app on ``host``:``port`` until Ctrl+C; each tab runs ``quiz`` with ``args``."""
    from textual_serve.server import Server

    class _Server(Server):
        async def handle_index(self, request: Any) -> Any:
            # The page's websocket and static files at the address the browser used, not the
            # one bound: 0.0.0.0 (or a name the browser does not share) is no address to visit.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app: Any) -> None:
            print(f"quiz: open {page_url(host, port)} in a browser: each tab is its own "
                  "copy of the app. Ctrl+C stops.", flush=True)

    _Server(tab_command(args), host=host, port=port, title="quiz").serve()


def page_url(host: str, port: int) -> str:
    """The address to open: an address that means 'every interface' is no place to visit,
    so this machine's name stands in for it."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/"

"""The typed errors of the NetworkPolicy evaluator: bad manifests and bad questions about them."""

from __future__ import annotations

from quiz.textsafe import printable, quote, shorten


class NetpolError(Exception):
    """Base class of every error raised by :mod:`quiz.netpol`."""


class ManifestError(NetpolError):
    """A manifest that cannot be used, reported as ``path:line:col: message``.

    ``line`` and ``col`` are 1-based, or None when the position is unknown (manifests embedded
    in a question without a locator); ``loc`` is the path of keys and indices to the offending
    value, starting with the document (or object) index.
    """

    def __init__(
        self,
        path: str,
        line: int | None,
        col: int | None,
        message: str,
        loc: tuple[str | int, ...] = (),
    ) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.message = message
        self.loc = loc
        super().__init__(str(self))

    def __str__(self) -> str:
        # One line, whatever the path and the quoted values hold (escapes, newlines).
        path, message = printable(shorten(self.path, 200)), printable(self.message)
        if self.line is None:
            return f"{path}: {message}"
        return f"{path}:{self.line}:{self.col or 1}: {message}"


class QueryError(NetpolError):
    """A question about a valid cluster that cannot be answered (bad claim, pod or port)."""


class UnknownPodError(QueryError):
    """A pod reference that names no pod of the cluster."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"unknown pod {quote(ref)}")


class UnknownPortError(QueryError):
    """A named port that the destination pod does not declare for the protocol."""

    def __init__(self, pod: str, port: str, protocol: str) -> None:
        self.pod = pod
        self.port = port
        self.protocol = protocol
        super().__init__(f"pod {shorten(pod)} declares no {protocol} container port named "
                         f"{quote(port)}")

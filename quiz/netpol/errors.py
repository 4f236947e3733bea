"""The typed errors of the NetworkPolicy evaluator: bad manifests and bad questions about them."""

from __future__ import annotations


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
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.col or 1}: {self.message}"


class QueryError(NetpolError):
    """A question about a valid cluster that cannot be answered (bad claim, pod or port)."""


class UnknownPodError(QueryError):
    """A pod reference that names no pod of the cluster."""

    def __init__(self, ref: str) -> None:
        self.ref = ref
        super().__init__(f"unknown pod {ref!r}")


class UnknownPortError(QueryError):
    """A named port that the destination pod does not declare for the protocol."""

    def __init__(self, pod: str, port: str, protocol: str) -> None:
        self.pod = pod
        self.port = port
        self.protocol = protocol
        super().__init__(f"pod {pod} declares no {protocol} container port named {port!r}")

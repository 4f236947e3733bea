"""A store's reads, each done once: for a page of figures computed from the same progress.

``quiz stats`` and the stats screen compute the per-topic counts (``quiz.stats``) and the
readiness figures (``quiz.readiness``) from one store: both read every card, the answer counts
and the answer hours of the streak. On 10,000 cards and 100,000 answers each read costs tens
of milliseconds, so the figures are computed on ``read_once(store)``, which answers a read
asked again with the same arguments from what it read the first time. Only reads
(``snapshot.READS``) go through it; it is for one computation, not to keep.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from quiz.store.snapshot import READS

S = TypeVar("S")


class _ReadOnce:
    def __init__(self, store: Any) -> None:
        self._store = store
        self._found: dict[Hashable, Any] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name not in READS:
            raise AttributeError(f"read_once: {name!r} is not a read")
        method = getattr(self._store, name)

        def read(*args: Any, **kwargs: Any) -> Any:
            key = (name, tuple(id(a) if not isinstance(a, Hashable) else a for a in args),
                   tuple(sorted(kwargs.items())))
            try:
                return self._found[key]
            except KeyError:
                found = self._found[key] = method(*args, **kwargs)
                return found

        return read


def read_once(store: S) -> S:
    """``store`` for reading only, each read (method and arguments) done once; the results
    are shared between callers, who must not change them."""
    return cast(S, _ReadOnce(store))

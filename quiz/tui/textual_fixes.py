"""Work-arounds for Textual bugs that the app runs into; each says when it can go.

``StylesCache.get_inner_outer`` is an instance method under ``functools.lru_cache(1024)``, so
the cache keeps the last 1,024 ``StylesCache`` objects alive, each with its rendered strips
(https://github.com/Textualize/textual/issues/6665, open as of Textual 8.2.8). A study session
builds a new question and feedback screen per answer (~35 widgets each): within a dozen
answers the app held ~100,000 dead objects, and the garbage collector's full passes over them
(up to 90 ms) landed between Enter and the feedback. The result depends only on the two
colours, so the fix caches Textual's own function on them alone. Remove it when Textual fixes
the issue (``apply`` then finds nothing to replace).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache


def apply() -> None:
    """Install the fixes (idempotent); tests check each still matters and still works."""
    leaking = StylesCache.get_inner_outer
    if not hasattr(leaking, "cache_clear"):  # fixed upstream, or already replaced
        return
    compute = leaking.__wrapped__  # Textual's body; it does not use its first argument

    @lru_cache(1024)
    def inner_outer(base_background: Any, background: Any) -> Any:
        return compute(None, base_background, background)

    def get_inner_outer(_self: object, base_background: Any, background: Any) -> Any:
        return inner_outer(base_background, background)

    StylesCache.get_inner_outer = get_inner_outer  # type: ignore[method-assign]

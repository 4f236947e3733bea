"""The start-up cache's part for Textual: the tokens of each CSS text Textual tokenizes (its
widgets' default CSS, quiz's stylesheets, the theme's variables, selectors), kept by
``quiz.tui.start_cache`` and handed back as the ``Token``s the tokenizer would yield.

``TCSSTokenizerState.__call__`` (every tokenizer of ``textual.css.tokenize``) yields, for a
text and the place it was read from that it tokenized before, the same tokens rebuilt from
their name, value and place (the text and place are the call's own). Only a text tokenized to
its end is kept, so a tokenizing error is raised again, after the same tokens, on every start.
The tokens are kept for one Textual (its dist-info's name): another's are dropped.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

import textual
from textual.css.tokenize import TCSSTokenizerState
from textual.css.tokenizer import Token

from quiz.tui.start_cache import StartCache, installed, patch


def install() -> None:
    """Route Textual's CSS tokenizing through the installed start-up cache, if any (once:
    ``quiz.tui.app`` calls it with the Textual fixes). Its tokens are kept per Textual
    version; a Textual whose version cannot be told from its install is left alone."""
    cache = installed()
    if cache is None:
        return
    if getattr(TCSSTokenizerState.__call__, "start_cache", False):
        return
    version = _textual_version()
    if version is None:
        return
    if cache.textual != version:
        cache.tokens, cache.textual = {}, version
    patch(TCSSTokenizerState, "__call__", _cached_tokenizer(cache, TCSSTokenizerState.__call__))


def _textual_version() -> str | None:
    """The name of Textual's dist-info directory (``textual-8.2.8.dist-info``), if found
    beside the package: cheaper than ``importlib.metadata``, as exact."""
    package = Path(textual.__file__).parent
    try:
        names = os.listdir(package.parent)
    except OSError:
        return None
    found = [name for name in names
             if name.startswith("textual-") and name.endswith(".dist-info")]
    return found[0] if len(found) == 1 else None


def _cached_tokenizer(cache: StartCache, original: Any) -> Any:
    def __call__(self: Any, code: Any, read_from: Any) -> Any:
        if (type(code) is not str or type(read_from) is not tuple
                or not all(type(part) is str for part in read_from)):
            yield from original(self, code, read_from)
            return
        key = (type(self).__name__, code, read_from)
        stored = _tokens(cache.tokens.get(key))
        if stored is not None:
            cache.used.add(("css", key))
            for name, value, location in stored:
                yield Token(name, value, read_from, code, location)
            return
        made = []
        for token in original(self, code, read_from):
            made.append((token.name, token.value, token.location))
            yield token
        # Only a text tokenized to its end is kept (not one whose reader stopped or failed).
        cache.tokens[key] = marshal.dumps(tuple(made))
        cache.used.add(("css", key))
        cache.new += 1

    __call__.start_cache = True  # type: ignore[attr-defined]
    return __call__


def _tokens(stored: bytes | None) -> tuple[tuple[str, str, tuple[int, int]], ...] | None:
    """A stored entry's tokens if they have the shape the tokenizer's have (checked before
    the first is handed out: a damaged one is tokenized again instead)."""
    if stored is None:
        return None
    try:
        tokens = marshal.loads(stored)
    except (ValueError, EOFError, TypeError):
        return None
    if type(tokens) is not tuple:
        return None
    for entry in tokens:
        if type(entry) is not tuple or len(entry) != 3:
            return None
        name, value, location = entry
        if (type(name) is not str or type(value) is not str or type(location) is not tuple
                or len(location) != 2 or type(location[0]) is not int
                or type(location[1]) is not int):
            return None
    return tokens

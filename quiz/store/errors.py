"""The store's one exception type."""

from __future__ import annotations


class StoreError(Exception):
    """The progress database cannot be used; the message names the place and the fix."""

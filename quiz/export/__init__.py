"""The bank written out for other programs (``quiz export``): no textual, no store."""

"""Reusable widgets: choice list, concept card, feedback view, session header, topic list."""

"""The Textual user interface: the only package (with cli.py) that imports textual."""

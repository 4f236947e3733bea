"""Line and column of a value in a multi-document YAML stream, found only after a failure.

Documents are composed lazily (the fast path never builds the node tree); a location is
``(document_index, key_or_index, ...)``, the same shape the manifest reader reports.
"""

from __future__ import annotations

import yaml

from quiz.netpol.reading import Loc
from quiz.safeyaml import ManifestLoader

# The bounded loader (quiz.safeyaml): an alias bomb or a 5000-digit number in a manifest is one
# positioned error, not minutes of work or a traceback.
YamlLoader: type = ManifestLoader


class StreamLocator:
    """Callable ``locate(loc) -> (line, col)`` (1-based) over one YAML stream's text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._documents: list[yaml.Node] | None = None

    def _compose(self) -> list[yaml.Node]:
        if self._documents is None:
            try:
                self._documents = list(yaml.compose_all(self._text, Loader=YamlLoader))
            except yaml.YAMLError:
                self._documents = []
        return self._documents

    def __call__(self, loc: Loc) -> tuple[int, int] | None:
        """Where ``loc`` is, or its deepest existing parent; None if the document is unknown."""
        documents = self._compose()
        if not loc or not isinstance(loc[0], int) or not 0 <= loc[0] < len(documents):
            return None
        node = documents[loc[0]]
        key_node: yaml.Node | None = None
        for part in loc[1:]:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
        # A collection value starts on the line after its key: point at the key instead.
        if key_node is not None and not isinstance(node, yaml.ScalarNode):
            return _mark(key_node)
        return _mark(node)


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return key, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
            and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1

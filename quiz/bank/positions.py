"""Line and column lookup for a path of keys and indices in a YAML document.

Only used once something is wrong: the fast path never composes the node tree.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from quiz.safeyaml import BankLoader


class Locator:
    """Finds the position of ``("questions", 3, "choices")`` in one file's text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False
        # Each mapping's keys, indexed when first searched: a file with many problems looks up
        # many keys of one mapping (a scan each made 20,000 unknown keys take a minute).
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def _compose(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._text, Loader=BankLoader)
            except yaml.YAMLError:
                self._root = None
        return self._root

    def node(self, loc: Sequence[str | int]) -> tuple[yaml.Node | None, bool]:
        """The deepest node along ``loc`` and whether the whole path was found."""
        node = self._compose()
        if node is None:
            return None, False
        for part in loc:
            found = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                pair = self._pairs(node).get(part)
                found = pair[1] if pair is not None else None
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    found = node.value[part]
            if found is None:
                return node, False
            node = found
        return node, True

    def key_position(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """Position of the key ``loc[-1]`` itself (for unknown keys), else of its value."""
        parent, complete = self.node(loc[:-1])
        if complete and isinstance(parent, yaml.MappingNode) and loc \
                and isinstance(loc[-1], str):
            pair = self._pairs(parent).get(loc[-1])
            if pair is not None:
                return _mark(pair[0])
        return self.position(loc)

    def _pairs(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping's scalar keys -> (key node, value node); the first of a repeated key."""
        pairs = self._keys.get(id(node))
        if pairs is None:
            pairs = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    pairs.setdefault(key.value, (key, value))
            self._keys[id(node)] = pairs
        return pairs

    def position(self, loc: Sequence[str | int]) -> tuple[int, int]:
        """1-based (line, col) of the value at ``loc``, or of its deepest existing parent."""
        node, _ = self.node(loc)
        return _mark(node) if node is not None else (1, 1)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1

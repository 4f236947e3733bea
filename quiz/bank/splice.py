"""Text edits of a question file that keep every byte the edit is not about.

A question file is read once in full (:func:`layout`: where each question's lines are); after
that one question is rewritten by cutting its lines out, changing only the spans of the values
that changed (a new value in the bank's house style, every other key, comment, quote, fold and
line ending as the author wrote it), and checking that the new lines read back as the new
question on their own. The lines of one list item read the same alone as in their file: every
line inside the item is indented past its dash, and the lines around it are not touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import yaml

from quiz.bank import drafts
from quiz.safeyaml import SAFE_LOADER


class SpliceError(ValueError):
    """The file's layout is one the byte-keeping edit cannot work in (the caller says why)."""


@dataclass(frozen=True)
class Item:
    """One question's lines in the file: ``text[start:end]``, trailing comments included."""

    qid: str | None
    start: int  # the start of its dash's line
    end: int  # the start of the next item's line, or of what follows the list


@dataclass(frozen=True)
class Layout:
    """Where the questions of one version of a file are (character offsets in its text)."""

    items: tuple[Item, ...]
    dash: int  # the column of the questions' dashes
    offset: int  # how far right of its key a nested list's dash sits in this file
    aliases: bool  # anchors or aliases: an item may not be read on its own

    def find(self, qid: str) -> int | None:
        return next((n for n, item in enumerate(self.items) if item.qid == qid), None)

    def shifted(self, index: int, delta: int, added: Item | None = None) -> Layout:
        """The layout after item ``index`` grew by ``delta`` characters (and ``added`` was
        appended after it)."""
        items = list(self.items)
        items[index] = replace(items[index], end=items[index].end + delta)
        items[index + 1:] = [replace(i, start=i.start + delta, end=i.end + delta)
                             for i in items[index + 1:]]
        return replace(self, items=(*items, *([added] if added else [])))


def layout(text: str) -> Layout | None:
    """The layout of a question file's text, or None if its questions are not a non-empty
    block list (``questions: []``, a flow list, no questions key)."""
    root = yaml.compose(text, Loader=SAFE_LOADER)
    if not isinstance(root, yaml.MappingNode):
        return None
    pair = next(((k, v) for k, v in root.value if k.value == "questions"), None)
    if pair is None:
        return None
    key, seq = pair
    if not isinstance(seq, yaml.SequenceNode) or seq.flow_style or not seq.value:
        return None
    starts = [_line_start(text, text.rfind("-", 0, node.start_mark.index + 1))
              for node in seq.value]
    end = seq.end_mark.index
    end = len(text) if end >= len(text.rstrip(" \t\r\n")) else _line_start(text, end)
    items = tuple(Item(_id(node), start, stop)
                  for node, start, stop in zip(seq.value, starts, [*starts[1:], end], strict=True))
    dash = seq.start_mark.column
    offset = max(dash - key.start_mark.column, 0)
    for node in seq.value:  # a choices list says how this file indents nested lists
        choices = _get(node, "choices")
        if isinstance(choices, yaml.SequenceNode) and choices.value and not choices.flow_style:
            key_col = next(k.start_mark.column for k, v in node.value if v is choices)
            offset = max(choices.start_mark.column - key_col, 0)
            break
    return Layout(items, dash, offset, _has_aliases(text))


def _has_aliases(text: str) -> bool:
    if "&" not in text and "*" not in text:
        return False
    return any(getattr(e, "anchor", None) or isinstance(e, yaml.AliasEvent)
               for e in yaml.parse(text, Loader=SAFE_LOADER))


def _id(node: yaml.Node) -> str | None:
    value = _get(node, "id")
    return value.value if isinstance(value, yaml.ScalarNode) else None


def _get(node: yaml.Node, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == name), None)


def rewrite_item(segment: str, old: dict[str, Any], new: dict[str, Any], *, dash: int,
                 offset: int) -> str | None:
    """``segment`` (one question's lines, read as ``old``) rewritten to read as ``new``: only
    the values that changed are rewritten. None if no rewrite reads back as ``new``."""
    nl = "\r\n" if "\r\n" in segment else "\n"
    root = yaml.compose(segment, Loader=SAFE_LOADER)
    if not (isinstance(root, yaml.SequenceNode) and len(root.value) == 1):
        return None
    node = root.value[0]
    edits = _mapping_edits(segment, node, old, new, offset)
    whole = _item_edit(segment, node, new, dash, offset)
    for candidate in ([edits] if edits is not None else []) + [[whole]]:
        text = _apply(segment, candidate, nl)
        for attempt in (text, text + nl):  # a block scalar at the very end needs its newline
            if attempt is not text and text.endswith("\n"):
                break
            if _reads_as(attempt, [new]):
                return attempt
    return None


def append_item(tail: str, new: dict[str, Any], *, dash: int, offset: int,
                old: list[Any], at_end: bool) -> str | None:
    """``tail`` (the last question's lines, read as ``old``) with ``new`` added after it, a
    blank line between (the house style); None if that does not read back. At the end of the
    file (``at_end``) it goes after the comments that close the file; else before the ones that
    introduce what follows the list."""
    nl = "\r\n" if "\r\n" in tail else "\n"
    item = "\n".join(drafts.render_item(new, dash=dash, offset=offset)).replace("\n", nl)
    root = yaml.compose(tail, Loader=SAFE_LOADER)
    if not (isinstance(root, yaml.SequenceNode) and root.value):
        return None
    after = _eol(tail, _last(tail, root.value[-1]))
    inside = tail[:after] + nl + nl + item + tail[after:]
    base = tail if tail.endswith("\n") else tail + nl
    last = base + (item if base.endswith(nl + nl) else nl + item) + nl
    candidates = [last, inside] if at_end else [inside, last]
    return next((c for c in candidates if _reads_as(c, [*old, new])), None)


def _reads_as(text: str, expected: Any) -> bool:
    try:
        return yaml.load(text, Loader=SAFE_LOADER) == expected  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return False


# --- edits ---------------------------------------------------------------------------------

Edit = tuple[int, int, str]  # replace text[start:end] with a string ("\n" line breaks)


def _apply(text: str, edits: list[Edit], nl: str) -> str:
    # Insertions at one place keep their order: apply from the end, later ones first.
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new.replace("\n", nl) + text[end:]
    return text


def _item_edit(text: str, node: yaml.Node, new: dict[str, Any], dash: int, offset: int) -> Edit:
    """The whole item written anew (its trailing comments stay)."""
    start = text.rfind("-", 0, node.start_mark.index + 1)
    flow = drafts.render_flow(new) if getattr(node, "flow_style", False) else None
    if flow is not None:  # {from: a, to: b}: as it was written, on one line
        return node.start_mark.index, node.end_mark.index, flow
    lines = drafts.render_item(new, dash=dash, offset=offset)
    return start, _value_end(text, node), "\n".join(lines)[dash:]


def _mapping_edits(text: str, node: yaml.Node, before: Any, after: Any,
                   offset: int) -> list[Edit] | None:
    if not (isinstance(node, yaml.MappingNode) and not node.flow_style and node.value
            and isinstance(before, dict) and isinstance(after, dict)):
        return None
    names = [k.value for k, _ in node.value]
    if len(set(names)) != len(names) or set(names) != set(before):
        return None  # duplicate or odd keys: rewrite the whole item instead
    col = node.value[0][0].start_mark.column
    edits: list[Edit] = []
    for key, value in node.value:
        name = key.value
        if name not in after:
            if not _owns_line(text, key):
                return None  # the key shares its line with a dash
            edits.append((_line_start(text, key.start_mark.index),
                          _line_after(text, _value_end(text, value)), ""))
        elif after[name] != before[name]:
            inner = None
            if isinstance(after[name], dict):
                inner = _mapping_edits(text, value, before[name], after[name], offset)
            elif isinstance(after[name], list):
                inner = _sequence_edits(text, value, before[name], after[name], offset)
            edits += inner if inner is not None else [
                _value_edit(text, key, value, name, after[name], col, offset)]
    present = [k.value for k, _ in node.value]
    for n, name in enumerate(after):
        if name in before:
            continue
        prior = [p for p in list(after)[:n] if p in before] or present
        value_node = next(v for k, v in node.value if k.value == prior[-1])
        lines = "\n".join(drafts.render_field(name, after[name], col=col, offset=offset))
        edits.append(_insert_after(text, value_node, lines))
    return edits


def _insert_after(text: str, node: yaml.Node, lines: str) -> Edit:
    """``lines`` on lines of their own after ``node``'s content (after the blank lines that
    belong to a ``|+`` scalar it ends with)."""
    last = max(_leaves(node), key=lambda leaf: leaf.end_mark.index)
    if _keeps(text, last):
        return last.end_mark.index, last.end_mark.index, lines + "\n"
    pos = _eol(text, _last(text, node))
    return pos, pos, "\n" + lines


def _sequence_edits(text: str, node: yaml.Node, before: list[Any], after: list[Any],
                    offset: int) -> list[Edit] | None:
    if not (isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value and after
            and len(node.value) == len(before)
            and all(isinstance(i, yaml.MappingNode) for i in node.value)
            and all(isinstance(i, dict) for i in (*before, *after))):
        return None
    dashes = [text.rfind("-", 0, i.start_mark.index + 1) for i in node.value]
    dash = dashes[0] - _line_start(text, dashes[0])
    if any(text[_line_start(text, d):d].strip() for d in dashes):
        return None
    edits: list[Edit] = []
    for n, item in enumerate(node.value):
        if n >= len(after):
            edits.append((_line_start(text, dashes[n]),
                          _line_after(text, _value_end(text, item)), ""))
        elif after[n] != before[n]:
            inner = _mapping_edits(text, item, before[n], after[n], offset)
            edits += inner if inner is not None else [_item_edit(text, item, after[n], dash,
                                                                 offset)]
    for extra in after[len(before):]:
        edits.append(_insert_after(text, node.value[-1], "\n".join(
            drafts.render_item(extra, dash=dash, offset=offset))))
    return edits


def _value_edit(text: str, key: yaml.Node, value: yaml.Node, name: str, new: Any, col: int,
                offset: int) -> Edit:
    flow = drafts.render_flow(new) if getattr(value, "flow_style", False) else None
    if flow is not None and value.start_mark.line == value.end_mark.line:
        return value.start_mark.index, value.end_mark.index, flow
    lines = drafts.render_field(name, new, col=col, offset=offset)
    one_line = (len(lines) == 1 and value.start_mark.line == value.end_mark.line
                and not _is_block(text, value))
    if one_line:  # a comment after the value stays
        return key.start_mark.index, value.end_mark.index, lines[0][col:]
    if _keeps(text, value):  # its trailing blank lines are its own: they go with it
        return key.start_mark.index, value.end_mark.index, "\n".join(lines)[col:] + "\n"
    return key.start_mark.index, _value_end(text, value), "\n".join(lines)[col:]


# --- positions -----------------------------------------------------------------------------


def _leaves(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        yield node
    else:
        for child in node.value:  # key-value pairs of a mapping, items of a list
            for part in child if isinstance(child, tuple) else (child,):
                yield from _leaves(part)


def _last(text: str, node: yaml.Node) -> int:
    """Index of the last character of ``node``'s own content (a block scalar's end mark takes in
    the blank and comment lines after it, which are not its own)."""
    end = max(leaf.end_mark.index for leaf in _leaves(node))
    return max(len(text[:end].rstrip(" \t\r\n")) - 1, 0)


def _value_end(text: str, node: yaml.Node) -> int:
    """The end of the line ``node``'s content ends on (before its line break)."""
    return _eol(text, _last(text, node))


def _is_block(text: str, node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")


def _keeps(text: str, node: yaml.Node) -> bool:
    """A ``|+`` / ``>+`` block scalar: the blank lines after it are part of its value."""
    if not _is_block(text, node):
        return False
    header = text[node.start_mark.index:_eol(text, node.start_mark.index)]
    return "+" in header.split("#", 1)[0]


def _eol(text: str, pos: int) -> int:
    """Where the line holding ``pos`` ends (its line break's index, or the end of the text)."""
    end = text.find("\n", pos)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def _line_after(text: str, eol: int) -> int:
    """The start of the next line after the line ending at ``eol``."""
    end = text.find("\n", eol)
    return len(text) if end < 0 else end + 1


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _owns_line(text: str, key: yaml.Node) -> bool:
    return not text[_line_start(text, key.start_mark.index):key.start_mark.index].strip()


def append_first(text: str, new: dict[str, Any]) -> str:
    """``text`` (a question file whose questions are empty or missing) with ``new`` as its
    first question; raises :class:`SpliceError` if its questions are a list with items in it
    that :func:`layout` could not place (a flow list)."""
    nl = "\r\n" if "\r\n" in text else "\n"
    root = yaml.compose(text, Loader=SAFE_LOADER)
    pair = next(((k, v) for k, v in root.value if k.value == "questions"), None) \
        if isinstance(root, yaml.MappingNode) else None
    if pair is None:
        base = text if text.endswith("\n") or not text else text + nl
        return base + f"questions:{nl}" + drafts.render_question(new).replace("\n", nl)
    key, seq = pair
    empty = (isinstance(seq, yaml.SequenceNode) and not seq.value) or seq.tag.endswith(":null")
    if not empty:
        raise SpliceError("'questions' is not a block list (- id: ...)")
    start, end = seq.start_mark.index, seq.end_mark.index
    if start == end:  # `questions:` and nothing: the empty value's mark may be anywhere after
        start = end = text.index(":", key.end_mark.index) + 1
    eol = text.find("\n", end)
    after = len(text) if eol < 0 else eol + 1
    head = text[:start].rstrip(" \t") + text[end:after]
    head += "" if head.endswith("\n") else nl
    item = drafts.render_question(new, indent=key.start_mark.column + 2).replace("\n", nl)
    return head + item + text[after:]


def item_starts(segment: str) -> list[int]:
    """Where each item of a standalone list segment starts (its dash's line)."""
    root = yaml.compose(segment, Loader=SAFE_LOADER)
    return [_line_start(segment, segment.rfind("-", 0, node.start_mark.index + 1))
            for node in root.value]

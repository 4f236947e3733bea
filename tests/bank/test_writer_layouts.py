"""Editing one field of one question keeps every byte outside that question, in any layout.

Files are generated with hypothesis: flush or indented lists, comments between and inside
questions, every scalar style (plain, wrapped, quoted, literal, folded, strip and keep), CRLF
and no final newline. One field of one question is edited; the bytes before and after that
question, and the lines of its fields that did not change, must be exactly as they were.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.bank.writer import edit_question, read_question

WRITER = Path(__file__).parent.parent / "data" / "writer"
WORDS = ["pods", "policy", "egress", "ingress", "namespace", "selector", "label", "port"]
STYLES = ["plain", "wrapped", "single", "double", "literal", "strip", "keep", "folded"]


def scalar(draw: st.DrawFn, key: str, col: int, *, prose: bool,
           last: str = "") -> tuple[list[str], str]:
    """``key: <a string>`` in a drawn style, as lines (key at ``col``), and its value;
    ``last`` is its last word (to keep choice texts apart)."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=9)) + [last] * bool(last)
    style = draw(st.sampled_from(STYLES if prose else STYLES[:4]))
    pad, inner = " " * col, " " * (col + 2)
    comment = draw(st.sampled_from(["", "  # note"]))
    text = " ".join(words)
    if style == "plain":
        return [f"{pad}{key}: {text}{comment}"], text
    if style == "wrapped":
        cut = max(len(words) // 2, 1)
        return [f"{pad}{key}: {' '.join(words[:cut])}",
                f"{inner}{' '.join(words[cut:]) or 'end'}"], \
            " ".join(words[:cut]) + " " + (" ".join(words[cut:]) or "end")
    if style == "single":
        return [f"{pad}{key}: '{text} it''s'{comment}"], text + " it's"
    if style == "double":
        return [f'{pad}{key}: "{text} \\"q\\""{comment}'], text + ' "q"'
    cut = max(len(words) // 2, 1)
    body = [" ".join(words[:cut]), " ".join(words[cut:]) or "end"]
    lines = [f"{pad}{key}: " + {"literal": "|", "strip": "|-", "keep": "|+",
                                "folded": ">"}[style], *(inner + b for b in body)]
    if style == "folded":
        return lines, " ".join(body) + "\n"
    if style == "keep":
        return [*lines, ""], "\n".join(body) + "\n\n"
    return lines, "\n".join(body) + ("" if style == "strip" else "\n")


@st.composite
def question(draw: st.DrawFn, qid: str, dash: int, offset: int) -> tuple[list[str], dict]:
    col = dash + 2
    pad = " " * col
    lines = [f"{' ' * dash}- id: {qid}"]
    data: dict[str, Any] = {"id": qid}
    if draw(st.booleans()):
        lines.append(f"{pad}concepts: [ default-deny ]")
    else:
        lines += [f"{pad}concepts:", f"{' ' * (col + offset)}- default-deny"]
    data["concepts"] = ["default-deny"]
    if draw(st.booleans()):
        lines.append(f"{pad}# a comment between keys")
    more, data["question"] = scalar(draw, "question", col, prose=True)
    lines += more
    lines.append(f"{pad}choices:")
    data["choices"] = []
    c_dash = col + offset
    for n in range(draw(st.integers(2, 3))):
        text_lines, text = scalar(draw, "text", c_dash + 2, prose=False, last=f"n{n}")
        text_lines[0] = " " * c_dash + "- " + text_lines[0][c_dash + 2:]
        choice: dict[str, Any] = {"text": text}
        lines += text_lines
        if n == 0:
            lines.append(" " * (c_dash + 2) + "correct: true")
            choice["correct"] = True
        elif draw(st.booleans()):
            why_lines, choice["why"] = scalar(draw, "why", c_dash + 2, prose=True)
            lines += why_lines
        data["choices"].append(choice)
    if draw(st.booleans()):
        lines.append(f"{pad}difficulty: easy")
        data["difficulty"] = "easy"
    more, data["explanation"] = scalar(draw, "explanation", col, prose=True)
    lines += more
    return lines, data


@st.composite
def bank_file(draw: st.DrawFn) -> tuple[list[str], list[list[str]], list[str], list[dict], str]:
    dash = draw(st.sampled_from([0, 2, 4]))
    offset = draw(st.sampled_from([0, 2]))
    head = ["# a file written by hand", "topic: network-policies", "questions:"]
    if draw(st.booleans()):
        head.append("# the questions")
    blocks, datas, seps = [], [], []
    for n in range(draw(st.integers(2, 3))):
        lines, data = draw(question(f"gen-q{n}", dash, offset))
        blocks.append(lines)
        datas.append(data)
        seps.append(draw(st.sampled_from([[], [""], ["# between"], [" " * dash + "# here"],
                                          ["", "# after a blank"]])))
    tail = draw(st.sampled_from([[], ["# the end"], [" " * dash + "# indented end"]]))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    return head, blocks, seps + [tail], datas, nl


EDITS = ["difficulty", "question", "why", "explanation", "add-choice", "drop-choice",
         "tags", "shuffle"]


def edit(data: dict[str, Any], what: str) -> dict[str, Any]:
    new = {**data, "choices": [dict(c) for c in data["choices"]]}
    if what == "difficulty":
        new["difficulty"] = "hard"
    elif what == "question":
        new["question"] = "Which pods does the new policy select now?\n"
    elif what == "why":
        new["choices"][1]["why"] = "Because the selector is empty.\n"
    elif what == "explanation":
        new["explanation"] = "A new explanation.\nOn two lines.\n"
    elif what == "add-choice":
        new["choices"].append({"text": "A brand new choice", "why": "It is new.\n"})
    elif what == "drop-choice" and len(new["choices"]) > 2:
        new["choices"].pop()
    elif what == "tags":
        new["tags"] = ["kcsa", "generated"]
    else:
        new["shuffle"] = False
    return new


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(case=bank_file(), which=st.integers(0, 2), what=st.sampled_from(EDITS),
       final_newline=st.booleans())
def test_an_edit_keeps_every_byte_outside_the_question(tmp_path_factory: Any, case: Any,
                                                       which: int, what: str,
                                                       final_newline: bool) -> None:
    head, blocks, seps, datas, nl = case
    which %= len(blocks)
    root = tmp_path_factory.mktemp("bank")
    shutil.copy(WRITER / "bank" / "concepts.yaml", root / "concepts.yaml")
    before_lines = list(head)
    for n in range(which):
        before_lines += blocks[n] + seps[n]
    after_lines = list(seps[which])
    for n in range(which + 1, len(blocks)):
        after_lines += blocks[n] + seps[n]
    after_lines += seps[-1]
    prefix = nl.join(before_lines) + nl
    block_text = nl.join(blocks[which])
    text = nl.join([*before_lines, *blocks[which], *after_lines])
    if final_newline or text.endswith(":"):
        text += nl
    suffix = text[len(prefix) + len(block_text):]  # the question's last line break on
    if blocks[which][-1] == "":  # a keep (|+) scalar last: the blank lines after are its own
        suffix = suffix.lstrip("\r\n")
    path = root / "gen.yaml"
    path.write_bytes(text.encode())
    loaded = yaml.safe_load(text)["questions"]
    # the generator wrote what it meant to (a block scalar that ends the file without a line
    # break ends without one too)
    assert [{**q, "explanation": q["explanation"].rstrip("\n")} for q in loaded] == [
        {**q, "explanation": q["explanation"].rstrip("\n")} for q in datas]
    datas = loaded
    data, stamp, found = read_question(root, f"gen-q{which}")
    assert found == path and data == datas[which]
    new = edit(data, what)
    edit_question(root, f"gen-q{which}", new, expected=stamp, with_banks=[root])
    out = path.read_bytes().decode()
    assert out.startswith(prefix) and out.endswith(suffix)
    reread = yaml.safe_load(out)["questions"]
    assert reread[:which] + reread[which + 1:] == datas[:which] + datas[which + 1:]
    assert {k: v for k, v in reread[which].items()} == {
        k: v for k, v in new.items() if not (k == "shuffle" and v is True)}
    block = out[len(prefix):len(out) - len(suffix) or None]
    for key, lines in _field_lines(blocks[which]).items():
        if data.get(key) == new.get(key):  # an unchanged field: its lines as written
            assert nl.join(lines) in block, key


def _field_lines(block: list[str]) -> dict[str, list[str]]:
    """The question's top-level fields' lines (id's line aside)."""
    col = len(block[0]) - len(block[0].lstrip(" -"))
    fields: dict[str, list[str]] = {}
    current = None
    for line in block[1:]:
        stripped = line[col:]
        if line.startswith(" " * col) and stripped[:1].isalpha() and ":" in stripped:
            current = stripped.split(":", 1)[0]
            fields[current] = [line]
        elif current is not None and not line.lstrip().startswith("#"):
            fields[current].append(line)
    return fields


def test_a_symlinked_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shutil.copytree(WRITER / "bank", shared)
    root = tmp_path / "bank"
    root.mkdir()
    (root / "concepts.yaml").symlink_to(shared / "concepts.yaml")
    link = root / "encryption.yaml"
    link.symlink_to(shared / "encryption.yaml")
    data, stamp, found = read_question(root, "enc-mtls-hop")
    data["difficulty"] = "hard"
    edit_question(root, "enc-mtls-hop", data, expected=stamp, with_banks=[root])
    assert link.is_symlink() and os.readlink(link) == str(shared / "encryption.yaml")
    written = yaml.safe_load((shared / "encryption.yaml").read_text())["questions"]
    assert [q.get("difficulty") for q in written if q["id"] == "enc-mtls-hop"] == ["hard"]
    assert sorted(p.name for p in shared.iterdir()) == sorted(
        p.name for p in (WRITER / "bank").iterdir())  # no temporary or lock file left behind

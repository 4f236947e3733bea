"""Text from outside made safe to print: every control character shown as an escape."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quiz.textsafe import has_control, printable

UNSAFE = {*map(chr, range(0x20)), *map(chr, range(0x7f, 0xa0)), *map(chr, range(0x202a, 0x202f)),
          *map(chr, range(0x2066, 0x206a)), *map(chr, range(0xd800, 0xe000))}
LINES = {"\t", "\n"}


def escaped(text: str, keep_lines: bool) -> str:
    """What printable must give, character by character."""
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\e"}
    out = []
    for c in text:
        if c not in UNSAFE or (keep_lines and c in LINES):
            out.append(c)
        elif c in named:
            out.append(named[c])
        else:
            out.append(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
    return "".join(out)


texts = st.text(st.characters(max_codepoint=0x3000) | st.sampled_from(sorted(UNSAFE)))


@given(text=texts, keep_lines=st.booleans())
def test_printable_escapes_every_control_character_and_nothing_else(text: str,
                                                                     keep_lines: bool) -> None:
    assert printable(text, keep_lines=keep_lines) == escaped(text, keep_lines)
    assert has_control(text) == any(c in UNSAFE and c not in LINES for c in text)


def test_plain_ascii_comes_back_as_it_is() -> None:
    plain = "np-deny-all-scope: a title (~/x.yaml)"
    assert printable(plain) == plain
    assert printable("\x1b]52;c;x\x07") == "\\e]52;c;x\\x07"
    assert printable("a\tb\nc", keep_lines=True) == "a\tb\nc"
    assert printable("a\tb\nc") == "a\\tb\\nc"
    assert printable("caf\u00e9 \u202eevil") == "caf\u00e9 \\u202eevil"

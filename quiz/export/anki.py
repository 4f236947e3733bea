"""The bank as an Anki deck (``quiz export anki``): one note per question, written with genanki.

Re-exporting updates what an earlier import brought in rather than adding copies: each note's
GUID comes from its question id, and the note type and deck have ids of their own that never
change, so Anki matches them (it updates a note whose export is newer than its copy). Every
piece of bank text is HTML-escaped (``quiz.export.html``): bank text is literal everywhere.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

from quiz import __version__
from quiz.export import html
from quiz.textsafe import printable, quote

# Fixed forever: Anki knows the note type and the deck by these ids (genanki's advice: a random
# number in [2**30, 2**31), chosen once).
MODEL_ID = 1_483_201_771
DECK_ID = 1_796_533_027
MODEL_NAME = "quiz question (KCSA)"
DECK_NAME = "quiz: Kubernetes networking security (KCSA)"
GUID_NAMESPACE = "quiz"  # a note's GUID is genanki.guid_for(GUID_NAMESPACE, question id)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

FIELDS = ["Id", "Topic", "Question", "Choices", "Answer", "Why", "Explanation", "Concepts"]

FRONT = """\
<div class="topic">{{Topic}}</div>
<div class="stem">{{Question}}</div>
<div class="choices">{{Choices}}</div>
"""
BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="label">Answer</div>
<div class="key">{{Answer}}</div>
{{#Why}}<div class="label">Each choice</div><div class="whys">{{Why}}</div>{{/Why}}
<div class="label">Explanation</div>
<div class="explanation">{{Explanation}}</div>
{{#Concepts}}<div class="label">Concepts</div><div class="concepts">{{Concepts}}</div>{{/Concepts}}
<div class="qid">{{Id}}</div>
"""
CSS = """\
.card { font-family: sans-serif; font-size: 18px; text-align: left; color: #1d1d1f;
        background: #ffffff; line-height: 1.4; }
.topic, .qid { font-size: 13px; color: #6e6e73; }
.label { font-size: 13px; color: #6e6e73; text-transform: uppercase; margin-top: 1em; }
.letter { display: inline-block; min-width: 1.4em; font-weight: bold; }
.pick { font-style: italic; color: #6e6e73; }
.choice, .why { margin: 0.3em 0; }
.right .letter { color: #1a7f37; }
.wrong .letter { color: #b3261e; }
.key { font-weight: bold; }
.concept { border-left: 3px solid #0969da; padding-left: 0.6em; margin: 0.8em 0; }
.concept-title { font-weight: bold; }
.code pre { padding: 0.5em; overflow-x: auto; font-size: 14px; }
code { font-size: 0.9em; background: #f0f0f0; padding: 0 0.2em; }
.card.nightMode, .night_mode .card { color: #e8e8e8; background: #1e1e1e; }
"""


class ExportError(Exception):
    """The deck could not be written; the message is one line naming the place."""


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    path: Path
    notes: int


def select(bank: Any, topic: str | None = None, tag: str | None = None) -> list[Any]:
    """The bank's questions of ``topic`` with ``tag`` (either or both may be None), in bank
    order; an unknown topic or tag is an ExportError that lists the known ones."""
    if topic is not None and topic not in bank.topics:
        raise ExportError(f"no topic {quote(topic)}; the topics are: "
                          f"{', '.join(sorted(bank.topics))}")
    if tag is not None and not any(tag in q.tags for q in bank.questions.values()):
        known = sorted({t for q in bank.questions.values() for t in q.tags})
        raise ExportError(f"no question is tagged {quote(tag)}; the tags are: "
                          f"{', '.join(known) or '(none)'}")
    chosen = [q for q in bank.questions.values()
              if (topic is None or q.topic == topic) and (tag is None or tag in q.tags)]
    if not chosen:
        raise ExportError(f"no question of topic {quote(str(topic))} is tagged "
                          f"{quote(str(tag))}: nothing to export")
    return chosen


def note_fields(bank: Any, question: Any) -> list[str]:
    """The note's fields (``FIELDS``' order) for one question: HTML, all bank text escaped."""
    topic = bank.topics.get(question.topic)
    correct = question.correct_indices
    picks = len(correct)
    pick = "Pick one." if picks == 1 else f"Pick {picks} (select all that apply)."
    choices = "".join(
        f'<div class="choice"><span class="letter">{LETTERS[i]}</span> '
        f"{html.inline(choice.text)}</div>"
        for i, choice in enumerate(question.choices))
    answer = "".join(
        f'<div class="choice"><span class="letter">{LETTERS[i]}</span> '
        f"{html.inline(question.choices[i].text)}</div>" for i in sorted(correct))
    whys = "".join(
        f'<div class="why {"right" if i in correct else "wrong"}">'
        f'<span class="letter">{LETTERS[i]}</span> {"✓" if i in correct else "✗"} '
        f"{html.inline(' '.join(choice.why.split())) if choice.why else ''}</div>"
        for i, choice in enumerate(question.choices))
    return [
        html.text(question.id),
        html.text(topic.title if topic else question.topic),
        html.markdown(question.question),
        f'<div class="pick">{pick}</div>{choices}',
        answer,
        whys,
        html.markdown(question.explanation),
        "".join(_concept_card(c) for c in bank.concepts_of(question)),
    ]


def _concept_card(concept: Any) -> str:
    caveat = (f'<div class="caveat"><b>Caveat</b>{html.markdown(concept.caveat)}</div>'
              if concept.caveat else "")
    docs = ("<ul class=\"docs\">" + "".join(f"<li>{html.link(url)}</li>" for url in concept.docs)
            + "</ul>") if concept.docs else ""
    return (f'<div class="concept"><div class="concept-title">{html.text(concept.title)}</div>'
            f"{html.markdown(concept.summary)}{caveat}{docs}</div>")


def note_tags(question: Any) -> list[str]:
    """Anki tags: the topic (``topic::<id>``), the difficulty, and the question's own tags
    (slugs, so no space that Anki would split on)."""
    tags = [f"topic::{question.topic}"]
    if question.difficulty:
        tags.append(f"difficulty::{question.difficulty}")
    return tags + ["_".join(t.split()) for t in question.tags]


def build_deck(bank: Any, questions: list[Any]) -> Any:
    """A genanki deck holding one note per question, of our own note type."""
    import genanki

    model = genanki.Model(
        MODEL_ID, MODEL_NAME, fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Question", "qfmt": FRONT, "afmt": BACK}], css=CSS)
    deck = genanki.Deck(DECK_ID, DECK_NAME,
                        description=f"Questions from the quiz {__version__} banks; re-export "
                        "to update them.")
    deck.add_model(model)
    for question in questions:
        deck.add_note(genanki.Note(model=model, fields=note_fields(bank, question),
                                   tags=note_tags(question),
                                   guid=genanki.guid_for(GUID_NAMESPACE, question.id)))
    return deck


def export_anki(bank: Any, path: Path, *, topic: str | None = None, tag: str | None = None,
                timestamp: float | None = None) -> Exported:
    """Write the selected questions to ``path`` (an .apkg), replacing it whole or not at all.

    ``timestamp`` (seconds since the epoch, default now) is the notes' modification time:
    Anki updates a note it has when the imported one is newer.
    """
    target = writable_target(path)
    questions = select(bank, topic, tag)
    import genanki

    package = genanki.Package(build_deck(bank, questions))
    when = time.time() if timestamp is None else timestamp
    _write_package(package, target, when, shown=str(path))
    return Exported(path=path, notes=len(questions))


def writable_target(path: Path) -> Path:
    """The file an export to ``path`` writes (a symbolic link's target), or an ExportError
    saying in one line why it cannot be written."""
    shown = printable(str(path))
    target = path
    try:
        # A name too long for the system, or links that loop (RuntimeError before Python 3.13):
        # one line, not a traceback.
        target = path.resolve() if path.is_symlink() else path
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise ExportError(f"cannot write {shown}: {printable(exc.strerror or str(exc))}") from exc
    except RuntimeError as exc:
        raise ExportError(f"cannot write {shown}: symbolic links in a loop") from exc
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportError(f"{shown} is a directory: give the deck's file name, "
                          "e.g. kcsa.apkg")
    if mode is not None and not stat.S_ISREG(mode):
        raise ExportError(f"{shown} is not a regular file: give the deck's file name, "
                          "e.g. kcsa.apkg")
    if path.suffix.lower() != ".apkg":
        raise ExportError(f"{shown}: an Anki deck file's name ends in .apkg "
                          "(Anki imports it by that name)")
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"cannot write {shown}: there is no directory "
                          f"{printable(str(folder))}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {shown}: the directory {printable(str(folder))} "
                          "is read-only")
    return target


def _write_package(package: Any, target: Path, timestamp: float, shown: str) -> None:
    """genanki's ``Package.write_to_file``, but its collection database removed afterwards
    and the .apkg built beside the target and renamed over it: no half-written deck."""
    partial: str | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="quiz-anki-") as scratch:
            collection = os.path.join(scratch, "collection.anki2")
            connection = sqlite3.connect(collection)
            try:
                package.write_to_db(connection.cursor(), timestamp,
                                    count(int(timestamp * 1000)))
                connection.commit()
            finally:
                connection.close()
            handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                               dir=target.parent)
            with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
                archive.write(collection, "collection.anki2")
                archive.writestr("media", "{}")
            if target.exists():
                os.chmod(partial, stat.S_IMODE(target.stat().st_mode))
            else:
                os.chmod(partial, 0o666 & ~_umask())
            os.replace(partial, target)
            partial = None
    except OSError as exc:
        raise ExportError(f"cannot write {printable(shown)}: "
                          f"{printable(exc.strerror or str(exc))}") from exc
    finally:
        if partial is not None:
            with contextlib.suppress(OSError):
                os.unlink(partial)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

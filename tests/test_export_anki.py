"""`quiz export anki`: the deck is read back by Anki's own library (`anki` on PyPI) into a fresh
collection, as a learner's Anki would import it; a second export after an edit updates the
notes instead of adding copies. Bank text stays literal: it reaches Anki escaped."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz import cli
from quiz.bank import load_bank
from quiz.export import html
from quiz.export.anki import (
    DECK_NAME,
    FIELDS,
    MODEL_NAME,
    ExportError,
    export_anki,
    note_fields,
    writable_target,
)

CONCEPTS = """\
sources:
  - {id: np, title: Network policies}
topics:
  - {id: network-policies, title: NetworkPolicy & friends}
  - {id: encryption, title: Encryption in transit}
concepts:
  - id: default-deny
    topic: network-policies
    title: Default-deny <policies>
    summary: An empty `podSelector` isolates **every** pod.
    source: np
    docs:
      - https://kubernetes.io/docs/concepts/services-networking/network-policies/
    caveat: Only where the network plugin enforces it.
  - id: mesh-mtls
    topic: encryption
    title: Mutual TLS
    summary: Both ends present certificates.
    source: np
"""
POLICIES = """\
topic: network-policies
questions:
  - id: np-deny-all
    concepts: [default-deny]
    difficulty: medium
    tags: [kcsa, manifest]
    question: |
      What does this policy do? <script>alert(1)</script> [bold]not markup[/bold]
      ```yaml
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: deny, namespace: shop}
      spec: {podSelector: {}, policyTypes: [Ingress]}
      ```
    shuffle: false
    choices:
      - text: It isolates every pod in `shop` for ingress
        correct: true
        why: The empty selector selects all pods & the type is Ingress.
      - text: It isolates nothing
        why: An empty selector is not "no pods".
    explanation: Ingress to every pod in `shop` is denied.
  - id: np-facts
    concepts: [default-deny]
    tags: [kcsa]
    question: Which are true?
    choices:
      - text: Policies are namespaced
        correct: true
      - text: Policies are additive
        correct: true
      - text: A deny rule exists
        why: NetworkPolicy only allows.
    explanation: They are namespaced and additive.
"""
ENCRYPTION = """\
topic: encryption
questions:
  - id: enc-mutual
    concepts: [mesh-mtls]
    question: What makes mesh TLS mutual?
    choices:
      - text: Both sides present a certificate
        correct: true
      - text: The traffic is encrypted twice
    explanation: Each end authenticates the other.
"""


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "concepts.yaml").write_text(CONCEPTS)
    (bank / "network-policies.yaml").write_text(POLICIES)
    (bank / "encryption.yaml").write_text(ENCRYPTION)
    return bank


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[object]:
    """A fresh, empty Anki collection (Anki's own library)."""
    from anki.collection import Collection

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def import_into(col: object, deck: Path) -> tuple[int, int]:
    """Import ``deck`` as Anki's File > Import does; (notes added, notes updated)."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    response = col.import_anki_package(ImportAnkiPackageRequest(  # type: ignore[attr-defined]
        package_path=str(deck), options=ImportAnkiPackageOptions(with_scheduling=False)))
    return len(response.log.new), len(response.log.updated)


def notes_by_id(col: object) -> dict[str, object]:
    return {col.get_note(nid)["Id"]: col.get_note(nid)  # type: ignore[attr-defined]
            for nid in col.find_notes("")}  # type: ignore[attr-defined]


def test_the_deck_imports_into_anki_one_note_per_question(bank_dir: Path, tmp_path: Path,
                                                          collection: object) -> None:
    deck = tmp_path / "kcsa.apkg"
    done = export_anki(load_bank([bank_dir]), deck, timestamp=1_800_000_000)
    assert done.notes == 3
    assert import_into(collection, deck) == (3, 0)
    notes = notes_by_id(collection)
    assert sorted(notes) == ["enc-mutual", "np-deny-all", "np-facts"]
    note = notes["np-deny-all"]
    assert note.note_type()["name"] == MODEL_NAME  # type: ignore[attr-defined]
    assert list(note.keys()) == FIELDS  # type: ignore[attr-defined]
    assert sorted(note.tags) == ["difficulty::medium", "kcsa", "manifest",  # type: ignore[attr-defined]
                                 "topic::network-policies"]
    assert sorted(notes["enc-mutual"].tags) == ["topic::encryption"]  # type: ignore[attr-defined]
    assert [name for name in collection.decks.all_names()  # type: ignore[attr-defined]
            if name != "Default"] == [DECK_NAME]

    stem = note["Question"]  # type: ignore[index]
    # Bank text is literal: the script and the brackets arrive as text, not as HTML or markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [bold]not markup[/bold]" in stem
    assert "<script" not in stem
    # The manifest is highlighted (inline styles: no style sheet of ours travels with it).
    assert '<span style="' in stem and "NetworkPolicy" in stem and "```" not in stem
    choices = note["Choices"]  # type: ignore[index]
    assert "Pick one." in choices
    assert '<span class="letter">A</span> It isolates every pod in <code>shop</code>' in choices
    assert '<span class="letter">B</span> It isolates nothing' in choices
    answer = note["Answer"]  # type: ignore[index]
    assert '<span class="letter">A</span>' in answer and "It isolates nothing" not in answer
    why = note["Why"]  # type: ignore[index]
    assert "all pods &amp; the type is Ingress." in why
    assert "An empty selector is not &quot;no pods&quot;." in why
    assert "Ingress to every pod in <code>shop</code> is denied." in note["Explanation"]  # type: ignore[index]
    concepts = note["Concepts"]  # type: ignore[index]
    assert "Default-deny &lt;policies&gt;" in concepts
    assert "<b>every</b>" in concepts and "Only where the network plugin enforces it." in concepts
    assert ('<a href="https://kubernetes.io/docs/concepts/services-networking/network-policies/">'
            in concepts)
    assert "NetworkPolicy &amp; friends" in note["Topic"]  # type: ignore[index]
    facts = notes["np-facts"]
    assert "Pick 2 (select all that apply)." in facts["Choices"]  # type: ignore[index]
    assert facts["Answer"].count('class="letter"') == 2  # type: ignore[index]


def test_exporting_again_after_an_edit_updates_the_notes(bank_dir: Path, tmp_path: Path,
                                                         collection: object) -> None:
    deck = tmp_path / "kcsa.apkg"
    export_anki(load_bank([bank_dir]), deck, timestamp=1_800_000_000)
    assert import_into(collection, deck) == (3, 0)
    # The learner studies a card in Anki: the update must keep that review.
    collection.decks.select(collection.decks.id_for_name(DECK_NAME))  # type: ignore[attr-defined]
    studied = collection.sched.getCard()  # type: ignore[attr-defined]
    collection.sched.answerCard(studied, 3)  # type: ignore[attr-defined]
    questions = bank_dir / "network-policies.yaml"
    questions.write_text(questions.read_text().replace(
        "They are namespaced and additive.", "Both (namespaced, and additive across policies)."))
    # A later export (Anki updates a note when the file's copy is newer than its own).
    export_anki(load_bank([bank_dir]), deck, timestamp=1_800_000_100)
    added, updated = import_into(collection, deck)
    assert added == 0 and updated >= 1
    notes = notes_by_id(collection)
    assert len(notes) == 3  # the same notes, no copies
    assert "Both (namespaced, and additive across policies)." in \
        notes["np-facts"]["Explanation"]  # type: ignore[index]
    assert "They are namespaced and additive." not in \
        notes["np-facts"]["Explanation"]  # type: ignore[index]
    assert collection.get_card(studied.id).reps == 1  # type: ignore[attr-defined]


def test_topic_and_tag_choose_the_questions(bank_dir: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture,
                                            collection: object) -> None:
    deck = tmp_path / "policies.apkg"
    assert run_main(["export", "anki", str(deck), "--bank", str(bank_dir),
                     "--topic", "network-policies", "--tag", "manifest"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote 1 note to {deck}")
    assert import_into(collection, deck) == (1, 0)
    assert list(notes_by_id(collection)) == ["np-deny-all"]


@pytest.mark.parametrize(("flags", "message"), [
    (["--topic", "nope"], "quiz: no topic 'nope'; the topics are: encryption, network-policies"),
    (["--tag", "nope"], "quiz: no question is tagged 'nope'; the tags are: kcsa, manifest"),
    (["--tag", "\x1b[31mred"],  # shown once escaped, not as the doubled "\\e" of repr()
     "quiz: no question is tagged '\\x1b[31mred'; the tags are: kcsa, manifest"),
    (["--topic", "encryption", "--tag", "kcsa"],
     "quiz: no question of topic 'encryption' is tagged 'kcsa': nothing to export"),
])
def test_an_unknown_topic_or_tag_is_one_line(bank_dir: Path, tmp_path: Path, flags: list[str],
                                             message: str,
                                             capsys: pytest.CaptureFixture) -> None:
    deck = tmp_path / "x.apkg"
    assert run_main(["--bank", str(bank_dir), "export", "anki", str(deck), *flags]) == 1
    assert capsys.readouterr().err == message + "\n"
    assert not deck.exists()


def test_paths_that_cannot_take_a_deck_are_one_line(bank_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "decks.apkg"
    folder.mkdir()
    fifo = tmp_path / "fifo.apkg"
    os.mkfifo(fifo)
    cases = {
        folder: f"quiz: {folder} is a directory: give the deck's file name, e.g. kcsa.apkg",
        fifo: f"quiz: {fifo} is not a regular file: give the deck's file name, e.g. kcsa.apkg",
        tmp_path / "none" / "x.apkg":
            f"quiz: cannot write {tmp_path / 'none' / 'x.apkg'}: there is no directory "
            f"{tmp_path / 'none'}",
        tmp_path / "deck.txt":
            f"quiz: {tmp_path / 'deck.txt'}: an Anki deck file's name ends in .apkg "
            "(Anki imports it by that name)",
    }
    for path, message in cases.items():
        assert run_main(["export", "anki", str(path), "--bank", str(bank_dir)]) == 1
        assert capsys.readouterr().err == message + "\n"
    assert not (tmp_path / "deck.txt").exists()


def test_a_failed_write_leaves_the_old_deck_whole(bank_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    deck = tmp_path / "kcsa.apkg"
    export_anki(load_bank([bank_dir]), deck, timestamp=1_800_000_000)
    before = deck.read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full_disk)
    with pytest.raises(ExportError, match=r"^cannot write .*kcsa.apkg: No space left on device$"):
        export_anki(load_bank([bank_dir]), deck, timestamp=1_800_000_100)
    assert deck.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bank", "kcsa.apkg"]  # no leftovers


def test_a_name_too_long_or_links_in_a_loop_are_one_line(bank_dir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    long_name = tmp_path / ("a" * 5000 + ".apkg")
    loop = tmp_path / "loop.apkg"
    other = tmp_path / "other.apkg"
    loop.symlink_to(other)
    other.symlink_to(loop)
    for path in (long_name, loop):
        assert run_main(["export", "anki", str(path), "--bank", str(bank_dir)]) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"quiz: cannot write {path}: ")
        assert err.count("\n") == 1 and "Traceback" not in err
    assert other.is_symlink() and loop.is_symlink()  # the links are left as they were


def test_a_link_is_followed_to_its_file(tmp_path: Path) -> None:
    real = tmp_path / "real.apkg"
    link = tmp_path / "link.apkg"
    link.symlink_to(real)
    assert writable_target(link) == real


def test_bank_markdown_becomes_escaped_html() -> None:
    assert html.inline("a < b & `x<y>` **c** *d*") == \
        "a &lt; b &amp; <code>x&lt;y&gt;</code> <b>c</b> <i>d</i>"
    assert html.markdown("one\ntwo\n\n- a\n- b") == "<p>one two</p>\n<p>- a<br>- b</p>"
    code = html.markdown("```yaml\nkey: <value>\n```")
    assert "&lt;value&gt;" in code and "<value>" not in code and '<span style="' in code
    assert "&lt;" in html.code_block("<x>", "no-such-language")
    assert html.link("javascript:alert(1)") == "javascript:alert(1)"
    assert html.text("\x1b[2J") == "\\e[2J"  # a control character shown, never sent


def test_the_bundled_bank_exports_whole(tmp_path: Path) -> None:
    from quiz.paths import default_banks

    bank = load_bank(default_banks())
    for question in bank.questions.values():
        fields = note_fields(bank, question)
        assert len(fields) == len(FIELDS) and all(fields[:5]), question.id
    # genanki warns of a field whose tags look unescaped; warnings are errors in the tests.
    done = export_anki(bank, tmp_path / "all.apkg")
    assert done.notes == len(bank.questions)


def run_main(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


def test_exporting_imports_no_textual_and_opens_no_database(bank_dir: Path,
                                                             tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    probe = ("import sys\nfrom quiz.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
             "print(__import__('json').dumps([code, sorted({m.split('.')[0] for m in sys.modules"
             " if m.split('.')[0] in ('textual', 'rich', 'sqlalchemy', 'sqlmodel')})]))")
    db = tmp_path / "progress.db"
    done = subprocess.run([sys.executable, "-c", probe, "export", "anki", str(tmp_path / "k.apkg"),
                           "--bank", str(bank_dir), "--db", str(db)],
                          capture_output=True, text=True, timeout=60)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, []], done.stderr
    assert not db.exists()

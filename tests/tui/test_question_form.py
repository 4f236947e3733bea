"""The add / edit question form, driven by Pilot: what it writes on disk and what the app's bank
then holds (the writer's own byte-level guarantees are tested in tests/bank/test_writer.py)."""

from __future__ import annotations

import inspect
import os
import random
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Markdown, Select, SelectionList, Static, TextArea

from quiz.bank import check_bank, load_bank
from quiz.cli import cli
from quiz.store import Store
from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.browse import BrowseScreen
from quiz.tui.screens.form_modals import ConflictModal
from quiz.tui.screens.home import HomeScreen
from quiz.tui.screens.question_form import CHECK_DELAY, QuestionFormScreen
from tests.conftest import Clock
from tests.tui.conftest import SIZE, TUI_BANK, AppFactory, screen_text

WRITER_BANK = Path(__file__).parent.parent / "data" / "writer" / "bank"
STEM = "Who shows a cert in mesh mTLS?"


def form_of(app: QuizApp) -> QuestionFormScreen:
    screen = app.screen
    assert isinstance(screen, QuestionFormScreen)
    return screen


async def fill(pilot: Pilot, *, stem: str, choices: list[tuple[str, bool, str]],
               explanation: str, concepts: list[str], tags: str = "") -> None:
    """Fill the form's fields (the keys-only test types them instead)."""
    form = form_of(pilot.app)  # type: ignore[arg-type]
    for _ in range(200):  # as a person sees it: the lower fields come just after its first frame
        if form.complete:
            break
        await pilot.pause(0.01)
    listing = form.query_one("#form-concepts", SelectionList)
    for concept in concepts:
        listing.select(concept)
    form.query_one("#form-stem", TextArea).text = stem
    while len(form.choice_editors()) < len(choices):
        await form.action_add_choice()
    for editor, (text, correct, why) in zip(form.choice_editors(), choices, strict=False):
        editor.query_one(".choice-text", TextArea).text = text
        editor.query_one(".choice-why", TextArea).text = why
        editor.query_one(".choice-correct").value = correct  # type: ignore[attr-defined]
    form.query_one("#form-explanation", TextArea).text = explanation
    form.query_one("#form-tags", Input).value = tags
    await checked(pilot)


async def checked(pilot: Pilot) -> None:
    """Wait for the live check (it runs once the typing has paused, in a thread)."""
    form = form_of(pilot.app)  # type: ignore[arg-type]
    # Waited for, not timed: on a loaded machine the form's lower fields (mounted after its
    # first frame) and the check's thread can take many times the check delay.
    for _ in range(400):
        await pilot.pause(CHECK_DELAY / 3)
        if not form.check_pending and not [
                w for w in pilot.app.workers if w.group == "check" and w.is_running]:
            break
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def save(pilot: Pilot) -> None:
    await pilot.press("f2")
    await pilot.pause()


async def test_a_single_answer_question_typed_with_keys_only(make: AppFactory, store: Store,
                                                            tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    app = make(user_bank=mine)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("down")  # the second topic: encryption
        await pilot.press("a")
        await pilot.pause()
        form = form_of(app)
        assert form.topic == "encryption" and isinstance(app.focused, SelectionList)
        await pilot.press("space", "tab")  # tick the topic's first concept: mesh-mtls
        await pilot.press(*STEM, "tab")
        await pilot.press("space", "tab", *"Both", "tab", *"Mutual.")
        await pilot.press("tab", "tab", *"Server", "tab", *"Plain TLS.")
        # two choices are enough: F4 removes the one the cursor is in
        await pilot.press("tab", "f4", "f4")
        assert len(form.choice_editors()) == 2
        # explanation, then past the scenario and its broken-manifest box to the tags
        await pilot.press("tab", "tab", "tab", *"Both ends.", "tab", "tab", "tab", *"kcsa",
                          "tab")
        await checked(pilot)
        qid = form.query_one("#form-id", Input).value
        assert qid == "enc-shows-cert-mesh-mtls"  # the topic's prefix, the stem's words
        assert "ready to save" in screen_text(app)
        await save(pilot)
        assert isinstance(app.screen, HomeScreen)
        path = mine / "encryption.yaml"
        data = yaml.safe_load(path.read_text())
        assert data["topic"] == "encryption"
        (written,) = data["questions"]
        assert written["id"] == qid and written["concepts"] == ["mesh-mtls"]
        assert written["tags"] == ["kcsa"]
        assert [c.get("correct", False) for c in written["choices"]] == [True, False]
        assert written["choices"][1] == {"text": "Server", "why": "Plain TLS.\n"}
        # at once in the app's bank (the user bank added to the bank list) and the store's
        assert app.bank.questions[qid].topic == "encryption"
        assert [p.resolve() for p in app.bank_paths] == [TUI_BANK.resolve(), mine.resolve()]
        assert "4 questions" in screen_text(app)


async def test_a_multi_select_question_goes_to_the_topics_file(make: AppFactory,
                                                               tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    app = make(start="add", topic="network-policies", user_bank=mine)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, stem="Which fields can an ingress rule's `from` list?",
                   choices=[("podSelector", True, "Pods in the policy's namespace."),
                            ("namespaceSelector", True, "Pods in matching namespaces."),
                            ("serviceSelector", False, "There is no such peer.")],
                   explanation="Peers are pods, namespaces or IP blocks.",
                   concepts=["policy-selectors"], tags="kcsa, manifest")
        form = form_of(app)
        qid = form.query_one("#form-id", Input).value
        await save(pilot)
        assert isinstance(app.screen, HomeScreen)
        question = app.bank.questions[qid]
        assert question.is_multi and question.correct_indices == frozenset({0, 1})
        assert len(question.choices) == 3  # the form's fourth row, left blank, is left out
        assert question.tags == ["kcsa", "manifest"]
        text = (mine / "network-policies.yaml").read_text()
        assert "      - text: serviceSelector\n        why: |\n" in text
        bank, problems = check_bank([TUI_BANK, mine])
        assert bank is not None and not [p for p in problems if p.severity == "error"]


async def test_a_form_without_a_correct_choice_is_refused_and_nothing_is_written(
        make: AppFactory, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    app = make(start="add", topic="encryption", user_bank=mine)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, stem=STEM, choices=[("Both sides", False, "x"),
                                              ("Only the server", False, "y")],
                   explanation="Each end proves its identity.", concepts=["mesh-mtls"])
        await save(pilot)
        form = form_of(app)  # still open
        problems = form.query_one("#choices-problems")
        assert problems.display and "no choice is marked correct" in str(problems.render())
        assert [p.path for p in form.problems if p.severity == "error"] == [("choices",)]
        assert "1 error" in screen_text(app)
        assert not mine.exists()
        assert len(app.bank.questions) == 3


async def test_a_near_duplicate_stem_is_a_warning_that_does_not_stop_saving(
        make: AppFactory, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    app = make(start="add", topic="encryption", user_bank=mine)
    async with app.run_test(size=SIZE) as pilot:
        stem = app.bank.questions["enc-mtls-both-ends"].question
        await fill(pilot, stem=stem, choices=[("Yes", True, "It is."), ("No", False, "Not.")],
                   explanation="Both.", concepts=["mesh-mtls"])
        form = form_of(app)
        (warning,) = form.problems
        assert warning.severity == "warning" and warning.path == ("question",)
        assert "enc-mtls-both-ends" in str(form.query_one("#question-problems").render())
        await save(pilot)
        assert not isinstance(app.screen, QuestionFormScreen)
        assert (mine / "encryption.yaml").is_file()


def writer_app(root: Path, store: Store, clock: Clock) -> QuizApp:
    return make_app(load_bank([root]), store, now=clock, rng=random.Random(7))


async def test_edit_from_browse_keeps_every_byte_outside_the_question(
        tmp_path: Path, store: Store, clock: Clock) -> None:
    root = tmp_path / "bank"
    shutil.copytree(WRITER_BANK, root)
    path = root / "network-policies.yaml"
    old = path.read_text()
    start, end = old.index("- id: np-deny-all-egress"), old.index("\n# trailing comment")
    app = writer_app(root, store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        browse = app.screen
        assert isinstance(browse, BrowseScreen)
        await pilot.press("slash", *"blocks all egress", "enter")
        await pilot.pause()
        assert [row.id for row in browse.shown] == ["np-deny-all-egress"]
        await pilot.press("e")
        await pilot.pause()
        form = form_of(app)
        assert form.query_one("#form-id", Input).disabled  # the id never changes
        why = form.choice_editors()[1].query_one(".choice-why", TextArea)
        why.text = "It isolates ingress only."
        form.query_one("#form-difficulty", Select).value = "medium"
        await pilot.pause()
        await save(pilot)
        assert app.screen is browse
        new = path.read_text()
        assert new.startswith(old[:start]) and new.endswith(old[end:])
        edited = new[start:len(new) - len(old) + end]
        for comment in ("# keep this comment", "# a comment between keys", "# inline comment"):
            assert comment in edited
        assert "  difficulty: medium\n" in edited
        question = app.bank.questions["np-deny-all-egress"]
        assert question.choices[1].why == "It isolates ingress only.\n"
        assert question.choices[0].why == "Listing Egress with no rules allows nothing out.\n"
        assert browse.rows["np-deny-all-egress"].question is question  # browse reloaded
        # the other files of the bank are untouched
        for name in ("concepts.yaml", "encryption.yaml"):
            assert (root / name).read_bytes() == (WRITER_BANK / name).read_bytes()


async def test_a_file_changed_on_disk_is_reloaded_and_the_edit_applied_again(
        tmp_path: Path, store: Store, clock: Clock) -> None:
    root = tmp_path / "bank"
    shutil.copytree(WRITER_BANK, root)
    path = root / "network-policies.yaml"
    app = writer_app(root, store, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.open_edit("np-empty-selector")
        await pilot.pause()
        form = form_of(app)
        form.query_one("#form-explanation", TextArea).text = "It selects every pod."
        # someone else edits the file meanwhile
        path.write_text(path.read_text() + "# added by someone else\n")
        await save(pilot)
        assert isinstance(app.screen, ConflictModal)
        assert "changed on disk" in screen_text(app)
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, (ConflictModal, QuestionFormScreen))
        text = path.read_text()
        assert text.endswith("# added by someone else\n")
        assert app.bank.questions["np-empty-selector"].explanation == "It selects every pod.\n"


async def test_a_read_only_file_is_reported_and_the_form_stays(
        tmp_path: Path, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "bank"
    shutil.copytree(WRITER_BANK, root)
    path = root / "encryption.yaml"
    old = path.read_bytes()
    real = os.access  # as the system reports a read-only file (chmod does not stop root)
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != path and real(p, mode))
    app = writer_app(root, store, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.open_edit("enc-mtls-hop")
        await pilot.pause()
        form = form_of(app)
        form.query_one("#form-explanation", TextArea).text = "Proxy to proxy."
        await save(pilot)
        assert app.screen is form and path.read_bytes() == old
        assert any("encryption.yaml is read-only" in str(n.message)
                   for n in app._notifications)


async def test_a_user_bank_is_created_from_scratch_and_loaded_with_the_bundled_one(
        bank_fixture_paths: tuple[Path, Path], store: Store, clock: Clock) -> None:
    """As `quiz add --bank DIR` starts the app: DIR does not exist, so only the other banks
    are loaded; the first question creates DIR's catalog and DIR joins the bank list."""
    base, mine = bank_fixture_paths
    app = make_app(load_bank([base]), store, now=clock, rng=random.Random(7), start="add",
                   topic="network-policies", user_bank=mine, bank_paths=[base])
    async with app.run_test(size=SIZE) as pilot:
        assert "→" in screen_text(app) and "mine" in screen_text(app)
        await fill(pilot, stem="What does a policy with an empty podSelector select?",
                   choices=[("Every pod of its namespace", True, "Empty selects all."),
                            ("No pod", False, "Empty is not none.")],
                   explanation="An empty selector selects all pods.", concepts=["default-deny"])
        qid = form_of(app).query_one("#form-id", Input).value
        await save(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert (mine / "concepts.yaml").is_file() and (mine / "network-policies.yaml").is_file()
        assert app.bank.questions[qid].origin.endswith("network-policies.yaml")
        assert mine.resolve() in {Path(p).resolve() for p in app.bank_paths}
        assert store.orphaned_ids(app.bank) == []
        bank, problems = check_bank([base, mine])  # what `quiz validate` checks
        assert bank is not None and problems == []
        # browse finds it at once
        await pilot.press("b")
        await pilot.pause()
        assert qid in app.screen.rows  # type: ignore[attr-defined]


async def test_a_change_typed_before_the_lower_fields_are_mounted_still_asks(
        make: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lower fields wait for the first frame that reaches the terminal: a quick typist (or
    a loaded machine) can change the stem before; cancelling must still ask, not drop it."""
    held: list = []
    monkeypatch.setattr(QuizApp, "after_first_frame",
                        lambda self, callback, pump=None: held.append(callback))
    app = make(start="add", topic="encryption", user_bank=tmp_path / "mine")
    async with app.run_test(size=SIZE) as pilot:
        form = form_of(app)
        assert not form.complete and held  # the lower fields are not there yet
        form.query_one("#form-stem", TextArea).text = "Half a thought"
        await pilot.pause()
        assert form.changed
        for callback in held:  # the lower fields arrive after the change
            result = callback()
            if inspect.isawaitable(result):
                await result
        await pilot.pause()
        assert form.complete and form.changed
        await pilot.press("escape")
        await pilot.pause()
        assert "Discard the changes?" in screen_text(app)


@pytest.fixture
def bank_fixture_paths(tmp_path: Path) -> tuple[Path, Path]:
    """The TUI bank (copied) and a user bank directory that does not exist yet."""
    base = tmp_path / "base"
    shutil.copytree(TUI_BANK, base)
    return base, tmp_path / "mine"


async def test_cancelling_a_changed_form_asks_first(make: AppFactory, tmp_path: Path) -> None:
    app = make(start="add", topic="encryption", user_bank=tmp_path / "mine")
    async with app.run_test(size=SIZE) as pilot:
        form_of(app).query_one("#form-stem", TextArea).text = "Half a thought"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert "Discard the changes?" in screen_text(app)
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, QuestionFormScreen)
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert not (tmp_path / "mine").exists()


def test_quiz_add_without_a_bank_opens_the_form_on_the_user_bank(
        tmp_path: Path, opened: list[QuizApp]) -> None:
    from quiz import paths

    result = CliRunner().invoke(cli, ["add", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 0, result.output
    (app,) = opened
    assert app.start == "add" and app.user_bank == paths.user_bank()


def test_quiz_add_checks_the_topic_before_opening_the_form(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["add", "--bank", str(tmp_path / "mine"), "--topic",
                                      "nope", "--db", str(tmp_path / "p.db")])
    assert result.exit_code == 1 and "unknown topic 'nope'" in result.output
    assert not (tmp_path / "mine").exists()


async def test_claims_and_scenario_are_edited_with_live_checks(
        tmp_path: Path, store: Store, clock: Clock) -> None:
    root = tmp_path / "bank"
    shutil.copytree(WRITER_BANK, root)
    path = root / "network-policies-scenarios.yaml"
    old = path.read_text()
    app = writer_app(root, store, clock)
    async with app.run_test(size=SIZE) as pilot:
        app.open_edit("np-scenario-db-from-web")
        await pilot.pause()
        form = form_of(app)
        scenario = form.query_one("#form-scenario", TextArea)
        assert "kind: NetworkPolicy" in scenario.text
        claims = [e.query_one(".choice-claims", TextArea) for e in form.choice_editors()]
        assert all(area.display for area in claims)
        assert claims[2].text == "- {from: shop/web, to: shop/db, port: 5432, allowed: false}"
        # the evaluator disagrees with a claim: the problem is shown in that choice
        claims[2].text = "- {from: shop/web, to: shop/db, port: 5432, allowed: true}"
        await checked(pilot)
        assert [p.path for p in form.problems if p.severity == "error"] == [("choices", 2)]
        assert form.choice_editors()[2].query_one(".field-problems").display
        # claims that are not YAML are named as such, beside the choice
        claims[2].text = "- {from: shop/web, to: shop/db"
        await checked(pilot)
        assert ("choices", 2, "claims") in [p.path for p in form.problems]
        assert "not valid YAML" in str(form.choice_editors()[2].query_one(
            ".field-problems").render())
        # a broken scenario is named beside the scenario
        scenario.text = "- kind: Pod\n  metadata: [oops"
        await checked(pilot)
        assert any(p.path == ("scenario",) and "not valid YAML" in p.message
                   for p in form.problems)
        await save(pilot)
        assert app.screen is form and path.read_text() == old  # nothing written
        # start again and make a change the evaluator agrees with
        app.pop_screen()
        await pilot.pause()
        app.open_edit("np-scenario-db-from-web")
        await pilot.pause()
        form = form_of(app)
        area = form.choice_editors()[2].query_one(".choice-claims", TextArea)
        area.text = "- {from: shop/web, to: shop/db, port: 5433, allowed: false}"
        await checked(pilot)
        assert not [p for p in form.problems if p.severity == "error"]
        await save(pilot)
        assert path.read_text() == old.replace("port: 5432, allowed: false}",
                                               "port: 5433, allowed: false}")


async def test_a_question_without_a_scenario_shows_no_claims_until_one_is_typed(
        make: AppFactory, tmp_path: Path) -> None:
    app = make(start="add", topic="encryption", user_bank=tmp_path / "mine")
    async with app.run_test(size=SIZE) as pilot:
        form = form_of(app)
        areas = [e.query_one(".choice-claims", TextArea) for e in form.choice_editors()]
        assert not any(area.display for area in areas)
        form.query_one("#form-scenario", TextArea).text = "scenarios/three.yaml"
        await pilot.pause()
        assert all(area.display for area in areas)
        await form.action_add_choice()
        assert form.choice_editors()[-1].query_one(".choice-claims", TextArea).display


async def test_an_installed_question_is_read_only_and_copied_to_my_bank(
        tmp_path: Path, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """As after `pip install`: the bundled bank lives under site-packages."""
    installed = tmp_path / "site-packages" / "quiz" / "question_bank"
    shutil.copytree(WRITER_BANK, installed)
    mine = tmp_path / "data" / "bank"
    monkeypatch.setattr("quiz.bank.writer.my_bank", lambda: mine)
    before = {p.name: p.read_bytes() for p in installed.iterdir()}
    app = make_app(load_bank([installed]), store, now=clock, rng=random.Random(7),
                   bank_paths=[installed])
    async with app.run_test(size=SIZE) as pilot:
        app.open_edit("enc-mtls-hop")
        await pilot.pause()
        form = form_of(app)
        assert form.read_only and "read-only" in screen_text(app)
        assert "part of the installed app" in screen_text(app)
        await save(pilot)  # F2 does nothing: nothing is written in place
        assert app.screen is form
        await pilot.press("f5")
        await pilot.pause()
        copy = form_of(app)
        assert copy is not form and not copy.editing and copy.bank_dir == mine
        assert "from-enc-mtls-hop" in copy.query_one("#form-tags", Input).value
        await checked(pilot)
        qid = copy.query_one("#form-id", Input).value
        assert qid and qid != "enc-mtls-hop"
        await save(pilot)
        assert not isinstance(app.screen, QuestionFormScreen)
        assert {p.name: p.read_bytes() for p in installed.iterdir()} == before
        copied = app.bank.questions[qid]
        assert copied.tags[-1] == "from-enc-mtls-hop"
        assert copied.question.strip() == app.bank.questions["enc-mtls-hop"].question.strip()
        assert (mine / "encryption.yaml").is_file()


async def test_the_preview_shows_the_stem_as_a_session_does(make: AppFactory,
                                                            tmp_path: Path) -> None:
    app = make(start="add", topic="encryption", user_bank=tmp_path / "mine")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = form_of(app)
        preview = form.query_one("#form-preview")
        stem = form.query_one("#form-stem", TextArea)

        def shown_text() -> str:
            return "\n".join(str(w.render()) for w in preview.query(Static))

        assert shown_text().strip() == ""
        stem.text = "Which [b]field[/b] applies?\n\n```yaml\nkind: NetworkPolicy\n```"
        await checked(pilot)
        assert "Which [b]field[/b] applies?" in shown_text()  # literal, not console markup
        assert "kind: NetworkPolicy" in shown_text()
        assert preview.query(".code-block")
        stem.text = "Pick one:\n\n- a list\n- needs Markdown"
        await checked(pilot)
        markdown = preview.query_one(Markdown)
        assert "needs Markdown" in markdown.source
        assert not preview.query(".code-block")


async def test_at_start_up_the_fields_below_come_after_a_frame_reached_the_terminal(
        make: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``quiz add``: Textual mounts the form inside the app's start-up batch, whose frames it
    drops, and runs after-refresh callbacks at once meanwhile; the lower fields (and the
    store's opening) wait for a frame that was shown: one Textual drew with no batch open
    (the app lets the form's first whole frame through)."""
    events: list[str] = []
    display = App._display
    mount_more = QuestionFormScreen._mount_more
    first_frame = QuizApp._first_frame_drawn

    def shown(self: App[None], screen: object, renderable: object) -> None:
        if renderable is not None and isinstance(screen, QuestionFormScreen):
            events.append("dropped" if self._batch_count else "shown")
        display(self, screen, renderable)  # type: ignore[arg-type]

    async def more(self: QuestionFormScreen) -> None:
        events.append("more")
        await mount_more(self)

    def opened(self: QuizApp) -> None:
        events.append("store")
        first_frame(self)

    monkeypatch.setattr(App, "_display", shown)
    monkeypatch.setattr(QuestionFormScreen, "_mount_more", more)
    monkeypatch.setattr(QuizApp, "_first_frame_drawn", opened)
    app = make(start="add", user_bank=tmp_path / "mine")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert form_of(app).complete
        assert events.index("shown") < events.index("more")
        assert events.index("shown") < events.index("store")


async def test_the_fields_below_the_preview_come_just_after_the_first_frame(
        make: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``quiz add`` draws the topic, concepts, question and preview first; the choices and
    the rest follow without moving what is already on screen, and nothing is saved before."""
    first: list[tuple[str, bool | None, bool | None]] = []
    mount_more = QuestionFormScreen._mount_more

    async def drawn_first(self: QuestionFormScreen) -> None:
        first.append((screen_text(self.app), self.check_action("save", ()),
                      self.check_action("add_choice", ())))
        assert self.choice_editors() == [] and not self.changed
        await mount_more(self)

    monkeypatch.setattr(QuestionFormScreen, "_mount_more", drawn_first)
    app = make(start="add", user_bank=tmp_path / "mine")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = form_of(app)
        assert form.complete and len(form.choice_editors()) == 4
        assert isinstance(app.focused, Select) and app.focused.id == "form-topic"
        [(before, save_then, add_then)] = first
        assert (save_then, add_then) == (None, None)  # shown, not yet usable
        assert form.check_action("save", ()) and form.check_action("add_choice", ())
        after = screen_text(app)
        top = before.splitlines()[:before.splitlines().index(
            next(line for line in before.splitlines() if "Preview" in line)) + 1]
        assert "Choices" not in before and "Choices" in after
        # Nothing above moved or narrowed; only the scrollbar (4 columns from the right, in
        # the place kept for it) appears.
        assert [line[:-4] for line in after.splitlines()[:len(top)]] == [
            line[:-4] for line in top]
        assert "checked as you type" in top[0]


async def test_a_start_topics_concepts_are_listed_once_and_its_file_read_after_the_first_frame(
        make: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``quiz add --topic``: the select takes the topic as it mounts, and its Changed comes
    before the first frame; the concepts, listed with that topic's first as the form mounted,
    are not listed again, and the topic file is read once the form is drawn. Another topic
    picked later lists them again, its own first."""
    events: list[str] = []
    fill = QuestionFormScreen._fill_concepts
    prepare = QuestionFormScreen._prepare_topic
    mount_more = QuestionFormScreen._mount_more

    def filled(self: QuestionFormScreen, selected: list[str]) -> None:
        events.append(f"concepts {self.topic}")
        fill(self, selected)

    def prepared(self: QuestionFormScreen, topic: str) -> None:
        events.append(f"file {topic}")
        prepare.__wrapped__(self, topic)  # type: ignore[attr-defined]  # not in a thread

    async def more(self: QuestionFormScreen) -> None:
        events.append("first frame")
        await mount_more(self)

    monkeypatch.setattr(QuestionFormScreen, "_fill_concepts", filled)
    monkeypatch.setattr(QuestionFormScreen, "_prepare_topic", prepared)
    monkeypatch.setattr(QuestionFormScreen, "_mount_more", more)
    app = make(start="add", topic="encryption", user_bank=tmp_path / "mine")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        form = form_of(app)
        for _ in range(100):
            if "file encryption" in events:
                break
            await pilot.pause(0.02)
        assert events == ["concepts encryption", "first frame", "file encryption"]
        listing = form.query_one("#form-concepts", SelectionList)
        own = {c.id for c in app.bank.concepts.values() if c.topic == "encryption"}
        firsts = [listing.get_option_at_index(i).value for i in range(len(own))]
        assert set(firsts) == own
        form.query_one("#form-topic", Select).value = "network-policies"
        await pilot.pause()
        assert events[3:] == ["concepts network-policies", "file network-policies"]
        others = {c.id for c in app.bank.concepts.values() if c.topic == "network-policies"}
        assert {listing.get_option_at_index(i).value for i in range(len(others))} == others

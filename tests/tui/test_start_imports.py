"""What each start imports before its first frame, on the bank cache and a SQLite file: never
SQLAlchemy, SQLModel or pydantic (the store opens and the form's checks load after it), no
YAML (the add form's scenario and claims fields come after its first frame), no markdown-it
(the bank's questions and a new question's preview need none), never the fsrs-rs engine (only
optimising needs it); a study session's and an exam's modules only for a start that shows one
(home and the add form need neither: their dataclasses cost more to build than the screens);
nor the records of answers (``quiz.store.answers``), the bank's problems or its YAML reading
(the add form shows a draft's problems from its first check on, after its first frame)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.startup import Options, load_bank_or_exit
from tests.tui.conftest import TUI_BANK

FIRST_FRAME = """
import json, sys
from pathlib import Path
from textual.screen import Screen
from quiz.startup import Options, load_bank_or_exit
from quiz.tui import app as appmod
from quiz.tui.run import open_for_app

start, topic, db, mine = sys.argv[1:5]
opts = Options(banks=(Path({bank!r}),), db=db)
bank = load_bank_or_exit(opts)
store = open_for_app(opts, bank, start)
seen = []
draw = Screen._compositor_refresh

def drawn(self):  # the first frame of a screen of ours: what it needed
    draw(self)
    if not seen and type(self).__module__.startswith("quiz."):
        seen.append(type(self).__name__)
        seen.append(sorted({{m.split(".")[0] for m in sys.modules}}
                           & {{"yaml", "pydantic", "sqlalchemy", "sqlmodel", "markdown_it",
                              "fsrs_rs_python"}}))
        seen.append("quiz.tui.screens.exam" in sys.modules)
        seen.append("quiz.tui.screens.exam_modals" in sys.modules)
        seen.append(sorted(m for m in ("quiz.session", "quiz.exam", "quiz.tui.screens.question")
                           if m in sys.modules))
        seen.append(sorted(m for m in ("quiz.store.answers", "quiz.bank.problems",
                                       "quiz.bank.reading", "quiz.bank.controls")
                           if m in sys.modules))

Screen._compositor_refresh = drawn
appmod.QuizApp._first_frame_drawn = lambda self: self.exit()  # the store is not opened
app = appmod.make_app(bank, store, start=start, topic=topic or None, user_bank=Path(mine))
app.run(headless=True, size=(100, 30))
store.close()
print(json.dumps([type(store).__name__, *seen]))
"""


SESSION = ["quiz.session", "quiz.tui.screens.question"]


@pytest.mark.parametrize(("start", "topic", "screen", "imported", "study"), [
    ("home", "", "HomeScreen", [], []),
    ("review", "", "QuestionScreen", [], SESSION),
    ("practice", "network-policies", "QuestionScreen", [], SESSION),
    ("exam", "", "ExamScreen", [], ["quiz.exam"]),
    ("add", "encryption", "QuestionFormScreen", [], []),
])
def test_a_start_on_the_bank_cache_imports_little_before_its_first_frame(
        start: str, topic: str, screen: str, imported: list[str], study: list[str],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZ_CACHE", str(tmp_path / "cache"))
    load_bank_or_exit(Options(banks=(TUI_BANK,)))  # writes the cache the start reads
    code = FIRST_FRAME.format(bank=str(TUI_BANK))
    out = subprocess.run(
        [sys.executable, "-c", code, start, topic, str(tmp_path / "p.db"), str(tmp_path / "mine")],
        capture_output=True, text=True, cwd=Path(__file__).parents[2], check=True)
    store, shown, seen, exam_screen, dialogs, studied, later = json.loads(
        out.stdout.splitlines()[-1])
    assert (store, shown) == ("PendingStore", screen)
    assert seen == imported
    assert exam_screen == (start == "exam")  # home loads it only for an exam left open
    assert not dialogs  # the exam's dialogs load when one is opened
    assert studied == study
    # The answers' records, the bank's problems and its YAML reading: none before the first
    # frame (the add form's problems come with its first check, its file's path from
    # quiz.bank.files).
    assert later == []

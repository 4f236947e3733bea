"""The command line on a PostgreSQL URL: the commands work, and a server that cannot be used
is one line naming it (password hidden), exit 2."""

from __future__ import annotations

import json
from datetime import date

import pytest

from quiz import cli
from quiz.bank import load_bank
from quiz.store import Store, make_engine
from tests.conftest import MINI
from tests.pg import PgServer

pytestmark = pytest.mark.postgresql


def run_main(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    code = exit_info.value.code
    return code if isinstance(code, int) else (0 if code is None else 1)


def test_stats_and_settings_on_a_server(pg_url: str, capsys: pytest.CaptureFixture) -> None:
    store = Store(make_engine(pg_url), enable_fuzzing=False)
    bank = load_bank([MINI])
    for q in list(bank.questions.values())[:3]:
        store.record_answer(q, sorted(q.correct_indices))
    store.close()
    assert run_main(["--db", pg_url, "--bank", str(MINI), "--exam-date", "2031-05-06",
                     "stats", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["reviews"] == 3 and figures["accuracy"]["overall"] == 1.0
    reopened = Store(make_engine(pg_url))
    assert reopened.settings().exam_date == date(2031, 5, 6)
    reopened.close()


@pytest.mark.parametrize("command", [["stats"], ["review"], []])
def test_a_wrong_password_is_one_line_and_exit_2(pg_server: PgServer, command: list[str],
                                                 capsys: pytest.CaptureFixture) -> None:
    url = pg_server.url(password="Wrong-Secret")
    assert run_main(["--db", url, "--bank", str(MINI), *command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "password authentication failed" in err and f"127.0.0.1:{pg_server.port}" in err
    assert "Wrong-Secret" not in err and pg_server.password not in err


def test_two_learners_on_a_server_each_see_their_own(pg_url: str,
                                                     capsys: pytest.CaptureFixture,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bank = load_bank([MINI])
    questions = list(bank.questions.values())
    ana = Store(make_engine(pg_url), learner="ana", enable_fuzzing=False)
    for q in questions[:3]:
        ana.record_answer(q, sorted(q.correct_indices))
    first = questions[0]
    wrong = next(i for i in range(len(first.choices)) if i not in first.correct_indices)
    ana.for_learner("bo").record_answer(first, [wrong])
    ana.close()
    seen = {}
    for learner in ("ana", "bo"):
        monkeypatch.setenv("QUIZ_LEARNER", learner)
        assert run_main(["--db", pg_url, "--bank", str(MINI), "--exam-date", "2031-05-06",
                         "stats", "--json"]) == 0
        seen[learner] = json.loads(capsys.readouterr().out)
    assert [(f["learner"], f["reviews"], f["accuracy"]["overall"]) for f in seen.values()] == \
        [("ana", 3, 1.0), ("bo", 1, 0.0)]
    reopened = Store(make_engine(pg_url), learner="ana")
    assert reopened.learners() == ["ana", "bo"]
    assert reopened.settings().exam_date == reopened.for_learner("bo").settings().exam_date \
        == date(2031, 5, 6)  # each saved their own
    assert reopened.for_learner("carl").settings().exam_date is None
    reopened.close()

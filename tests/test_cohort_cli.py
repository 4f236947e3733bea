"""``quiz cohort``: three learners in one database (a SQLite file and PostgreSQL) give the
figures tests/cohort_class.py works out, as JSON and as 80-column text; an empty database is
one line and exit 0; bad input is one line and the usual exit code."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz import cli
from quiz.bank import load_bank
from quiz.clock import utc_now
from quiz.cohort import DEFAULT_MIN_ANSWERS
from quiz.store import Store, make_engine
from quiz.tui.app import QuizApp
from tests.cohort_class import last_answer as last_answer_at
from tests.cohort_class import record_class
from tests.conftest import MINI, Clock

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(autouse=True)
def _utc_local_time(utc_local_time: None) -> None:
    """The text shows the last answer in local time: pin it."""


@pytest.fixture(params=BACKENDS)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_server").new_database(migrated=True))
    return str(tmp_path / "class.db")


@pytest.fixture
def end() -> object:
    """The class's last answers an hour ago (the command reads at the real time)."""
    return utc_now().replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def class_db(target: str, end: object) -> str:
    clock = Clock()
    store = Store(make_engine(target), now=clock, enable_fuzzing=False, learner="alice")
    try:
        record_class(load_bank([MINI]), store.for_learner, clock, end=end)  # type: ignore[arg-type]
    finally:
        store.close()
    return target


def run_main(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    code = exit_info.value.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


def test_json_has_every_learners_figures_and_the_classs_misses(
        class_db: str, end: object, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_main(["--db", class_db, "--bank", str(MINI), "cohort", "--json",
                             "--min-answers", "3"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["totals"] == {"learners": 3, "answers": 10, "correct": 5, "accuracy": 0.5}
    assert [(x["name"], x["answers"], x["correct"], x["questions"], x["due_today"])
            for x in data["learners"]] == [
        ("alice", 4, 2, 3, {"reviews": 2, "new": 5}),
        ("bob", 3, 1, 3, {"reviews": 2, "new": 5}),
        ("carol", 3, 2, 3, {"reviews": 2, "new": 5})]
    assert [x["last_answer"] for x in data["learners"]] == [
        last_answer_at(name, end).isoformat() for name in ("alice", "bob", "carol")]  # type: ignore[arg-type]
    assert all(0 < x["readiness"]["predicted"] < 0.75 and x["readiness"]["passes"] is False
               for x in data["learners"])
    assert [(c["id"], c["answered"], c["wrong"], c["learners"], c["missed_by"], c["ranked"])
            for c in data["concepts"]] == [
        ("default-deny", 6, 4, 3, 2, True), ("egress-rules", 2, 1, 2, 1, False),
        ("mesh-mtls", 1, 0, 1, 0, False), ("wireguard", 1, 0, 1, 0, False)]
    assert [(q["id"], q["answered"], q["wrong"], q["learners"], q["missed_by"])
            for q in data["questions"]] == [
        ("np-deny-scope", 4, 2, 3, 2), ("np-deny-effects", 1, 1, 1, 1),
        ("np-egress-all-above", 1, 1, 1, 1)]
    assert (data["not_in_bank"]["answered"], data["not_in_bank"]["wrong"]) == (1, 1)
    assert data["min_answers"] == 3 and "at least 3 answers" in data["ranking"]


def test_text_fits_80_columns(class_db: str, end: object,
                              capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_main(["--db", class_db, "--bank", str(MINI), "cohort"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert max(map(len, lines)) <= 80
    assert lines[0] == "Class: 3 learners, 10 answers, 50% right"
    bob = next(line for line in lines if line.startswith("  bob "))
    when = last_answer_at("bob", end)  # type: ignore[arg-type]
    assert bob.split()[:3] == ["bob", "3", "33%"]
    assert bob.split()[-3:] == [f"{when:%Y-%m-%d}", f"{when:%H:%M}", "7"]
    # The default minimum (5): default-deny's 6 answers rank, every other concept has fewer.
    assert any(line.startswith("   67%  4/6            2 of 3     default-deny  ")
               for line in lines)
    assert lines.count("  fewer than 5 answers:") == 2
    assert "Ranked: at least 5 answers from the class first" in out


def test_a_topic_lists_only_its_concepts(class_db: str, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_main(["--db", class_db, "--bank", str(MINI), "cohort", "--json",
                             "--topic", "encryption"], capsys)
    data = json.loads(out)
    assert code == 0 and data["topic"] == "encryption"
    assert [c["id"] for c in data["concepts"]] == ["mesh-mtls", "wireguard"]
    assert data["questions"] == [] and len(data["learners"]) == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_empty_database_is_one_line_and_exit_0(
        backend: str, request: pytest.FixtureRequest, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    target = (str(request.getfixturevalue("pg_url")) if backend == "postgresql"
              else str(tmp_path / "new.db"))
    code, out, err = run_main(["--db", target, "--bank", str(MINI), "cohort"], capsys)
    assert (code, err) == (0, "")
    assert out == "No learners in this database yet: nothing to show for the class.\n"
    code, out, _ = run_main(["--db", target, "--bank", str(MINI), "cohort", "--json"], capsys)
    assert code == 0 and json.loads(out)["learners"] == []


def test_a_bad_database_is_the_same_line_as_for_stats(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not a database, just some bytes\n" * 50)
    code, _, stats_err = run_main(["--db", str(bad), "--bank", str(MINI), "stats"], capsys)
    assert code == 2
    code, out, err = run_main(["--db", str(bad), "--bank", str(MINI), "cohort"], capsys)
    assert (code, out, err) == (2, "", stats_err) and err.count("\n") == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--topic", "nope"], "unknown topic 'nope'; the topics are: encryption, network-policies"),
    (["--min-answers", "0"], "Invalid value for '--min-answers'"),
    (["--json", "--tui"], "--json prints the figures and --tui opens the screen"),
])
def test_bad_arguments_exit_1(tmp_path: Path, args: list[str], message: str,
                              capsys: pytest.CaptureFixture) -> None:
    code, out, err = run_main(["--db", str(tmp_path / "p.db"), "--bank", str(MINI), "cohort",
                               *args], capsys)
    assert code == 1 and out == "" and message in err.replace("\n", " ")


def test_the_default_minimum_is_the_modules(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_main(["cohort", "--help"], capsys)
    assert code == 0 and f"[default: {DEFAULT_MIN_ANSWERS}; x>=1]" in out
    assert "answered questions of mock exams once handed in" in " ".join(out.split())


def test_tui_opens_the_cohort_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apps: list[QuizApp] = []
    monkeypatch.setattr(QuizApp, "run", lambda self, *a, **k: apps.append(self))
    result = CliRunner().invoke(cli.cli, ["--db", str(tmp_path / "p.db"), "--bank", str(MINI),
                                          "cohort", "--tui", "--topic", "encryption",
                                          "--min-answers", "2"])
    assert result.exit_code == 0, result.output
    (app,) = apps
    assert (app.start, app.start_topic, app.start_min_answers) == ("cohort", "encryption", 2)


def test_whoever_runs_it_sees_every_learner_and_is_not_added(
        class_db: str, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run_main(["--db", class_db, "--bank", str(MINI), "--learner", "teacher",
                             "cohort", "--json"], capsys)
    assert code == 0
    assert [x["name"] for x in json.loads(out)["learners"]] == ["alice", "bob", "carol"]
    code, out, _ = run_main(["--db", class_db, "--bank", str(MINI), "cohort", "--json"], capsys)
    assert [x["name"] for x in json.loads(out)["learners"]] == ["alice", "bob", "carol"]

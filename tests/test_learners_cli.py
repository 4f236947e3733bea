"""--learner and QUIZ_LEARNER on the command line: whose progress each command uses, the default
(the OS user), and one line for a bad name."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz import learner as learners
from quiz.bank import Bank
from quiz.cli import cli
from quiz.learner import default_learner
from quiz.store import Store, make_engine
from tests.conftest import MINI

QID = "np-deny-scope"


def _stats(db: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    result = CliRunner().invoke(cli, [*args[:args.index("stats")], "stats", "--json",
                                      "--bank", str(MINI), "--db", str(db),
                                      *args[args.index("stats") + 1:]], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_learner_sees_only_their_own_progress(tmp_path: Path, bank: Bank) -> None:
    db = tmp_path / "class.db"
    store = Store(make_engine(db), learner="ana", enable_fuzzing=False)
    store.record_answer(bank.questions[QID], [0])
    store.record_answer(bank.questions[QID], [2], mode="practice")
    store.for_learner("bo").update_settings(daily_new_limit=3)
    store.close()
    ana = _stats(db, "--learner", "ana", "stats")
    assert (ana["learner"], ana["reviews"]) == ("ana", 2)
    bo = _stats(db, "stats", "--learner", "bo")
    assert (bo["learner"], bo["reviews"]) == ("bo", 0)
    assert _stats(db, "stats", env={"QUIZ_LEARNER": "ana"})["reviews"] == 2
    # The subcommand's own --learner wins over the group's and over QUIZ_LEARNER.
    assert _stats(db, "--learner", "ana", "stats", "--learner", "bo",
                  env={"QUIZ_LEARNER": "ana"})["learner"] == "bo"
    mine = _stats(db, "stats")
    assert (mine["learner"], mine["reviews"]) == (default_learner(), 0)
    text = CliRunner().invoke(cli, ["stats", "--bank", str(MINI), "--db", str(db),
                                    "--learner", "ana"])
    assert text.exit_code == 0 and text.stdout.startswith("learner    ana\n")
    own = CliRunner().invoke(cli, ["stats", "--bank", str(MINI), "--db", str(db)])
    assert own.exit_code == 0 and "learner" not in own.stdout  # your own: not named


def test_the_default_learner_is_the_os_user_or_a_fallback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "carol")
    assert learners.chosen_learner(None, {}) == "carol"
    assert learners.chosen_learner(None, {"QUIZ_LEARNER": " dan "}) == "dan"
    assert learners.chosen_learner("eve", {"QUIZ_LEARNER": "dan"}) == "eve"

    def nobody() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", nobody)
    assert learners.default_learner() == learners.FALLBACK
    monkeypatch.setattr(getpass, "getuser", lambda: "bad\x1bname")
    assert learners.default_learner() == learners.FALLBACK


@pytest.mark.parametrize(("args", "env", "place"), [
    (["--learner", ""], {}, "--learner"),
    (["--learner", "   "], {}, "--learner"),
    (["--learner", "a" * 65], {}, "--learner"),
    (["--learner", "ana\x1b]52;c;aGk=\x07"], {}, "--learner"),
    ([], {"QUIZ_LEARNER": "two\nlines"}, "QUIZ_LEARNER"),
])
@pytest.mark.parametrize("command", [["stats"], ["review"], ["optimize"], ["serve"],
                                     ["exam"], ["plan"]])
def test_a_bad_learner_name_is_one_line_exit_2(tmp_path: Path, args: list[str],
                                              env: dict[str, str], place: str,
                                              command: list[str]) -> None:
    db = tmp_path / "p.db"
    result = CliRunner().invoke(cli, [*command, "--bank", str(MINI), "--db", str(db), *args],
                                env=env)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"quiz: {place}: ") and "\x1b" not in line
    assert "Traceback" not in result.output
    assert not db.exists()  # nothing written for a learner who cannot be


def test_the_group_learner_reaches_the_subcommand(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    result = CliRunner().invoke(cli, ["--learner", "", "stats", "--bank", str(MINI),
                                      "--db", str(db)])
    assert result.exit_code == 2 and result.stderr.startswith("quiz: --learner: ")

"""Starting the app from the command line: bad input is refused before the UI opens, with
the CLI's one clear message and no traceback; good input opens the right screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.cli import cli
from quiz.tui.app import QuizApp
from tests.tui.conftest import TUI_BANK


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_unknown_topic_lists_the_topics(tmp_path: Path, opened: list[QuizApp]) -> None:
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"),
                          "practice", "--topic", "nope")
    assert code == 1 and not opened
    assert "unknown topic 'nope'; the topics are: encryption, network-policies" in output
    assert not (tmp_path / "p.db").exists()  # nothing written for a refused start


def test_unknown_concept_lists_the_concepts(tmp_path: Path, opened: list[QuizApp]) -> None:
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"),
                          "practice", "--topic", "encryption", "--concept", "nope")
    assert code == 1 and not opened and "the concepts are: mesh-mtls" in output


def test_practice_needs_a_topic_or_concept(tmp_path: Path, opened: list[QuizApp]) -> None:
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"), "practice")
    assert code == 1 and not opened and "--topic ID, --concept ID or --tag TAG" in output


def test_bad_database_exits_2(tmp_path: Path, opened: list[QuizApp]) -> None:
    bad = tmp_path / "p.db"
    bad.write_text("not a database")
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(bad), "review")
    assert code == 2 and not opened
    assert "not a progress database" in output and bad.read_text() == "not a database"


def test_invalid_bank_exits_1_with_the_report(tmp_path: Path, opened: list[QuizApp],
                                              data_dir: Path) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(TUI_BANK, bank)
    (bank / "broken.yaml").write_text("topic: encryption\nquestions:\n  - id: x\n")
    code, output = invoke("--bank", str(bank), "--db", str(tmp_path / "p.db"))
    assert code == 1 and not opened
    assert "broken.yaml:3:" in output and "the question bank has" in output


@pytest.mark.parametrize(("args", "start", "topic"), [
    ((), "home", None),
    (("review",), "review", None),
    (("practice", "--topic", "encryption"), "practice", "encryption"),
])
def test_good_input_opens_the_app(tmp_path: Path, opened: list[QuizApp], args: tuple[str, ...],
                                  start: str, topic: str | None) -> None:
    code, output = invoke("--bank", str(TUI_BANK), "--db", str(tmp_path / "p.db"), *args)
    assert code == 0, output
    (app,) = opened
    assert (app.start, app.start_topic) == (start, topic)

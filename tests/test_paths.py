"""Where things live: the user's own bank in the data directory, loaded once it holds anything;
``quiz paths`` says where everything is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz import paths
from quiz.cli import Options, cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_the_user_bank_is_in_the_user_data_directory() -> None:
    data = Path(os.environ["XDG_DATA_HOME"])
    assert paths.user_bank() == data / "quiz" / "bank"


def test_an_empty_or_missing_user_bank_is_not_loaded() -> None:
    assert paths.default_banks() == [paths.bundled_bank()]
    paths.user_bank().mkdir(parents=True)
    (paths.user_bank() / "questions.schema.json").write_text("{}")
    assert paths.default_banks() == [paths.bundled_bank()]


@pytest.mark.parametrize("first_file", ["concepts.yaml", "encryption.yaml", "sub/more.yml"])
def test_a_user_bank_holding_a_catalog_or_questions_is_loaded_with_the_bundled_one(
        first_file: str) -> None:
    (paths.user_bank() / first_file).parent.mkdir(parents=True)
    (paths.user_bank() / first_file).write_text("concepts: []\n")
    assert paths.default_banks() == [paths.bundled_bank(), paths.user_bank()]


def test_quiz_bank_adds_more_after_it_and_each_bank_comes_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths.user_bank().mkdir(parents=True)
    (paths.user_bank() / "concepts.yaml").write_text("concepts: []\n")
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("QUIZ_BANK", os.pathsep.join([str(other), str(paths.user_bank())]))
    assert paths.default_banks() == [paths.bundled_bank(), paths.user_bank(), other]
    # --bank still replaces the whole list
    assert Options(banks=(other,)).bank_paths() == [other]


def test_the_bundled_bank_of_a_source_checkout_is_not_installed(tmp_path: Path) -> None:
    # Tests run from the source checkout: its question_bank/ is the contributors' to edit.
    assert not paths.is_installed(paths.bundled_bank())
    assert not paths.is_installed(tmp_path)
    assert paths.is_installed(Path(paths.__file__).parent / "question_bank" / "x.yaml")


def test_paths_json_says_where_everything_lives(tmp_path: Path) -> None:
    code, out = run("paths", "--json")
    assert code == 0
    where = json.loads(out)
    assert where == {"database": paths.default_db(), "cache": str(paths.cache_dir()),
                     "user_bank": str(paths.user_bank()), "banks": [str(paths.bundled_bank())]}
    paths.user_bank().mkdir(parents=True)
    (paths.user_bank() / "concepts.yaml").write_text("concepts: []\n")
    code, out = run("paths", "--json", "--db", str(tmp_path / "p.db"))
    where = json.loads(out)
    assert where["banks"] == [str(paths.bundled_bank()), str(paths.user_bank())]
    assert where["database"] == str(tmp_path / "p.db")


def test_paths_human_form_has_one_line_each() -> None:
    code, out = run("paths")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == f"database:  {paths.default_db()}"
    assert lines[1] == f"cache:     {paths.cache_dir()}"
    assert lines[2].startswith(f"user bank: {paths.user_bank()} (empty")
    assert lines[3] == f"banks:     {paths.bundled_bank()}"


def test_paths_hides_a_database_password() -> None:
    code, out = run("paths", "--json", "--db", "postgresql://me:s3cret@db.example/quiz")
    assert code == 0 and "s3cret" not in out
    assert json.loads(out)["database"] == "postgresql://me:***@db.example/quiz"


def test_paths_escapes_control_characters_in_a_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZ_DB", "/tmp/evil\x1b]0;owned\x07.db")
    code, out = run("paths")
    assert code == 0 and "\x1b" not in out and "\\e]0;owned" in out

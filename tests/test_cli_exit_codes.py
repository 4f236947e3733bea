"""Exit codes follow the README: 0 fine, 1 bank or arguments, 2 the database (not usage)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from quiz import __version__, cli


def run_main(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


@pytest.mark.parametrize(("argv", "message"), [
    (["--nosuch"], "No such option '--nosuch'"),
    (["stats", "--json", "extra"], "Got unexpected extra argument (extra)"),
    (["exam", "--questions"], "Option '--questions' requires an argument"),
    (["nosuchcommand"], "No such command 'nosuchcommand'"),
    (["schema", "nosuchkind"], "'nosuchkind' is not one of"),
    (["lab", "--json", "a.yaml", "b.yaml"], "unexpected extra argument (b.yaml)"),
])
def test_usage_errors_exit_1_with_clicks_message(argv: list[str], message: str,
                                                 capsys: pytest.CaptureFixture) -> None:
    assert run_main(argv) == 1
    err = capsys.readouterr().err
    assert f"Error: {message}" in err.replace("\n", " ") or message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["stats", "--help"]])
def test_help_exits_0(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    assert run_main(argv) == 0
    assert "Usage: quiz" in capsys.readouterr().out


def test_version_exits_0(capsys: pytest.CaptureFixture) -> None:
    assert run_main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_a_command_that_succeeds_exits_0(capsys: pytest.CaptureFixture) -> None:
    assert run_main(["schema", "concepts"]) == 0
    assert '"properties"' in capsys.readouterr().out


def test_ctrl_c_exits_130_without_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture) -> None:
    def interrupted(kind: str) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr("quiz.bank.schema.json_schema", interrupted)
    assert run_main(["schema"]) == 130
    err = capsys.readouterr().err
    assert "Aborted!" in err and "Traceback" not in err


def test_the_installed_command_exits_1_on_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "quiz", "--nosuch"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "No such option '--nosuch'" in result.stderr


def test_a_click_exception_that_is_not_usage_exits_1(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture) -> None:
    def refuse(kind: str) -> None:
        raise click.FileError("somefile", hint="cannot open")
    monkeypatch.setattr("quiz.bank.schema.json_schema", refuse)
    assert run_main(["schema"]) == 1
    assert "somefile" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["sqlite://", "sqlite:///:memory:", "SQLite+pysqlite://",
                                    "sqlite:///file::memory:?cache=shared",
                                    "sqlite:///file:x?mode=memory&uri=true"])
@pytest.mark.parametrize("command", [["stats"], ["review"], ["cohort"], ["serve"]])
def test_an_in_memory_database_is_refused_before_anything(
        target: str, command: list[str], capsys: pytest.CaptureFixture) -> None:
    """Every answer given to it would be gone as quiz exits: one line, exit 2."""
    assert run_main(["--db", target, *command]) == 2
    err = capsys.readouterr().err
    assert err == f"quiz: --db {target}: an in-memory database keeps nothing once quiz " \
                  "exits; give a file path (or leave it out for the default file)\n"


def test_an_in_memory_database_from_the_environment_names_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("QUIZ_DB", "sqlite://")
    assert run_main(["stats"]) == 2
    assert capsys.readouterr().err.startswith("quiz: QUIZ_DB sqlite://: an in-memory database")


@pytest.mark.parametrize("target", ["sqlite:////tmp/x.db", "memory.db", "sqlite:///memory.db",
                                    "postgresql+psycopg://u@h/memory"])
def test_a_file_or_server_is_not_taken_for_memory(target: str) -> None:
    from quiz.startup import in_memory

    assert not in_memory(target)

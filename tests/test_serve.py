"""`quiz serve` before it serves: the options every tab is started with, the warning off this
machine, and one line for a port it cannot have. (The browser itself: test_serve_browser.py.)"""

from __future__ import annotations

import shlex
import socket
import sqlite3
import sys
from pathlib import Path

import pytest

from quiz import cli
from quiz.tui import serve as serving
from tests.conftest import MINI


def run_main(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], str, int]]:
    """What `quiz serve` would have served (the tabs' arguments, host, port), not serving."""
    calls: list[tuple[list[str], str, int]] = []
    monkeypatch.setattr(serving, "serve", lambda args, host, port: calls.append(
        (args, host, port)))
    monkeypatch.setattr(serving, "bind_problem", lambda host, port: None)
    return calls


def test_each_tab_gets_the_groups_and_the_commands_options(
        served: list[tuple[list[str], str, int]], tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    db = str(tmp_path / "class progress.db")
    assert run_main(["--bank", str(MINI), "--exam-date", "2999-01-01",
                     "serve", "--db", db, "--port", "8123"]) == 0
    (args, host, port), = served
    assert (host, port) == ("127.0.0.1", 8123)
    assert args == ["--bank", str(MINI), "--db", db]
    assert "warning" not in capsys.readouterr().err
    # The exam date is saved once, by serve: a tab opened later must not undo a change to it.
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT value FROM setting WHERE key = 'exam_date'").fetchone() == (
            '"2999-01-01"',)
    # A path with a space is one word in the shell command textual-serve runs per tab.
    assert shlex.split(serving.tab_command(args)) == [sys.executable, "-m", "quiz", *args]


def test_the_commands_own_bank_replaces_the_groups(
        served: list[tuple[list[str], str, int]], tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    assert run_main(["--bank", "nowhere", "--db", db, "serve", "--bank", str(MINI)]) == 0
    (args, _host, _port), = served
    assert args == ["--bank", str(MINI), "--db", db]


def test_serving_beyond_this_machine_warns(served: list[tuple[list[str], str, int]],
                                           tmp_path: Path,
                                           capsys: pytest.CaptureFixture) -> None:
    assert run_main(["serve", "--bank", str(MINI), "--db", str(tmp_path / "p.db"),
                     "--host", "0.0.0.0"]) == 0
    err = capsys.readouterr().err
    assert "anyone who can reach this port can use the app" in err
    assert served and served[0][1] == "0.0.0.0"


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.3.2.1", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert serving.is_loopback(host) is loopback
    assert (serving.exposure_warning(host, 8000) is None) is loopback


def test_a_busy_port_is_one_line_and_exit_1(tmp_path: Path,
                                            capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_main(["serve", "--bank", str(MINI), "--db", str(tmp_path / "p.db"),
                         "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err == f"quiz: port {port} on 127.0.0.1 is already in use: choose another with " \
                  "--port\n"


def test_an_unknown_host_is_one_line_and_exit_1(tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    assert run_main(["serve", "--bank", str(MINI), "--db", str(tmp_path / "p.db"),
                     "--host", "no-such-host.invalid"]) == 1
    assert capsys.readouterr().err == "quiz: cannot serve on no-such-host.invalid: no such host\n"


@pytest.mark.parametrize("host", ["", "  "])
def test_an_empty_host_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture,
                                        host: str) -> None:
    assert run_main(["serve", "--bank", str(MINI), "--db", str(tmp_path / "p.db"),
                     "--host", host]) == 1
    assert capsys.readouterr().err == ("quiz: --host is empty: give an address to listen on, "
                                       "e.g. 127.0.0.1 (the default)\n")


def test_a_bad_bank_stops_serve_before_it_listens(served: list[tuple[list[str], str, int]],
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "concepts.yaml").write_text("topics: [\n")
    assert run_main(["serve", "--bank", str(bank), "--db", str(tmp_path / "p.db")]) == 1
    assert not served
    assert "the question bank has 1 error" in capsys.readouterr().err


def test_the_address_to_open() -> None:
    assert serving.page_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert serving.page_url("::1", 8001) == "http://[::1]:8001/"
    assert serving.page_url("0.0.0.0", 80) == f"http://{socket.gethostname()}:80/"


def test_an_ipv6_host_may_be_written_as_in_a_url(served: list[tuple[list[str], str, int]],
                                                 tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    assert run_main(["serve", "--bank", str(MINI), "--db", str(tmp_path / "p.db"),
                     "--host", "[::1]"]) == 0
    assert served[0][1] == "::1"
    assert "warning" not in capsys.readouterr().err


def test_each_tab_is_the_learner_serve_was_given(
        served: list[tuple[list[str], str, int]], tmp_path: Path) -> None:
    db = str(tmp_path / "class.db")
    assert run_main(["--learner", "ana", "--exam-date", "2999-01-01", "serve", "--bank",
                     str(MINI), "--db", db, "--learner", "bo"]) == 0
    (args, _host, _port), = served
    assert args == ["--bank", str(MINI), "--db", db, "--learner", "bo"]
    with sqlite3.connect(db) as con:  # the exam date is bo's, saved once by serve
        assert con.execute("SELECT learner FROM setting WHERE key = 'exam_date'").fetchall() \
            == [("bo",)]

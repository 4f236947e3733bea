"""What an outside attack on the merged hardening still found: each stays fixed."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.cli import cli


def scenario_bank(data_dir: Path, tmp_path: Path, scenario: str) -> Path:
    """The scenario test bank with its one inline scenario replaced by ``scenario:`` a path."""
    root = tmp_path / "bank"
    shutil.copytree(data_dir / "banks" / "scenario", root)
    path = root / "network-policies.yaml"
    text = path.read_text()
    start = text.index("    scenario:\n")
    end = start + len("    scenario:\n") + re.search(
        r"^ {4}\S", text[start + len("    scenario:\n"):], re.M).start()
    path.write_text(text[:start] + f"    scenario: {scenario}\n" + text[end:])
    return root


def test_a_scenario_path_too_long_for_the_system_is_one_line(data_dir: Path,
                                                            tmp_path: Path) -> None:
    root = scenario_bank(data_dir, tmp_path, "a" * 5000)
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # exited, not an OSError traceback
    assert "File name too long" in result.output
    assert "a" * 100 not in result.output  # the path is quoted short, not echoed whole


def test_validate_escapes_a_bank_name_that_is_not_utf8(data_dir: Path, tmp_path: Path) -> None:
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/bank\x9b2J"))
    shutil.copytree(data_dir / "banks" / "good", odd)
    result = CliRunner().invoke(cli, ["validate", str(odd)])
    assert result.exit_code == 0, result.output
    assert "\udc9b" not in result.output and "\\udc9b" in result.output


def test_a_bank_given_as_a_fifo_device_or_other_file_is_refused(tmp_path: Path) -> None:
    # A file stood for "its directory's bank": a FIFO in a home made the whole home one bank
    # (every YAML file under it read), and /dev/zero validated /dev as "ok".
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    (tmp_path / "stray.yaml").write_text("topic: {")  # what walking the directory would read
    for given, reason in [(fifo, "not a regular file (a FIFO, socket or device)"),
                          (Path("/dev/zero"), "not a regular file (a FIFO, socket or device)"),
                          (notes, "not a YAML file")]:
        result = CliRunner().invoke(cli, ["validate", str(given)])
        assert result.exit_code == 1, result.output
        assert result.output.splitlines()[0].startswith(f"{given}: not a bank: {reason}")
        assert "stray.yaml" not in result.output and "Traceback" not in result.output


def test_a_bank_path_that_loops_is_one_line_at_start(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    monkeypatch.setenv("QUIZ_BANK", str(tmp_path / "a"))  # the cache key resolved it: traceback
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "stats", "--json"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"{tmp_path / 'a'}: cannot read: a loop of symbolic links" in result.stderr

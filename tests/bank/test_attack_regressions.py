"""What an outside attack on the merged hardening still found: each stays fixed."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

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

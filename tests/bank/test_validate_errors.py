"""Every error class of bank-format.md, one fixture each under tests/data/invalid/.

A fixture's ``# expect: [file:]LINE:COL: message`` lines are what ``quiz validate`` must print
(the file defaults to the fixture itself, copied into a bank as case.yaml, or as concepts.yaml
for ``concepts-*`` fixtures).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.cli import cli

DATA = Path(__file__).parent.parent / "data"
FIXTURES = sorted((DATA / "invalid").glob("*.yaml"))
EXPECT = re.compile(rb"^# expect: (?:(?P<file>[\w.-]+\.yaml):)?(?P<rest>\d+:\d+: .*)$", re.M)


def build_bank(fixture: Path, root: Path) -> str:
    """A bank of the good catalog and topic file plus the fixture; returns the fixture's name."""
    root.mkdir()
    if fixture.name.startswith("concepts-"):
        shutil.copy(fixture, root / "concepts.yaml")
        return "concepts.yaml"
    for name in ("concepts.yaml", "network-policies.yaml"):
        shutil.copy(DATA / "banks" / "good" / name, root / name)
    shutil.copy(fixture, root / "case.yaml")
    return "case.yaml"


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_fixture_reports_each_error_at_its_line(fixture: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    name = build_bank(fixture, tmp_path / "bank")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["validate", "bank"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    printed = [line for line in result.output.splitlines() if ": warning: " not in line]
    expected = [
        f"bank/{(m['file'] or name.encode()).decode()}:{m['rest'].decode()}"
        for m in EXPECT.finditer(fixture.read_bytes())
    ]
    if fixture.name == "binary.yaml":
        expected = ["bank/case.yaml:1:1: binary file, not YAML text"]
    assert expected, "a fixture must say what it expects"
    for line in expected:
        assert line in printed, f"missing {line!r} in:\n{result.output}"
    errors = [line for line in printed if not line.startswith("bank: ")]
    assert len(errors) == len(expected), result.output
    assert printed[-1].startswith("bank: not loaded: ")


def test_unsafe_tag_never_runs(tmp_path: Path) -> None:
    build_bank(DATA / "invalid" / "unsafe-tag.yaml", tmp_path / "bank")
    CliRunner().invoke(cli, ["validate", str(tmp_path / "bank")])
    assert not Path("/tmp/quiz-pwned").exists()


def test_missing_directory_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = CliRunner().invoke(cli, ["validate", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: no such file or directory" in result.output


def test_bank_without_catalog(tmp_path: Path) -> None:
    (tmp_path / "bank").mkdir()
    shutil.copy(DATA / "banks" / "good" / "encryption.yaml", tmp_path / "bank")
    # Loaded alone (--bank replaces the default banks, whose catalog it could use otherwise).
    result = CliRunner().invoke(cli, ["validate", "--bank", str(tmp_path / "bank")])
    assert result.exit_code == 1
    assert "no concepts.yaml in this bank" in result.output


def test_good_bank_is_ok_and_summarised(data_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(data_dir / "banks" / "good")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("3 questions, 2 concepts, 2 topics: ok")


def test_banks_merge_and_ids_must_be_unique_across_them(data_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "mine"
    other.mkdir()
    (other / "concepts.yaml").write_text("concepts: []\n")
    (other / "extra.yaml").write_text(
        (data_dir / "banks" / "good" / "encryption.yaml").read_text()
    )
    result = CliRunner().invoke(cli, ["validate", str(data_dir / "banks" / "good"), str(other)])
    assert result.exit_code == 1
    assert "duplicate question id 'enc-mtls-both-ends'" in result.output


def test_user_bank_may_use_the_bundled_topics(data_dir: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "concepts.yaml").write_text("concepts: []\n")
    (mine / "mine.yaml").write_text(
        "topic: encryption\nquestions:\n  - id: my-own\n    concepts: [mesh-mtls]\n"
        "    question: Is mine?\n    choices:\n      - {text: 'yes', correct: true}\n"
        "      - {text: 'no', why: It is.}\n    explanation: It is mine.\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(data_dir / "banks" / "good"), str(mine)])
    assert result.exit_code == 0, result.output
    assert "4 questions" in result.output

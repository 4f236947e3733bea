"""Starting the app reuses a validated bank until any bank file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import quiz.bank.loader
from quiz import cli, paths
from quiz.cli import Options, load_bank_or_exit


@pytest.fixture
def bank_dir(data_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(data_dir / "banks" / "good", root)
    return root


def forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a: object, **_k: object) -> None:
        raise AssertionError("the bank was parsed again")
    monkeypatch.setattr(quiz.bank.loader, "check_bank", fail)  # quiz.bank's is this one


def test_second_start_uses_the_cache(bank_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_bank_or_exit(Options(banks=(bank_dir,)))
    forbid_loading(monkeypatch)
    again = load_bank_or_exit(Options(banks=(bank_dir,)))
    assert list(again.questions) == list(first.questions)
    q = again.questions["np-deny-all-scope"]
    assert q.topic == "network-policies" and q.correct_indices == frozenset({0})


def test_an_edit_misses_the_cache(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    path = bank_dir / "encryption.yaml"
    path.write_text(path.read_text().replace("Both sides present a certificate",
                                             "Each side presents a certificate"))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    bank = load_bank_or_exit(Options(banks=(bank_dir,)))
    texts = [c.text for c in bank.questions["enc-mtls-both-ends"].choices]
    assert "Each side presents a certificate" in texts


def test_an_invalid_bank_is_never_cached(bank_dir: Path, capsys: pytest.CaptureFixture) -> None:
    (bank_dir / "broken.yaml").write_text("topic: [\n")
    with pytest.raises(SystemExit) as exit_info:
        load_bank_or_exit(Options(banks=(bank_dir,)))
    assert exit_info.value.code == 1
    assert "broken.yaml:2:1: YAML syntax error" in capsys.readouterr().err
    assert not list(paths.cache_dir().glob("*.pickle"))


def test_a_corrupt_cache_is_a_miss(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    for cached in paths.cache_dir().glob("*.pickle"):
        cached.write_bytes(b"not a pickle")
    assert "enc-mtls-both-ends" in load_bank_or_exit(Options(banks=(bank_dir,))).questions


def test_validate_never_uses_the_cache(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    (bank_dir / "encryption.yaml").write_text("topic: encryption\nquestions: 3\n")
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.cli, ["validate", str(bank_dir)])
    assert result.exit_code == 1

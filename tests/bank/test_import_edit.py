"""``quiz edit ID --from FILE``: one question replaced wherever it lives, problems at their place
in FILE; and ``quiz validate`` of a bank that builds on the default banks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz import paths
from quiz.cli import cli
from tests.bank.test_import import GOOD, question, snapshot

BARE = question("my-old", stem="What does the sidecar proxy present in mesh mTLS now?",
                indent="")[2:].replace("\n  ", "\n")  # the same question as a bare mapping


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def banks(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the good bank and a bank of one's own with one question, built on it."""
    base = tmp_path / "base"
    shutil.copytree(GOOD, base)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "concepts.yaml").write_text("concepts: []\n")
    (mine / "enc.yaml").write_text("# my bank\ntopic: encryption\nquestions:\n"
                                   + question("my-old") + "\n  # the end\n")
    return base, mine


def edit(banks: tuple[Path, Path], qid: str, text: str, tmp_path: Path) -> tuple[int, str]:
    source = tmp_path / "edit.yaml"
    source.write_text(text)
    base, mine = banks
    return invoke("--bank", str(base), "--bank", str(mine), "edit", qid, "--from", str(source))


@pytest.mark.parametrize("form", ["bare", "file"])
def test_a_question_is_replaced_in_its_own_file_and_nothing_else_changes(
        banks: tuple[Path, Path], tmp_path: Path, form: str) -> None:
    base, mine = banks
    text = BARE if form == "bare" else "topic: encryption\nquestions:\n" + question(
        "my-old", stem="What does the sidecar proxy present in mesh mTLS now?")
    before_base = snapshot(base)
    before = (mine / "enc.yaml").read_text()
    code, out = edit(banks, "my-old", text, tmp_path)
    assert code == 0, out
    assert "replaced my-old in" in out
    after = (mine / "enc.yaml").read_text()
    assert "present in mesh mTLS now?" in after
    assert after.startswith("# my bank\ntopic: encryption\nquestions:\n  - id: my-old\n")
    assert after.endswith("\n  # the end\n") and before.endswith("\n  # the end\n")
    assert snapshot(base) == before_base


def test_the_id_may_be_left_out_but_never_changed(banks: tuple[Path, Path],
                                                   tmp_path: Path) -> None:
    _, mine = banks
    before = snapshot(mine)
    code, out = edit(banks, "my-old", BARE.replace("id: my-old", "id: my-new"), tmp_path)
    assert code == 1
    assert "edit.yaml:1:5: my-new: the id of a question never changes: it stays 'my-old'" in out
    assert snapshot(mine) == before
    code, out = edit(banks, "my-old", BARE.split("\n", 1)[1], tmp_path)
    assert code == 0, out


def test_problems_are_at_their_place_in_the_file_and_nothing_is_written(
        banks: tuple[Path, Path], tmp_path: Path) -> None:
    _, mine = banks
    before = snapshot(mine)
    code, out = edit(banks, "my-old", BARE.replace("[mesh-mtls]", "[mesh-mtl]"), tmp_path)
    assert code == 1
    assert "edit.yaml:2:12: my-old: unknown concept 'mesh-mtl' (did you mean 'mesh-mtls'?)" in out
    code, out = edit(banks, "my-old", "topic: network-policies\nquestions:\n"
                     + question("my-old"), tmp_path)
    assert code == 1 and "edit.yaml:1:8: the question is in topic 'encryption'" in out
    code, out = edit(banks, "my-old", "topic: encryption\nquestions:\n" + question("my-old")
                     + question("my-two"), tmp_path)
    assert code == 1 and "edit.yaml:13:5: questions: give the one question" in out
    code, out = edit(banks, "my-old", "- a list\n", tmp_path)
    assert code == 1 and "edit.yaml:1:1: expected the question" in out
    assert snapshot(mine) == before


def test_an_unknown_id_names_the_nearest(banks: tuple[Path, Path], tmp_path: Path) -> None:
    code, out = edit(banks, "my-olt", BARE, tmp_path)
    assert code == 1 and "no question 'my-olt' in the banks (did you mean 'my-old'?)" in out


def test_the_same_question_again_leaves_the_file_alone(banks: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    _, mine = banks
    before = snapshot(mine)
    code, out = edit(banks, "my-old", "topic: encryption\nquestions:\n" + question("my-old"),
                     tmp_path)
    assert code == 0 and "unchanged" in out
    assert snapshot(mine) == before


def test_a_bundled_question_of_an_installed_app_is_read_only(
        banks: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, _ = banks
    monkeypatch.setattr(paths, "is_installed", lambda p: p.resolve().is_relative_to(
        base.resolve()))
    before = snapshot(base)
    code, out = edit(banks, "enc-mtls-both-ends", BARE.replace("my-old", "enc-mtls-both-ends"),
                     tmp_path)
    assert code == 1
    assert "enc-mtls-both-ends is a bundled question, read-only in the installed app" in out
    assert "quiz add --from FILE" in out and len(out.splitlines()) == 1
    assert snapshot(base) == before


# --- quiz validate of a bank that builds on the default banks -----------------------------

def test_a_bank_without_topics_is_checked_on_the_default_banks(
        banks: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    base, mine = banks
    monkeypatch.chdir(mine.parent)
    code, out = invoke("--bank", str(base), "validate", "mine")
    assert code == 0, out
    assert out.strip() == "mine (on base): 1 question, 0 concepts, 0 topics: ok"
    # its own problems are reported, the default banks' are not
    (mine / "enc.yaml").write_text((mine / "enc.yaml").read_text().replace(
        "[mesh-mtls]", "[nope]"))
    (base / "broken.yaml").write_text("topic: encryption\nquestions:\n  - id: x\n")
    code, out = invoke("--bank", str(base), "validate", "mine")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "mine/enc.yaml:5:16: my-old: unknown concept 'nope'"
    assert not any("broken.yaml" in line for line in lines)


def test_a_bank_without_a_catalog_uses_the_default_banks_catalog(
        banks: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    base, mine = banks
    (mine / "concepts.yaml").unlink()
    monkeypatch.chdir(mine.parent)
    code, out = invoke("--bank", str(base), "validate", "mine")
    assert code == 0, out
    # and the app loads it with the others
    code, out = invoke("--bank", str(base), "--bank", str(mine), "validate")
    assert code == 0, out
    assert out.strip().endswith("4 questions, 2 concepts, 2 topics: ok")


def test_a_question_id_of_a_default_bank_is_a_duplicate(
        banks: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    base, mine = banks
    (mine / "enc.yaml").write_text("topic: encryption\nquestions:\n"
                                   + question("enc-mtls-both-ends"))
    monkeypatch.chdir(mine.parent)
    code, out = invoke("--bank", str(base), "validate", "mine")
    assert code == 1
    assert ("mine/enc.yaml:3:5: enc-mtls-both-ends: duplicate question id 'enc-mtls-both-ends' "
            "(first defined at base/encryption.yaml:3:5)") in out


def test_the_user_bank_alone_is_clean_after_quiz_add(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "q.yaml"
    source.write_text("topic: encryption\nquestions:\n"
                      + question("my-own", concept="mtls-service-mesh"))
    code, out = invoke("add", "--from", str(source))
    assert code == 0, out
    assert paths.default_banks() == [paths.bundled_bank(), paths.user_bank()]
    code, out = invoke("validate", str(paths.user_bank()))
    assert code == 0, out
    assert out.strip().endswith(": 1 question, 0 concepts, 0 topics: ok")

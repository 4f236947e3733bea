"""``quiz add --from FILE``: every question checked against the loaded banks, problems at their
place in FILE, all of them written or none."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.bank import check_bank, writer
from quiz.bank.userbank import SCHEMA_NAME
from quiz.cli import cli

GOOD = Path(__file__).parent.parent / "data" / "banks" / "good"


def question(qid: str, concept: str = "mesh-mtls", stem: str | None = None,
             correct: bool = True, indent: str = "  ") -> str:
    return (f"{indent}- id: {qid}\n"
            f"{indent}  concepts: [{concept}]\n"
            f"{indent}  question: {stem or f'What does {qid} say about sidecar certificates?'}\n"
            f"{indent}  choices:\n"
            f"{indent}    - text: The proxy presents it\n"
            f"{indent}      correct: {'true' if correct else 'false'}\n"
            f"{indent}      why: It terminates TLS for the workload.\n"
            f"{indent}    - text: The application presents it\n"
            f"{indent}      why: The application speaks plain text to its proxy.\n"
            f"{indent}  explanation: The sidecar holds the workload certificate.\n")


def add(tmp_path: Path, text: str, *extra: str, bank: Path | None = None) -> tuple[int, str]:
    source = tmp_path / "new.yaml"
    source.write_text(text)
    args = ["--bank", str(GOOD), "add", "--from", str(source),
            "--bank", str(bank or tmp_path / "mine"), *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()} if root.exists() else {}


def test_questions_are_appended_to_a_new_bank_that_then_validates(tmp_path: Path,
                                                                  monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = add(tmp_path, "topic: encryption\nquestions:\n" + question("my-one")
                    + question("my-two", stem="Which side holds the private key in mesh mTLS?"))
    assert code == 0, out
    assert "added 2 questions to mine/encryption.yaml" in out
    mine = tmp_path / "mine"
    text = (mine / "encryption.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=questions.schema.json\n")
    assert (mine / SCHEMA_NAME).is_file() and (mine / "concepts.yaml").is_file()
    bank, problems = check_bank([GOOD, mine])
    assert bank is not None and {"my-one", "my-two"} <= set(bank.questions)
    # the bank alone, as a user checks it: on top of the banks it is loaded with
    result = CliRunner().invoke(cli, ["--bank", str(GOOD), "validate", "mine"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("mine (on " + str(GOOD) + "): 2 questions, 0 concepts, "
                                          "0 topics: ok")


def test_an_existing_topic_file_keeps_every_byte_and_gets_the_questions_at_its_end(
        tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "concepts.yaml").write_text("concepts: []\n")
    before = "# my notes\ntopic: encryption   # mine\nquestions:\n" + question("my-old")
    (mine / "enc.yaml").write_text(before)
    code, out = add(tmp_path, "topic: encryption\nquestions:\n" + question(
        "my-new", stem="Is this a brand new question about workload identity?"))
    assert code == 0, out
    after = (mine / "enc.yaml").read_text()
    assert after.startswith(before) and "my-new" in after[len(before):]
    assert not (mine / "encryption.yaml").exists()


BAD = [  # (the file, the lines quiz must print)
    ("topic: encryption\nquestions:\n" + question("my-a", concept="nope"),
     ["new.yaml:4:16: my-a: unknown concept 'nope'"]),
    ("topic: encryption\nquestions:\n" + question("my-a") + question("my-b", correct=False),
     ["new.yaml:17:7: my-b: choices: no choice is marked correct"]),
    ("topic: encryption\nquestions:\n" + question("my-a") + question("my-a", stem="Other?"),
     ["new.yaml:13:9: my-a: duplicate question id 'my-a' (first defined at new.yaml:3:9)"]),
    ("topic: encryption\nquestions:\n" + question("enc-mtls-both-ends"),
     ["new.yaml:3:9: enc-mtls-both-ends: duplicate question id 'enc-mtls-both-ends' (first "
      f"defined at {GOOD / 'encryption.yaml'}:3:5)"]),
    ("topic: encrypton\nquestions:\n" + question("my-a"),
     ["new.yaml:1:8: unknown topic 'encrypton' (did you mean 'encryption'?)"]),
    ("topic: encryption\nquestion:\n" + question("my-a"),
     ["new.yaml:2:1: unknown key 'question': a question file has topic and questions",
      "new.yaml:1:1: missing required key 'questions'"]),
    ("questions:\n" + question("my-a"), ["new.yaml:1:1: missing required key 'topic'"]),
    ("- just a list\n", ["new.yaml:1:1: expected a question file with topic and questions, "
                        "found a list"]),
    ("", ["new.yaml:1:1: empty file: expected a question file with topic and questions"]),
    ("topic: encryption\nquestions: [\n", ["new.yaml:3:1: YAML syntax error"]),
    ("topic: encryption\nquestions:\n  - 42\n",
     ["new.yaml:3:5: expected a mapping of keys"]),
    ("topic: encryption\nquestions:\n" + question("my-a").replace("explanation", "explantion"),
     ["new.yaml:12:5: my-a: unknown key 'explantion' (did you mean 'explanation'?)"]),
]


@pytest.mark.parametrize(("text", "expected"), BAD, ids=[str(n) for n in range(len(BAD))])
def test_problems_are_at_their_place_in_the_file_and_nothing_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "concepts.yaml").write_text("concepts: []\n")
    (mine / "enc.yaml").write_text("topic: encryption\nquestions:\n" + question("my-old"))
    before = snapshot(mine)
    code, out = add(tmp_path, text)
    assert code == 1
    for line in expected:
        assert any(printed.startswith(line) for printed in out.splitlines()), (line, out)
    assert "nothing written" in out.splitlines()[-1] or "new.yaml" in out.splitlines()[-1]
    assert snapshot(mine) == before


def test_into_a_new_directory_a_refused_file_creates_nothing(tmp_path: Path) -> None:
    code, _ = add(tmp_path, "topic: encryption\nquestions:\n" + question("my-a", concept="x"))
    assert code == 1 and not (tmp_path / "mine").exists()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["my-a", "my-b", "my-c", "enc-mtls-both-ends"]),
                          st.sampled_from(["mesh-mtls", "default-deny", "nope"]),
                          st.booleans()), min_size=1, max_size=4))
def test_all_questions_are_written_or_none(tmp_path_factory: pytest.TempPathFactory,
                                           specs: list[tuple[str, str, bool]]) -> None:
    tmp = tmp_path_factory.mktemp("any")
    mine = tmp / "mine"
    mine.mkdir()
    (mine / "concepts.yaml").write_text("concepts: []\n")
    (mine / "enc.yaml").write_text("topic: encryption\nquestions:\n" + question("my-old"))
    before = snapshot(mine)
    body = "".join(question(qid, concept, stem=f"Question {n} on {concept} with {qid} here?",
                            correct=ok) for n, (qid, concept, ok) in enumerate(specs))
    code, out = add(tmp, "topic: encryption\nquestions:\n" + body)
    ids = [qid for qid, _, _ in specs]
    valid = (len(set(ids)) == len(ids) and "enc-mtls-both-ends" not in ids
             and all(c != "nope" and ok for _, c, ok in specs))
    if valid:
        assert code == 0, out
        bank, _ = check_bank([GOOD, mine])
        assert bank is not None and set(ids) <= set(bank.questions)
    else:
        assert code == 1, out
        assert snapshot(mine) == before


def test_a_failure_after_the_first_write_takes_the_first_out_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "concepts.yaml").write_text("concepts: []\n")
    (mine / "enc.yaml").write_text("topic: encryption\nquestions:\n" + question("my-old"))
    before = snapshot(mine)
    real = writer.add_question
    calls = []

    def disk_full_on_the_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        if len(calls) == 2:
            raise writer.BankWriteError("cannot write mine/enc.yaml: No space left on device",
                                        mine / "enc.yaml")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "add_question", disk_full_on_the_second)
    code, out = add(tmp_path, "topic: encryption\nquestions:\n" + question("my-a")
                    + question("my-b", stem="Another question about proxies and keys?"))
    assert code == 1 and len(calls) == 2
    assert "No space left on device" in out and "taken out again" in out
    assert snapshot(mine) == before


def test_a_new_bank_is_removed_again_when_a_later_write_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = writer.add_question
    calls = []

    def fail_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        if len(calls) == 2:
            raise writer.BankWriteError("cannot write: Input/output error", tmp_path)
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "add_question", fail_second)
    code, _ = add(tmp_path, "topic: encryption\nquestions:\n" + question("my-a")
                  + question("my-b", stem="Another question about proxies and keys?"))
    assert code == 1 and not (tmp_path / "mine").exists()


@pytest.mark.parametrize(("redirect", "message"), [
    ("<&-", "quiz: <stdin>: cannot read: standard input is closed"),
    ("0>written.txt", "quiz: <stdin>: cannot read: Bad file descriptor"),  # opened to write
])
def test_standard_input_that_cannot_be_read_is_one_line(tmp_path: Path, redirect: str,
                                                        message: str) -> None:
    import subprocess
    import sys

    script = f'exec "$0" -m quiz --bank "$1" add --from - --bank "$2" {redirect}'
    result = subprocess.run(["sh", "-c", script, sys.executable, str(GOOD),
                             str(tmp_path / "mine")], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stderr) == (1, message + "\n")
    assert not (tmp_path / "mine").exists()


def test_standard_input_is_read_with_dash(tmp_path: Path) -> None:
    text = "topic: encryption\nquestions:\n" + question("my-in", concept="nope")
    result = CliRunner().invoke(cli, ["--bank", str(GOOD), "add", "--from", "-", "--bank",
                                      str(tmp_path / "mine")], input=text)
    assert result.exit_code == 1
    assert "<stdin>:4:16: my-in: unknown concept 'nope'" in result.output
    result = CliRunner().invoke(cli, ["--bank", str(GOOD), "add", "--from", "-", "--bank",
                                      str(tmp_path / "mine")], input=text.replace("nope",
                                                                                  "mesh-mtls"))
    assert result.exit_code == 0, result.output


def test_a_raw_control_character_from_standard_input_names_its_line(tmp_path: Path) -> None:
    text = "topic: encryption\nquestions:\n" + question("my-in").replace("id: my-in",
                                                                          "id: my-in\x1b")
    result = CliRunner().invoke(cli, ["--bank", str(GOOD), "add", "--from", "-", "--bank",
                                      str(tmp_path / "mine")], input=text)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "<stdin>:3:14: the control character \\e (ESC): a bank may not hold terminal " \
           "escapes" in result.output
    assert not (tmp_path / "mine").exists()


def test_a_missing_file_and_topic_with_from_are_one_line_each(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["add", "--from", str(tmp_path / "none.yaml")])
    assert result.exit_code == 1 and "none.yaml: cannot read" in result.output
    assert "Traceback" not in result.output
    code, out = add(tmp_path, "topic: encryption\nquestions:\n" + question("my-a"),
                    "--topic", "encryption")
    assert code == 1 and "--topic is for the form" in out


def test_the_bundled_bank_of_an_installed_app_is_refused_as_a_target(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quiz import paths

    installed = tmp_path / "site-packages" / "quiz" / "question_bank"
    shutil.copytree(GOOD, installed)
    monkeypatch.setattr(paths, "is_installed", lambda p: p.resolve() == installed.resolve())
    before = snapshot(installed)
    code, out = add(tmp_path, "topic: encryption\nquestions:\n" + question("my-a"),
                    bank=installed)
    assert code == 1 and "part of the installed app" in out
    assert snapshot(installed) == before


def test_the_schema_beside_a_bank_is_written_refreshed_but_never_the_users_own(
        tmp_path: Path) -> None:
    import json

    from quiz.bank.schema import json_schema
    from quiz.bank.userbank import write_schema

    schema = tmp_path / SCHEMA_NAME
    assert write_schema(tmp_path) == schema
    assert json.loads(schema.read_text()) == json_schema("questions")
    stale = {**json_schema("questions"), "properties": {}}  # ours, from an older version
    schema.write_text(json.dumps(stale))
    assert write_schema(tmp_path) == schema
    assert json.loads(schema.read_text()) == json_schema("questions")
    schema.write_text('{"title": "my own schema"}')
    assert write_schema(tmp_path) is None
    assert schema.read_text() == '{"title": "my own schema"}'


def test_a_file_of_many_problems_lists_the_first_hundred(tmp_path: Path) -> None:
    source = tmp_path / "keys.yaml"  # 20,000 keys printed 20,000 lines
    source.write_text("".join(f"k{i}: 1\n" for i in range(150)))
    result = CliRunner().invoke(cli, ["--bank", str(GOOD), "add", "--from", str(source),
                                      "--bank", str(tmp_path / "mine")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 102 and lines[-1] == f"quiz: {source} is not a question file"
    assert lines[-2] == f"{source}: 52 more errors in this file not shown (the first 100 are)"
    assert not (tmp_path / "mine").exists()

"""A bank file of a million tiny values is refused before libyaml composes it (seconds to
minutes, before any check of ours could run), and a file full of errors lists the first ones,
not all of them; legitimate large files stay under the limit."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from quiz import safeyaml
from quiz.bank import check_bank, reading
from quiz.bank.parsed import MAX_PROBLEMS_PER_FILE
from quiz.cli import cli
from quiz.safeyaml import value_marks

GOOD = Path(__file__).parents[1] / "data" / "banks" / "good"
BENCHMARKS = Path(__file__).parents[2] / "benchmarks"


def bank_with(tmp_path: Path, name: str, text: str) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(GOOD, root)
    (root / name).write_text(text)
    return root


@pytest.mark.parametrize("text", [
    "topic: network-policies\nquestions:\n" + "- 1\n" * 3_000,  # a list of tiny items
    "".join(f"a{i}: 1\n" for i in range(3_000)),  # keys
    "questions: [" + "1," * 3_000 + "]\n",  # one flow list on one line
    ("- " * 60 + "1\n") * 100,  # nesting on one line
], ids=["items", "keys", "flow", "nesting"])
def test_a_file_of_too_many_values_is_refused_before_parsing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    parse = yaml.load

    def not_this_one(stream: object, Loader: type) -> object:  # noqa: N803 - yaml's name
        assert stream != text, "the file was parsed"
        return parse(stream, Loader=Loader)  # noqa: S506 - the bank's safe loader

    monkeypatch.setattr(reading, "MAX_FILE_VALUES", 2_000)
    root = bank_with(tmp_path, "tiny.yaml", text)
    monkeypatch.setattr(yaml, "load", not_this_one)
    _, problems = check_bank([root])
    errors = [str(p) for p in problems if p.path.endswith("tiny.yaml")]
    assert len(errors) == 1 and errors[0].startswith(f"{root / 'tiny.yaml'}: too many values "
                                                     "for one bank file: about ")
    assert errors[0].endswith("(at most 2,000): split it into several files")


def test_value_marks_bound_the_values_yaml_composes() -> None:
    # The estimate is an upper bound up to about 2 (a key and its null value count once).
    for text in ["a: 1\nb: [1, 2, {c: d}]\n", "- - - 1\n", "{a, b, c}\n", "x:\n  - ? k\n    : v\n",
                 "q: |\n  line\n  line\n", (GOOD / "network-policies.yaml").read_text()]:
        nodes, stack = 0, [yaml.compose(text, Loader=safeyaml.BankLoader)]
        while stack:
            node = stack.pop()
            nodes += 1
            if isinstance(node, yaml.MappingNode):
                stack += [part for pair in node.value for part in pair]
            elif isinstance(node, yaml.SequenceNode):
                stack += node.value
        assert nodes <= 2 * value_marks(text) + 1, text


def test_a_file_of_the_benchmark_banks_size_is_well_under_the_limit(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_bank_load", BENCHMARKS / "bank_load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.generate(tmp_path / "b", 800)  # 100 questions a topic file
    largest = max(value_marks(p.read_bytes()) for p in (tmp_path / "b").glob("*.yaml"))
    # 2,000 of its questions in one file (the 10,000-question bank has 1,250 a file) still fit
    assert largest * 20 < reading.MAX_FILE_VALUES


def test_a_file_full_of_errors_lists_the_first_ones_and_counts_the_rest(tmp_path: Path) -> None:
    root = bank_with(tmp_path, "keys.yaml", "".join(f"a{i}: 1\n" for i in range(300)))
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    placed = [line for line in lines if line.startswith(f"{root / 'keys.yaml'}:")]
    assert len(placed) == MAX_PROBLEMS_PER_FILE + 1
    # 300 unknown keys and the missing topic: 301 problems, 100 of them listed
    assert f"{root / 'keys.yaml'}: 201 more errors in this file not shown (the first 100 " \
           "are)" in lines
    assert f"{root / 'keys.yaml'}:300:1: unknown key 'a299'" not in lines


def test_many_warnings_neither_hide_an_error_nor_fail_the_bank(tmp_path: Path) -> None:
    questions = "".join(
        f"  - id: np-w{i}\n    concepts: [default-deny]\n    question: Which is {i}?\n"
        f"    choices:\n      - text: yes {i}\n        correct: true\n        why: y\n"
        f"      - text: no {i}\n    explanation: x\n" for i in range(120))  # no 'why': warns
    root = bank_with(tmp_path, "warns.yaml", "topic: network-policies\nquestions:\n"
                     + questions)
    bank, problems = check_bank([root], similar=False)
    assert bank is not None  # 120 warnings, shown 100 and counted, fail nothing
    notes = [str(p) for p in problems if p.line == 0]
    assert notes == [f"{root / 'warns.yaml'}: warning: 20 more warnings in this file not shown "
                     "(the first 100 are)"]
    (root / "warns.yaml").write_text("topic: network-policies\nquestions:\n" + questions
                                     + "  - id: np-broken\n")
    bank, problems = check_bank([root], similar=False)
    assert bank is None
    assert any(p.severity == "error" and p.qid == "np-broken" for p in problems)

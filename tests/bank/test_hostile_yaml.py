"""Hostile input to the bank and manifest loaders (issue #12): each class ends in one clear,
positioned problem, never a traceback, a hang, a leaked file or a raw escape sequence."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank import check_bank
from quiz.bank.controls import find_controls, may_hold_control
from quiz.bank.problems import Problem
from quiz.cli import cli
from quiz.netpol import ManifestError, load_manifests_text
from quiz.safeyaml import MAX_DEPTH, BankLoader, LimitError, ManifestLoader
from quiz.textsafe import has_control

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "banks" / "good"
SCENARIO = DATA / "banks" / "scenario"


def load(text: str, loader: type = BankLoader) -> object:
    return yaml.load(text, Loader=loader)  # noqa: S506 - the bounded safe loaders


def laughs(levels: int) -> str:
    """A billion-laughs document: each level repeats the one below nine times."""
    lines = ['l0: &l0 "lol"']
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("loader", [BankLoader, ManifestLoader])
def test_alias_bomb_is_refused_with_its_place(loader: type) -> None:
    with pytest.raises(LimitError) as caught:
        load(laughs(9), loader)  # 9^9 strings if expanded
    assert "aliases repeat more than" in str(caught.value.problem)
    assert caught.value.problem_mark is not None


def test_a_few_shared_values_are_fine() -> None:
    data = load(laughs(3))  # 729 strings: sharing a scenario or two costs this much
    assert isinstance(data, dict) and len(data["l3"]) == 9


@pytest.mark.parametrize("text", ["&a [*a]", "&a {k: *a}", "a: &x [1, [2, *x]]"])
def test_recursive_aliases_are_refused(text: str) -> None:
    with pytest.raises(LimitError, match="inside its own anchor"):
        load(text)


def test_depth_is_bounded_directly_and_through_aliases() -> None:
    load("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(LimitError, match="nested more than"):
        load("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    half = MAX_DEPTH // 2 + 2
    chained = f"a: &a {'[' * half}{']' * half}\nb: {'[' * half}*a{']' * half}\n"
    with pytest.raises(LimitError, match="through an alias"):
        load(chained)


@pytest.mark.parametrize("loader", [BankLoader, ManifestLoader])
def test_huge_integers_are_refused_not_a_traceback(loader: type) -> None:
    with pytest.raises(LimitError, match="a number of 5000 digits"):
        load("port: " + "9" * 5000, loader)
    assert load("port: 65535", loader) == {"port": 65535}


@pytest.mark.parametrize("loader", [BankLoader, ManifestLoader])
def test_duplicate_keys_point_at_the_second(loader: type) -> None:
    with pytest.raises(LimitError) as caught:
        load("a: 1\nb: 2\na: 3\n", loader)
    assert caught.value.problem == ("duplicate key 'a' (first at line 1): a key may appear "
                                    "once in a mapping")
    assert caught.value.problem_mark.line == 2


def test_banks_read_yaml_12_scalars() -> None:
    assert load("[yes, no, on, off, y, n, true, False, 1:20, 0o17, 017, 2024-01-01, =]") == [
        "yes", "no", "on", "off", "y", "n", True, False, "1:20", 15, 17, "2024-01-01", "="]
    assert load("<<: {a: 1}") == {"<<": {"a": 1}}  # no merge keys: '<<' is a plain key


def test_manifests_keep_yaml_11_as_kubernetes_does() -> None:
    assert load("[yes, on, off]", ManifestLoader) == [True, True, False]
    merged = load("base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n", ManifestLoader)
    assert merged["m"] == {"a": 1, "b": 3}
    with pytest.raises(ManifestError, match="label value must be a string"):
        load_manifests_text("kind: Pod\napiVersion: v1\nmetadata:\n  name: p\n"
                            "  labels:\n    app: on\n")


def test_manifest_alias_bomb_is_one_positioned_error() -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifests_text(laughs(9))
    assert caught.value.line is not None
    assert "aliases repeat more than" in str(caught.value)


@pytest.mark.parametrize("text", ["!!python/object/apply:os.system [id]", "!!binary aGk=",
                                  "? [a]\n: b", "!!bool maybe"])
def test_tags_and_odd_keys_are_refused_as_yaml_errors(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        load(text)


def test_problem_output_escapes_everything_unprintable() -> None:
    problem = Problem("a\x1b[2J.yaml", 1, 2, "bad \x1b]52;c;eA==\x07 thing", "id\nx")
    shown = str(problem)
    assert not has_control(shown.replace("\n", "\x00")) and "\n" not in shown
    assert shown == "a\\e[2J.yaml:1:2: id\\nx: bad \\e]52;c;eA==\\x07 thing"


# The gate that skips the control-character walk must never skip a file that has one.
@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_a_string_with_control_characters_is_always_found(value: str) -> None:
    for style in (None, '"', "'", "|"):
        try:
            text = yaml.safe_dump({"k": value}, default_style=style, allow_unicode=True)
            data = load(text)
        except yaml.YAMLError:
            continue
        if has_control(value) and data == {"k": value}:
            assert may_hold_control(text)
            assert find_controls(data) == [(("k",), False, find_controls(data)[0][2])]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_the_gate_is_sound_for_any_text(text: str) -> None:
    try:
        data = load(text)
    except yaml.YAMLError:
        return
    if not may_hold_control(text):
        assert find_controls(data) == []


def _bank_with(tmp_path: Path, question_yaml: str) -> Path:
    root = tmp_path / "bank"
    root.mkdir()
    shutil.copy(GOOD / "concepts.yaml", root)
    (root / "case.yaml").write_text(question_yaml)
    return root


def test_long_values_are_never_echoed_in_full(tmp_path: Path) -> None:
    big = "[" + ", ".join(["x" * 50] * 200) + "]"
    root = _bank_with(tmp_path, "topic: network-policies\nquestions:\n  - id: np-long\n"
                      f"    concepts: [default-deny]\n    question: q?\n    shuffle: {big}\n"
                      "    choices: [{text: a, correct: true}, {text: b, why: w}]\n"
                      "    explanation: x\n")
    _, problems = check_bank([root])
    message = next(p.message for p in problems if "shuffle" in p.message)
    assert message.startswith("shuffle: expected true or false, found [")
    assert len(message) < 160


SECRET = "-----BEGIN PRIVATE KEY----- do-not-print-me"


@pytest.fixture
def scenario_bank(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(SCENARIO, root)
    (tmp_path / "id_rsa").write_text(SECRET + "\n")
    return root


def _point_scenario(bank: Path, target: str) -> None:
    path = bank / "network-policies.yaml"
    text = path.read_text()
    start = text.index("    scenario:\n")
    end = text.index("    choices:", start)
    path.write_text(text[:start] + f"    scenario: {target}\n" + text[end:])


@pytest.mark.parametrize("target", ["ABSOLUTE", "../id_rsa", "scenarios/../../id_rsa",
                                    "link.yaml"])
def test_scenario_paths_stay_inside_the_bank(scenario_bank: Path, target: str) -> None:
    outside = scenario_bank.parent / "id_rsa"
    (scenario_bank / "scenarios").mkdir(exist_ok=True)
    (scenario_bank / "scenarios" / "key.yaml").symlink_to(outside)  # a link out of the bank
    name = {"ABSOLUTE": str(outside), "link.yaml": "scenarios/key.yaml"}.get(target, target)
    _point_scenario(scenario_bank, name)
    result = CliRunner().invoke(cli, ["validate", str(scenario_bank)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "do-not-print-me" not in result.output
    assert "scenario" in result.output and (
        "inside the bank" in result.output or "outside the bank" in result.output)


def test_a_scenario_inside_the_bank_may_use_dotdot(scenario_bank: Path) -> None:
    sub = scenario_bank / "more"
    sub.mkdir()
    os.replace(scenario_bank / "network-policies.yaml", sub / "network-policies.yaml")
    manifests = scenario_bank / "scenarios" / "shop.yaml"
    manifests.parent.mkdir(exist_ok=True)
    text = (sub / "network-policies.yaml").read_text()
    start = text.index("    scenario:\n") + len("    scenario:\n")
    end = text.index("    choices:", start)
    block = text[start:end]
    manifests.write_text(yaml.safe_dump_all(load(textwrap.dedent(block))))
    (sub / "network-policies.yaml").write_text(
        text[:start - len("\n")] + " ../scenarios/shop.yaml\n" + text[end:])
    result = CliRunner().invoke(cli, ["validate", str(scenario_bank)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["dangling", "loop", "fifo", "directory"])
def test_unreadable_bank_files_are_errors_naming_them(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "bank"
    shutil.copytree(GOOD, root)
    bad = root / "bad.yaml"
    if kind == "dangling":
        bad.symlink_to(root / "nowhere.yaml")
    elif kind == "loop":
        bad.symlink_to(bad)
    elif kind == "fifo":
        os.mkfifo(bad)  # reading it would block forever: it must never be opened blocking
    else:
        bad.mkdir()
    bank, problems = check_bank([root])
    assert bank is None
    assert [p.path.endswith("bad.yaml") for p in problems if p.severity == "error"] == [True]

"""Adding and editing questions: the bank keeps every byte it had, and stays valid."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank import check_bank, load_bank
from quiz.bank.drafts import (
    canonical_question,
    propose_id,
    render_question,
    validate_draft,
)
from quiz.bank.writer import (
    BankConflict,
    BankWriteError,
    DraftError,
    FileStamp,
    add_question,
    edit_question,
    read_question,
    topic_file,
    topic_stamp,
)

WRITER = Path(__file__).parent.parent / "data" / "writer"


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the writer fixture bank (comments, odd formatting), the cwd its parent."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "bank"
    shutil.copytree(WRITER / "bank", root)
    return root


def draft(qid: str, *, correct: tuple[int, ...] = (0,), concept: str = "default-deny",
          stem: str = "Which pods does a policy with `podSelector: {}` in `shop` select?",
          **extra: Any) -> dict[str, Any]:
    """A question as the form builds it: every field present, empty ones empty."""
    texts = ["Every pod in `shop`", "No pod at all", "Only pods without labels"]
    return {
        "id": qid, "concepts": [concept], "difficulty": "", "tags": [], "question": stem,
        "choices": [{"text": t, "correct": i in correct, "why": f"Reason {i}.\nSecond line."}
                    for i, t in enumerate(texts)],
        "shuffle": True, "explanation": "An empty selector selects all pods.", **extra,
    }


def add(root: Path, topic: str, question: dict[str, Any], **kwargs: Any) -> Path:
    return add_question(root, topic, question, expected=topic_stamp(root, topic), **kwargs)


def test_single_answer_question_is_appended_and_every_old_byte_kept(bank: Path) -> None:
    path = bank / "network-policies.yaml"
    old = path.read_bytes()
    assert add(bank, "network-policies", draft("np-new-single")) == path
    new = path.read_bytes()
    assert new.startswith(old) and len(new) > len(old)
    # written in the house style: defaults and empty fields left out, prose as blocks
    added = new[len(old):].decode()
    assert added.startswith("\n- id: np-new-single\n  concepts: [default-deny]\n")
    assert "shuffle" not in added and "difficulty" not in added and "correct: false" not in added
    assert "  question: |\n    Which pods" in added
    loaded = load_bank([bank])
    assert loaded.in_topic("network-policies")[-1].id == "np-new-single"
    question = loaded.questions["np-new-single"]
    assert question.correct_indices == frozenset({0}) and not question.is_multi
    assert yaml.safe_load(new)["questions"][-1] == canonical_question(draft("np-new-single"))


def test_multi_select_goes_inside_the_list_when_other_keys_follow(bank: Path) -> None:
    path = bank / "encryption.yaml"
    old = path.read_text()
    cut = old.index("# the topic comes last")
    add(bank, "encryption", draft("enc-new-multi", correct=(0, 2), concept="mesh-mtls",
                                  stem="Which statements about mesh mTLS hold?"))
    new = path.read_text()
    assert new.startswith(old[:cut]) and new.endswith(old[cut:])
    assert new[cut:len(new) - len(old) + cut].startswith("\n  - id: enc-new-multi\n")
    question = load_bank([bank]).questions["enc-new-multi"]
    assert question.is_multi and question.correct_indices == frozenset({0, 2})
    assert question.topic == "encryption"


def test_a_topic_without_a_file_gets_one(bank: Path) -> None:
    before = {p.name: p.read_bytes() for p in bank.iterdir()}
    assert topic_file(bank, "dns") is None
    path = add(bank, "dns", draft("dns-first", stem="How does a pod find a Service by name?"))
    assert path == bank / "dns.yaml"
    lines = path.read_text().splitlines()
    assert lines[0] == (bank / "network-policies.yaml").read_text().splitlines()[0]  # schema
    assert lines[1:4] == ["topic: dns", "questions:", "  - id: dns-first"]
    assert {p.name: p.read_bytes() for p in bank.iterdir() if p.name in before} == before
    assert [q.id for q in load_bank([bank]).in_topic("dns")] == ["dns-first"]


def test_a_bank_from_scratch_gets_a_catalog_and_uses_the_other_banks(bank: Path,
                                                                    tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    path = add_question(mine, "encryption", draft("my-mtls", concept="mesh-mtls",
                                                  stem="Who presents a certificate in mTLS?"),
                        expected=None, with_banks=[bank])
    assert path == mine / "encryption.yaml"
    catalog = (mine / "concepts.yaml").read_text()
    assert "concepts: []" in catalog and "its own" in catalog
    assert path.read_text().startswith("# yaml-language-server: $schema=questions.schema.json\n")
    merged = load_bank([bank, mine])
    assert merged.questions["my-mtls"].topic == "encryption"
    with pytest.raises(BankWriteError, match="have errors already") as raised:
        add_question(mine, "encryption", draft("my-other", concept="mesh-mtls"),
                     expected=FileStamp.of(path))  # without the bank its topic comes from
    assert "unknown topic 'encryption'" in str(raised.value)


def test_crlf_file_and_empty_list_are_appended_to(bank: Path) -> None:
    path = bank / "dns.yaml"
    path.write_bytes(b"# no questions yet\r\ntopic: dns\r\nquestions: []  # to do\r\n")
    old = path.read_bytes()
    add(bank, "dns", draft("dns-crlf", stem="What answers a pod's DNS queries?"))
    new = path.read_bytes()
    assert new.startswith(b"# no questions yet\r\ntopic: dns\r\nquestions:  # to do\r\n  - id:")
    assert b"\n" not in new.replace(b"\r\n", b"") and len(new) > len(old)
    add(bank, "dns", draft("dns-crlf-2", stem="Which record does a headless Service get?"))
    assert path.read_bytes().startswith(new)
    assert [q.id for q in load_bank([bank]).in_topic("dns")] == ["dns-crlf", "dns-crlf-2"]


def test_edit_changes_only_the_question_and_keeps_its_comments(bank: Path) -> None:
    path = bank / "network-policies.yaml"
    old = path.read_text()
    start = old.index("- id: np-deny-all-egress")
    end = old.index("\n# trailing comment")
    data, stamp, found = read_question(bank, "np-deny-all-egress")
    assert found == path
    data["choices"][1]["why"] = "It isolates ingress only."
    data["choices"].append({"text": "A policy that selects no pods", "why": "It selects none."})
    data["difficulty"] = "medium"
    assert edit_question(bank, "np-deny-all-egress", data, expected=stamp) == path
    new = path.read_text()
    assert new.startswith(old[:start]) and new.endswith(old[end:])
    edited = new[start:len(new) - len(old) + end]
    for comment in ("# keep this comment", "# a comment between keys", "# inline comment"):
        assert comment in edited
    assert "  difficulty: medium\n" in edited and "Without policyTypes" not in edited
    question = load_bank([bank]).questions["np-deny-all-egress"]
    assert question.choices[1].why == "It isolates ingress only.\n"
    assert len(question.choices) == 3 and question.difficulty == "medium"


def test_edit_leaves_unchanged_values_as_they_were_written(bank: Path) -> None:
    path = bank / "network-policies.yaml"
    old = path.read_text()
    data, stamp, _ = read_question(path, "np-empty-selector")
    data["explanation"] = "Everything in the namespace."
    edit_question(path, "np-empty-selector", data, expected=stamp)
    new = path.read_text()
    changed = old.replace("    An empty selector selects all pods of the namespace.\n",
                          "    Everything in the namespace.\n")
    assert new == changed  # the flow list, the folded `>-` why, the quoted stem: all as they were


def test_editing_a_scenario_question_keeps_its_manifests_as_written(bank: Path) -> None:
    path = bank / "network-policies-scenarios.yaml"
    old = path.read_text()
    data, stamp, _ = read_question(bank, "np-scenario-db-from-web")
    data["choices"][2]["why"] = "Without `ports` the rule admits `web` on every port."
    data["choices"][2]["claims"][0]["port"] = 5433
    edit_question(bank, "np-scenario-db-from-web", data, expected=stamp)
    assert path.read_text() == old.replace(
        "          The rule has no `ports`, so it admits `web` on every port.\n",
        "          Without `ports` the rule admits `web` on every port.\n").replace(
        "port: 5432, allowed: false}", "port: 5433, allowed: false}")
    data["choices"][2]["correct"] = True  # the evaluator disagrees: refused, field named
    with pytest.raises(DraftError) as raised:
        edit_question(bank, "np-scenario-db-from-web", data, expected=FileStamp.of(path))
    assert [p.path for p in raised.value.problems] == [("choices", 2, "correct")]


def test_edit_never_changes_the_id(bank: Path) -> None:
    path = bank / "encryption.yaml"
    old = path.read_bytes()
    data, stamp, _ = read_question(bank, "enc-mtls-hop")
    data["id"] = "enc-renamed"
    with pytest.raises(DraftError) as raised:
        edit_question(bank, "enc-mtls-hop", data, expected=stamp)
    assert [p.path for p in raised.value.problems] == [("id",)]
    assert path.read_bytes() == old


def test_a_file_changed_since_it_was_read_is_not_overwritten(bank: Path) -> None:
    path = bank / "encryption.yaml"
    data, stamp, _ = read_question(bank, "enc-mtls-hop")
    stale = topic_stamp(bank, "encryption")
    with path.open("a") as f:
        f.write("# someone else's edit\n")
    changed = path.read_bytes()
    data["question"] = "What does mesh mTLS protect?"
    with pytest.raises(BankConflict, match="encryption.yaml changed on disk"):
        edit_question(bank, "enc-mtls-hop", data, expected=stamp)
    with pytest.raises(BankConflict):
        add_question(bank, "encryption", draft("enc-late", concept="mesh-mtls"), expected=stale)
    assert path.read_bytes() == changed
    assert [p.name for p in bank.iterdir() if p.name.startswith(".")] == []


def test_an_invalid_draft_is_rejected_with_the_loaders_messages(bank: Path) -> None:
    bad = draft("np-bad", explanation="   ")
    bad["choices"][1]["whyy"] = "typo"
    path = bank / "network-policies.yaml"
    old = path.read_bytes()
    with pytest.raises(DraftError) as raised:
        add(bank, "network-policies", bad)
    assert path.read_bytes() == old
    problems = {p.path: p.message for p in raised.value.problems}
    assert problems == {
        ("explanation",): "explanation: must not be blank",
        ("choices", 1, "whyy"): "unknown key 'whyy' (did you mean 'why'?)",
    }
    assert set(problems.values()) == set(_validate_messages(bank, bad))
    unanswered = draft("np-bad", correct=())
    with pytest.raises(DraftError) as raised:
        add(bank, "network-policies", unanswered)
    assert [(p.path, p.message) for p in raised.value.problems] == [
        (("choices",), "choices: no choice is marked correct")]
    assert [p.message for p in raised.value.problems] == _validate_messages(bank, unanswered)


def test_reference_and_duplicate_checks_match_quiz_validate(bank: Path) -> None:
    loaded = load_bank([bank])
    cross = draft("np-new", concept="default-denny",
                  stem="What does an empty `podSelector: {}` select?")
    del cross["choices"][2]["why"]
    found = validate_draft(loaded, "network-policies", cross)
    assert {(p.path, p.severity) for p in found} == {
        (("concepts", 0), "error"), (("question",), "warning"), (("choices", 2), "warning")}
    assert "unknown concept 'default-denny' (did you mean 'default-deny'?)" in map(str, found)
    assert {p.message for p in found} == set(_validate_messages(bank, cross))
    twin = draft("np-empty-selector")
    [duplicate] = validate_draft(loaded, "network-policies", twin)
    assert duplicate.path == ("id",) and duplicate.message == (
        "duplicate question id 'np-empty-selector' (first defined at "
        "bank/network-policies.yaml:6:3)")
    assert [duplicate.message] == _validate_messages(bank, twin)
    # the question being edited is no duplicate of itself
    assert validate_draft(loaded, "network-policies", twin, replacing="np-empty-selector") == []


def _validate_messages(bank: Path, question: dict[str, Any]) -> list[str]:
    """What `quiz validate` reports about ``question`` put in a file of its own."""
    case = bank / "zz-case.yaml"  # loads last, as a new question would
    case.write_text("topic: network-policies\nquestions:\n"
                    + render_question(canonical_question(question)))
    try:
        _, problems = check_bank([bank], similar=True)
    finally:
        case.unlink()
    return [p.message for p in problems if p.path.endswith("zz-case.yaml")]


def test_warnings_do_not_stop_a_question_being_added(bank: Path) -> None:
    question = draft("np-twin", stem="What does an empty `podSelector: {}` select?")
    question["choices"][1]["why"] = ""
    add(bank, "network-policies", question)
    assert load_bank([bank]).questions["np-twin"].choices[1].why is None


def test_proposed_ids_follow_the_topic_prefix_and_never_clash(bank: Path) -> None:
    loaded = load_bank([bank])
    stem = "Which pods can reach the `db` pod on TCP 5432 after both policies apply?"
    first = propose_id(stem, "network-policies", set(loaded.questions), bank=loaded)
    assert first == "np-pods-reach-db-pod-tcp-5432-after-both-policies"
    assert len(first) <= 50
    taken = {first, *loaded.questions}
    second = propose_id(stem, "network-policies", taken, bank=loaded)
    third = propose_id(stem, "network-policies", {second, *taken}, bank=loaded)
    assert (second, third) == (first[:48] + "-2", first[:48] + "-3")
    assert propose_id("How is traffic encrypted?", "encryption", set(), bank=loaded) \
        == "enc-traffic-encrypted"
    assert propose_id("What is a CNI plugin?", "pod-networking", set()) == "pn-cni-plugin"
    assert propose_id("```yaml\nkind: Pod\n```\nWhich?", "dns", set()) == "dns-question"


def test_a_write_that_breaks_the_bank_is_undone(bank: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("quiz.bank.drafts.validate_draft", lambda *_a, **_k: [])
    path = bank / "network-policies.yaml"
    old = path.read_bytes()
    with pytest.raises(BankWriteError, match="would make the bank invalid") as raised:
        add(bank, "network-policies", draft("np-broken", concept="no-such-concept"))
    assert path.read_bytes() == old
    assert any("no-such-concept" in p.message for p in raised.value.problems)
    with pytest.raises(BankWriteError):
        add(bank, "dns", draft("dns-broken", concept="no-such-concept"))
    assert not (bank / "dns.yaml").exists()


def test_a_read_only_file_is_refused(bank: Path) -> None:
    path = bank / "encryption.yaml"
    path.chmod(0o444)
    try:
        if os.access(path, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes")
        with pytest.raises(BankWriteError, match="encryption.yaml is read-only"):
            add(bank, "encryption", draft("enc-ro", concept="mesh-mtls"))
    finally:
        path.chmod(0o644)


def test_a_file_the_system_reports_read_only_is_refused(bank: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = bank / "encryption.yaml"
    old = path.read_bytes()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != path and real(p, mode))
    with pytest.raises(BankWriteError, match="encryption.yaml is read-only") as raised:
        add(bank, "encryption", draft("enc-ro", concept="mesh-mtls"))
    assert raised.value.path == path and path.read_bytes() == old


def test_a_read_only_directory_is_refused(bank: Path) -> None:
    bank.chmod(0o555)
    try:
        if os.access(bank, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes")
        with pytest.raises(BankWriteError, match="the directory is read-only"):
            add(bank, "dns", draft("dns-ro"))
    finally:
        bank.chmod(0o755)


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
                min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(choice=_text, stem=_text, why=_text)
def test_any_text_loads_back_exactly(choice: str, stem: str, why: str) -> None:
    question = canonical_question({"id": "x-y", "concepts": ["c"], "question": stem,
                                   "choices": [{"text": choice, "correct": True},
                                               {"text": choice + " not", "why": why}],
                                   "explanation": why})
    for indent in (0, 2, 4):
        text = "questions:\n" + render_question(question, indent=indent)
        assert yaml.load(text, Loader=yaml.CSafeLoader) == {"questions": [question]}


def test_a_writer_holding_the_lock_keeps_another_out(bank: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from quiz.bank import atomic

    monkeypatch.setattr(atomic, "LOCK_WAIT", 0.05)
    path = bank / "encryption.yaml"
    old = path.read_bytes()
    with atomic.locked(path, "encryption.yaml"):  # another quiz in the middle of its write
        with pytest.raises(BankWriteError, match="being written by another program"):
            add(bank, "encryption", draft("enc-locked-out", concept="mesh-mtls"))
        assert path.read_bytes() == old
    add(bank, "encryption", draft("enc-after-the-lock", concept="mesh-mtls"))
    assert "enc-after-the-lock" in load_bank([bank]).questions
    assert not [p.name for p in bank.iterdir() if p.name.startswith(".")]  # lock file gone


def test_a_change_made_while_the_write_waits_for_the_lock_is_not_lost(
        bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from quiz.bank import atomic

    path = bank / "encryption.yaml"
    real_locked = atomic.locked

    def someone_writes_first(target: Path, shown: str) -> Any:
        with path.open("a") as f:  # lands between the stamp check and the lock
            f.write("# another editor's change\n")
        return real_locked(target, shown)

    monkeypatch.setattr(atomic, "locked", someone_writes_first)
    with pytest.raises(BankConflict, match="changed on disk while it was being written"):
        add(bank, "encryption", draft("enc-lost", concept="mesh-mtls"))
    assert path.read_text().endswith("# another editor's change\n")
    assert "enc-lost" not in path.read_text()


def test_the_app_bank_is_used_as_it_is_and_a_save_does_not_reload_it(
        bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_bank([bank])

    def no_reload(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the whole bank was checked again")

    monkeypatch.setattr("quiz.bank.writer.check_bank", no_reload)
    add_question(bank, "encryption", draft("enc-fast", concept="mesh-mtls"),
                 expected=topic_stamp(bank, "encryption"), bank=loaded)
    data, stamp, _ = read_question(bank, "enc-fast")
    data["difficulty"] = "hard"
    edit_question(bank, "enc-fast", data, expected=stamp, bank=loaded)
    with pytest.raises(BankWriteError, match="would make the bank invalid"):
        monkeypatch.setattr("quiz.bank.drafts.validate_draft", lambda *_a, **_k: [])
        add_question(bank, "encryption", draft("enc-fast", concept="mesh-mtls"),
                     expected=topic_stamp(bank, "encryption"), bank=loaded)
    monkeypatch.undo()
    assert load_bank([bank]).questions["enc-fast"].difficulty == "hard"


def test_an_installed_bank_is_never_edited_in_place(tmp_path: Path) -> None:
    installed = tmp_path / "venv" / "lib" / "site-packages" / "quiz" / "question_bank"
    shutil.copytree(WRITER / "bank", installed)
    path = installed / "encryption.yaml"
    old = path.read_bytes()
    data, stamp, _ = read_question(installed, "enc-mtls-hop")
    data["difficulty"] = "hard"
    with pytest.raises(BankWriteError, match="part of the installed app"):
        edit_question(installed, "enc-mtls-hop", data, expected=stamp)
    assert path.read_bytes() == old
    from quiz.bank.writer import is_installed
    from quiz.paths import bundled_bank

    assert not is_installed(bundled_bank())  # the source checkout: contributors edit in place

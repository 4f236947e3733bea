"""Bank edits: a changed answer key gives a fresh card; removed questions become orphans."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from quiz.bank import Bank, load_bank
from quiz.scheduling import make_scheduler, rebuild_cards, review_queue
from quiz.store import Store
from tests.conftest import MINI

if TYPE_CHECKING:
    from tests.conftest import Clock



@pytest.fixture
def edited(tmp_path: Path) -> Bank:
    """The mini bank with one answer key changed, one explanation reworded, one question gone."""
    root = tmp_path / "bank"
    shutil.copytree(MINI, root)
    nps = root / "network-policies.yaml"
    text = nps.read_text()
    text = text.replace("UDP and TCP port 53 to the cluster DNS pods",
                        "UDP and TCP port 53 to the kube-dns Service")
    text = text.replace("picks all of them.", "selects all of them.")
    nps.write_text(text)
    enc = root / "encryption.yaml"
    enc.write_text(enc.read_text().split("  - id: enc-wireguard-scope")[0])
    return load_bank([root])


def _answer_all(store: Store, bank: Bank, clock: Clock) -> None:
    for day in range(3):
        for q in bank.questions.values():
            store.record_answer(q, [0])
        clock.advance(days=day + 1)


def test_a_changed_answer_key_gives_a_fresh_card_and_keeps_history(
        store: Store, bank: Bank, edited: Bank, clock: Clock) -> None:
    _answer_all(store, bank, clock)
    old_logs = store.logs(question_id="np-egress-dns")
    report = store.sync_bank(edited)
    assert report.reset == ("np-egress-dns",)  # the reworded explanation does not count
    card = store.card("np-egress-dns")
    assert card is not None and card.is_new and card.reset_at == clock()
    assert card.fingerprint == edited.questions["np-egress-dns"].fingerprint()
    assert store.logs(question_id="np-egress-dns") == old_logs
    assert not store.card("np-deny-scope").is_new  # type: ignore[union-attr]
    assert "np-egress-dns" in [q.id for q in review_queue(edited, store, clock())]
    assert store.sync_bank(edited).reset == ()  # idempotent
    # Rebuilding replays only the answers given since the reset.
    answer = store.record_answer(edited.questions["np-egress-dns"], [0])
    assert rebuild_cards(store, make_scheduler(enable_fuzzing=False)) == 0
    assert store.card("np-egress-dns") == answer.card


def test_removed_questions_keep_their_history_as_orphans(
        store: Store, bank: Bank, edited: Bank, clock: Clock) -> None:
    _answer_all(store, bank, clock)
    report = store.sync_bank(edited)
    assert report.orphaned == ("enc-wireguard-scope",)
    assert store.orphaned_ids(edited) == ["enc-wireguard-scope"]
    assert len(store.logs(question_id="enc-wireguard-scope")) == 3
    assert store.card("enc-wireguard-scope") is not None
    assert "enc-wireguard-scope" not in [q.id for q in review_queue(edited, store,
                                                                     clock() + timedelta(days=400))]


def test_answering_an_edited_question_before_a_sync_also_starts_fresh(
        store: Store, bank: Bank, edited: Bank, clock: Clock) -> None:
    _answer_all(store, bank, clock)
    answer = store.record_answer(edited.questions["np-egress-dns"], [0])
    [entry] = store.logs(question_id="np-egress-dns")[-1:]
    assert entry.card_before.is_new and entry.card_before.reset_at == clock()
    assert answer.card.introduced_at == clock()  # it counts as a new question today

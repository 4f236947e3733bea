"""A class of three learners with known answers on the mini bank (or the TUI bank's ids), for
the cohort tests: the figures each test expects are worked out by hand below.

alice  np-deny-scope ✗ then ✓, np-egress-all-above ✗, enc-mtls-mutual ✓ (practice)
bob    np-deny-scope ✗, np-deny-effects ✗, np-egress-dns ✓ (a handed-in exam's answer)
carol  enc-wireguard-scope ✓, np-deny-scope ✓, retired-question ✗ (no longer in the bank)

By concept (mini bank): default-deny (np-deny-scope, np-deny-effects, np-egress-all-above)
6 answers, 4 wrong, 3 learners answered, 2 missed; egress-rules (np-egress-dns,
np-egress-all-above) 2/1, 2 learners, 1 missed; mesh-mtls 1/0 (alice); wireguard 1/0 (carol).
Missed questions: np-deny-scope 4 answers, 2 wrong, 3 learners, 2 missed; np-deny-effects and
np-egress-all-above 1 answer, 1 wrong, 1 learner each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from quiz.bank import Bank
from quiz.store import Store
from tests.conftest import T0, Clock

# (learner, question id, right, mode, hours before T0)
ANSWERS = [
    ("alice", "np-deny-scope", False, "review", 50),
    ("alice", "np-deny-scope", True, "review", 49),
    ("alice", "np-egress-all-above", False, "review", 48),
    ("alice", "enc-mtls-mutual", True, "practice", 3),
    ("bob", "np-deny-scope", False, "review", 30),
    ("bob", "np-deny-effects", False, "review", 29),
    ("bob", "np-egress-dns", True, "exam", 28),
    ("carol", "enc-wireguard-scope", True, "review", 6),
    ("carol", "np-deny-scope", True, "review", 5),
    ("carol", "retired-question", False, "review", 4),
]
LAST_ANSWER = {"alice": T0 - timedelta(hours=3), "bob": T0 - timedelta(hours=28),
               "carol": T0 - timedelta(hours=4)}
RETIRED = "retired-question"


def record_class(bank: Bank, store_for: Callable[[str], Store], clock: Clock,
                 end: datetime = T0) -> None:
    """Record ``ANSWERS`` through each learner's store, hours before ``end``; the clock ends
    at ``end``."""
    retired = dataclasses.replace(bank.questions["np-deny-scope"], id=RETIRED)
    for learner, qid, right, mode, hours in ANSWERS:
        question = retired if qid == RETIRED else bank.questions[qid]
        wrong = sorted(set(range(len(question.choices))) - question.correct_indices)
        picked = sorted(question.correct_indices) if right else wrong[:1]
        clock.value = end - timedelta(hours=hours)
        store = store_for(learner)
        session = store.start_exam([qid]).session.id if mode == "exam" else None
        store.record_answer(question, picked, mode=mode, session_id=session)
        if session is not None:  # handed in: its answers are logged (quiz.exam.ExamRun.submit)
            store.finish_session(session, score=int(right), total=1, per_topic={})
    clock.value = end


def last_answer(learner: str, end: datetime = T0) -> datetime:
    """When ``learner`` last answered, for a class recorded up to ``end``."""
    return end - (T0 - LAST_ANSWER[learner])

"""Scheduling: card ids, grading, queue order, daily new limits by local day, rebuilding."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, ReviewLog

from quiz.bank import Bank, Question
from quiz.scheduling import (
    card_id_for,
    due_today,
    interleave,
    local_day,
    make_scheduler,
    practice_queue,
    rating_for,
    rebuild_cards,
    review_queue,
)
from quiz.store import Store
from tests.conftest import NEW_YORK, T0, Clock


def ids(questions: list[Question]) -> list[str]:
    return [q.id for q in questions]


def neighbours_share_a_concept(questions: list[Question]) -> int:
    return sum(not set(a.concepts).isdisjoint(b.concepts)
               for a, b in zip(questions, questions[1:], strict=False))


def test_card_ids_are_stable_distinct_positive_63_bit_ints(bank: Bank) -> None:
    values = {card_id_for(q) for q in bank.questions}
    assert len(values) == len(bank.questions)
    assert all(0 < v < 2**63 for v in values)
    # Pinned: a different id would orphan every stored fsrs card after an upgrade.
    assert card_id_for("np-deny-scope") == 0x2D0DF96AEA4292BF


def test_grading_and_scheduler_options() -> None:
    assert (rating_for(True), rating_for(False)) == (Rating.Good, Rating.Again)
    assert make_scheduler(enable_fuzzing=False).enable_fuzzing is False
    assert make_scheduler().enable_fuzzing is True  # the app schedules with fuzz
    assert make_scheduler(0.85).desired_retention == 0.85


def test_local_day_follows_the_time_zone() -> None:
    late_evening = datetime(2025, 3, 11, 3, 30, tzinfo=UTC)  # 23:30 on the 10th in New York
    assert local_day(late_evening, NEW_YORK) == (datetime(2025, 3, 10, 4, tzinfo=UTC),
                                                 datetime(2025, 3, 11, 4, tzinfo=UTC))
    assert local_day(late_evening, UTC) == (datetime(2025, 3, 11, tzinfo=UTC),
                                            datetime(2025, 3, 12, tzinfo=UTC))


def test_a_fresh_store_queues_new_questions_round_robin_across_topics(
        bank: Bank, store: Store) -> None:
    queue = review_queue(bank, store, T0, tz=UTC)
    assert sorted(ids(queue)) == sorted(bank.questions)
    assert [q.topic for q in queue[:4]] == ["encryption", "network-policies"] * 2
    assert neighbours_share_a_concept(queue) == 0


def _to_review(store: Store, q: Question, clock: Clock, rating: Rating = Rating.Good) -> None:
    """Two right answers ten minutes apart take a new card to the Review state."""
    store.record_answer(q, [min(q.correct_indices)])
    clock.value += timedelta(minutes=10)
    answer = store.record_answer(q, [min(q.correct_indices)])
    if rating != Rating.Good:
        store.regrade(answer.log_id, rating)
    clock.value -= timedelta(minutes=10)


def test_due_reviews_come_first_lowest_retrievability_first(
        bank: Bank, store: Store, clock: Clock) -> None:
    _to_review(store, bank.questions["enc-mtls-mutual"], clock, Rating.Easy)
    _to_review(store, bank.questions["np-deny-scope"], clock, Rating.Hard)
    _to_review(store, bank.questions["np-egress-dns"], clock, Rating.Good)
    later = T0 + timedelta(days=40)
    queue = review_queue(bank, store, later, new_limit=10, tz=UTC)
    scheduler = store.scheduler()
    due = queue[:3]
    retrievability = [scheduler.get_card_retrievability(store.card(q.id).card, later)  # type: ignore[union-attr]
                      for q in due]
    assert ids(due) == ["np-deny-scope", "np-egress-dns", "enc-mtls-mutual"]
    assert retrievability == sorted(retrievability)
    assert len(queue) == 7 and neighbours_share_a_concept(queue) == 0


def test_not_yet_due_suspended_and_orphaned_questions_stay_out(
        bank: Bank, store: Store, clock: Clock) -> None:
    _to_review(store, bank.questions["np-deny-scope"], clock)
    store.set_suspended("enc-mtls-mutual")  # new, but suspended
    _to_review(store, bank.questions["enc-mtls-facts"], clock)
    store.set_suspended("enc-mtls-facts")  # due later, but suspended
    store.record_answer(bank.questions["np-deny-effects"], [0])
    del bank.questions["np-deny-effects"]  # gone from the bank: never queued
    queue = ids(review_queue(bank, store, T0 + timedelta(days=60), tz=UTC))
    assert queue[0] == "np-deny-scope"
    assert sorted(queue[1:]) == ["enc-wireguard-scope", "np-egress-all-above", "np-egress-dns"]
    assert "np-deny-scope" not in ids(review_queue(bank, store, T0 + timedelta(hours=1), tz=UTC))


def test_the_daily_new_limit_resets_at_local_midnight(
        bank: Bank, store: Store, clock: Clock) -> None:
    store.update_settings(daily_new_limit=2)
    clock.value = datetime(2025, 3, 11, 3, 30, tzinfo=UTC)  # 23:30 on the 10th in New York
    first = review_queue(bank, store, clock(), tz=NEW_YORK)
    assert len(first) == 2
    for q in first:
        store.record_answer(q, [min(q.correct_indices)])
    assert review_queue(bank, store, clock(), tz=NEW_YORK) == []
    assert len(review_queue(bank, store, clock(), new_limit=3, tz=NEW_YORK)) == 1

    clock.value += timedelta(hours=1)  # 00:30 on the 11th in New York; still the 11th in UTC
    next_day = review_queue(bank, store, clock(), tz=NEW_YORK)
    assert len([q for q in next_day if q.id not in ids(first)]) == 2
    assert [q for q in review_queue(bank, store, clock(), tz=UTC)
            if q.id not in ids(first)] == []  # in UTC it is the same day: nothing new


def test_due_today_counts_day_scale_reviews_all_day_and_short_steps_once_due(
        bank: Bank, store: Store, clock: Clock) -> None:
    store.update_settings(daily_new_limit=1)
    scope, dns = bank.questions["np-deny-scope"], bank.questions["np-egress-dns"]
    # np-deny-scope: right twice long ago, so it is on a day-scale interval due at 20:00 today.
    clock.value = T0 - timedelta(days=5)
    store.record_answer(scope, [min(scope.correct_indices)])
    store.record_answer(scope, [min(scope.correct_indices)])
    record = store.cards()["np-deny-scope"]
    store.save_schedules([replace(record, card=replace(
        record.card, due=T0 + timedelta(hours=8), last_review=T0 - timedelta(days=5)))])
    # np-egress-dns: missed at noon today, its relearning step ends in minutes.
    clock.value = T0
    store.record_answer(dns, [min(set(range(len(dns.choices))) - dns.correct_indices)])

    today = due_today(bank, store, T0, tz=UTC)
    assert ids(list(today.reviews)) == ["np-deny-scope"]  # due tonight: counted all day
    assert len(today.new) == 0  # np-egress-dns used today's one new question
    assert today.total == 1 == len(review_queue(bank, store, T0, tz=UTC))

    later = T0 + timedelta(hours=1)  # the step is over: np-egress-dns is due now
    today = due_today(bank, store, later, tz=UTC)
    assert sorted(ids(list(today.reviews))) == ["np-deny-scope", "np-egress-dns"]
    assert today.per_topic() == {"network-policies": 2}
    assert sum(today.per_topic().values()) == today.total == len(
        review_queue(bank, store, later, tz=UTC))
    # Tomorrow: a new day's allowance, and suspended questions never count.
    store.set_suspended("np-deny-scope")
    tomorrow = due_today(bank, store, T0 + timedelta(days=1), tz=UTC)
    assert "np-deny-scope" not in ids([*tomorrow.reviews, *tomorrow.new])
    assert len(tomorrow.new) == 1


def test_practice_answers_do_not_use_up_the_new_limit(
        bank: Bank, store: Store) -> None:
    store.update_settings(daily_new_limit=1)
    for q in bank.questions.values():
        store.record_answer(q, [0], mode="practice")
    assert len(review_queue(bank, store, T0, tz=UTC)) == 1


def test_practice_queue_is_every_question_of_a_topic_or_concept_shuffled(bank: Bank) -> None:
    topic = practice_queue(bank, topic="network-policies", rng=random.Random(1))
    assert sorted(ids(topic)) == sorted(q.id for q in bank.in_topic("network-policies"))
    again = practice_queue(bank, topic="network-policies", rng=random.Random(1))
    assert ids(topic) == ids(again)
    orders = {tuple(ids(practice_queue(bank, rng=random.Random(seed)))) for seed in range(8)}
    assert len(orders) > 1
    concept = practice_queue(bank, concept="egress-rules", rng=random.Random(2))
    assert sorted(ids(concept)) == ["np-egress-all-above", "np-egress-dns"]


def test_interleave_separates_shared_concepts_where_it_can(bank: Bank) -> None:
    q = bank.questions
    clustered = [q["enc-mtls-mutual"], q["enc-mtls-facts"], q["np-egress-dns"],
                 q["np-egress-all-above"], q["enc-wireguard-scope"], q["np-deny-scope"]]
    spread = interleave(clustered)
    assert sorted(ids(spread)) == sorted(ids(clustered))
    assert neighbours_share_a_concept(clustered) == 2
    assert neighbours_share_a_concept(spread) == 0
    assert neighbours_share_a_concept(interleave([q["enc-mtls-mutual"], q["enc-mtls-facts"]])) == 1


def test_rebuild_cards_replays_the_review_log(bank: Bank, store: Store, clock: Clock) -> None:
    q = bank.questions["np-egress-dns"]
    for days, picked in ((0, 0), (0.01, 0), (3, 1), (3.01, 0), (9, 0)):
        clock.value = T0 + timedelta(days=days)
        store.record_answer(q, [picked])
    store.record_answer(q, [1], mode="practice")  # not part of the schedule
    built = store.card(q.id)
    assert built is not None
    assert rebuild_cards(store, make_scheduler(enable_fuzzing=False)) == 0
    assert store.card(q.id) == built

    lenient = make_scheduler(0.8, enable_fuzzing=False)
    assert rebuild_cards(store, lenient) == 1
    logs = [ReviewLog(built.card.card_id, e.rating, e.answered_at, None)
            for e in store.logs(question_id=q.id) if e.mode == "review"]
    expected = lenient.reschedule_card(Card(card_id=built.card.card_id, due=built.due), logs)
    rebuilt = store.card(q.id)
    assert rebuilt is not None and rebuilt.card == expected
    assert rebuilt.due > built.due  # lower retention, longer intervals
    assert rebuilt.first_seen == built.first_seen  # only the schedule is rewritten


def test_your_own_new_questions_come_before_the_bundled_ones(tmp_path, store: Store) -> None:
    from quiz.bank import load_bank
    from quiz.paths import bundled_bank

    own = tmp_path / "mine"
    own.mkdir()
    (own / "concepts.yaml").write_text("concepts: []\n")
    (own / "encryption.yaml").write_text(
        "topic: encryption\nquestions:\n  - id: my-own-question\n"
        "    concepts: [mtls-service-mesh]\n"
        "    difficulty: easy\n    question: Which of these is my own question?\n"
        "    choices:\n      - text: This one\n        correct: true\n"
        "      - text: That one\n        why: It is not.\n"
        "    explanation: Added by the user.\n")
    bank = load_bank([bundled_bank(), own])
    queue = review_queue(bank, store, T0, new_limit=20, tz=UTC)
    # With 187 bundled questions new, round-robin alone would leave it out of today's 20.
    assert ids(queue)[0] == "my-own-question"
    assert len(queue) == 20

"""PostgreSQL as a store target: many writers at once, the write lock, connection failures.

The rest of tests/store runs on PostgreSQL too (see conftest.py); these are about what only a
server has.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from quiz.bank import Bank
from quiz.scheduling import review_queue
from quiz.store import SCHEMA_VERSION, Store, StoreError, make_engine
from quiz.store.engine import WRITE_LOCK_KEY
from quiz.store.snapshot import READS
from tests.conftest import T0, Clock
from tests.pg import PgServer
from tests.store.test_snapshot import use

pytestmark = pytest.mark.postgresql

WRITERS = 50
ANSWER_FOR_S = 3.0  # how long the writers answer: a bounded run, not a timing assertion


def _answer_at_once(stores: list[Store], questions: list[object],
                    at_least: int) -> dict[int, tuple[Store, list[int]]]:
    """Every store answers ``questions`` in turn, all at once from a barrier, for
    ``ANSWER_FOR_S`` (and at least ``at_least`` answers each), each in a session of its own;
    by session id, the store and the log ids it was given back. Any error (a lock error or
    deadlock reaching the user) fails the test."""
    got: dict[int, tuple[Store, list[int]]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def writer(number: int, store: Store) -> None:
        try:
            session = store.start_session("review")
            mine: list[int] = []
            got[session.id] = (store, mine)
            start.wait()
            deadline = time.monotonic() + ANSWER_FOR_S
            i = number
            while time.monotonic() < deadline or len(mine) < at_least:
                q = questions[i % len(questions)]
                mine.append(store.record_answer(q, [i % len(q.choices)],  # type: ignore[attr-defined]
                                                session_id=session.id).log_id)
                i += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n, s)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert not any(t.is_alive() for t in threads)
    return got


def _logged(url: str, *columns: str) -> list[Any]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, {', '.join(columns)}, question_id, answered_at, "
                                 "card_before FROM review_log ORDER BY id")).all()
    engine.dispose()
    return rows


def _no_update_lost(store: Store, rows: list[Any]) -> None:
    """Each answer in ``rows`` (one learner's, in order) met the card as the answer before it
    left it, and the store's card is as the last one left it."""
    by_question: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    for question_id, answers in by_question.items():
        for before, after in zip(answers, answers[1:], strict=False):
            met = json.loads(after.card_before)["card"]["last_review"]
            assert met is not None and met == before.answered_at.isoformat(), \
                (store.learner, question_id)
        card = store.card(question_id)
        assert card is not None
        assert card.card.last_review == answers[-1].answered_at


def test_fifty_writers_at_once_lose_no_answer(pg_server: PgServer, bank: Bank) -> None:
    url = pg_server.new_database(migrated=True)
    questions = list(bank.questions.values())
    stores = [Store(make_engine(url)) for _ in range(WRITERS)]  # engines of their own
    # Everyone answers the same few cards, as one learner.
    got = _answer_at_once(stores, questions, at_least=1)
    rows = _logged(url, "session_id")
    stored: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        stored[row.session_id].append(row.id)
    assert len(got) == WRITERS
    assert {sid: sorted(ids) for sid, (_, ids) in got.items()} == dict(stored)  # all, once
    assert sum(len(ids) for _, ids in got.values()) > WRITERS  # they did answer at once
    _no_update_lost(stores[0], rows)
    for store in stores:
        store.close()


def test_fifty_learners_answering_at_once_lose_nothing(pg_server: PgServer,
                                                       bank: Bank) -> None:
    """Each learner's writes take that learner's lock: 50 learners answer the same questions
    (each their own cards) at once; every answer is kept, as that learner's, and each card
    met every answer of its learner as the one before left it."""
    url = pg_server.new_database(migrated=True)
    questions = list(bank.questions.values())[:5]
    stores = [Store(make_engine(url), learner=f"learner-{n:02}") for n in range(WRITERS)]
    got = {store.learner: ids for store, ids in
           _answer_at_once(stores, questions, at_least=2).values()}
    rows = _logged(url, "learner")
    stored: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        stored[row.learner].append(row.id)
    assert {k: sorted(v) for k, v in got.items()} == dict(stored)  # every answer, once, theirs
    assert stores[0].learners() == sorted(got)
    for store in stores:
        _no_update_lost(store, [row for row in rows if row.learner == store.learner])
        assert store.answer_counts()[0] == len(got[store.learner])
        store.close()


def test_a_learner_writes_while_another_learners_write_is_open(pg_server: PgServer,
                                                               bank: Bank) -> None:
    """Learners do not queue behind each other; a global write (a migration) waits for them."""
    url = pg_server.new_database(migrated=True)
    ana, bo = Store(make_engine(url), learner="ana"), Store(make_engine(url), learner="bo")
    holding, release = threading.Event(), threading.Event()

    def hold(conn: object) -> None:
        holding.set()
        release.wait(timeout=60)

    blocker = threading.Thread(target=lambda: ana._write(hold))
    blocker.start()
    assert holding.wait(timeout=60)
    answer = bo.record_answer(bank.questions["np-deny-scope"], [0])  # ana's write is open
    assert [e.id for e in bo.logs()] == [answer.log_id]
    with bo.engine.connect() as conn:  # a global write cannot start while ana's is open
        granted = conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                               {"key": WRITE_LOCK_KEY}).scalar()
        conn.rollback()
    release.set()
    blocker.join(timeout=60)
    with bo.engine.connect() as conn:  # and can once it is done
        after = conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"),
                             {"key": WRITE_LOCK_KEY}).scalar()
        conn.rollback()
    assert (granted, after) == (False, True)
    ana.close()
    bo.close()


def test_a_write_holds_the_write_lock_and_a_read_does_not(pg_server: PgServer) -> None:
    store = Store(make_engine(pg_server.new_database(migrated=True)), learner="ana")
    # The global key shared (one-key form: objid, objsubid 1), the learner's exclusive
    # (two-key form: classid is WRITE_LOCK_KEY, objid hashtext(learner), objsubid 2).
    held = ("SELECT mode, objsubid, objid = (hashtext('ana') & x'ffffffff'::bigint)::oid "
            "FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            "AND ((objsubid = 1 AND objid = :key) OR (objsubid = 2 AND classid = :key)) "
            "ORDER BY objsubid")
    in_write = store._write(lambda conn: [tuple(r) for r in conn.execute(
        text(held), {"key": WRITE_LOCK_KEY})])
    in_global = store._write(lambda conn: [tuple(r) for r in conn.execute(
        text(held), {"key": WRITE_LOCK_KEY})], global_lock=True)
    with store._read() as conn:
        in_read = conn.execute(text(held), {"key": WRITE_LOCK_KEY}).all()
    store.close()
    assert in_write == [("ShareLock", 1, False), ("ExclusiveLock", 2, True)]
    assert in_global == [("ExclusiveLock", 1, False)] and in_read == []


def test_an_answer_waits_for_another_copys_write_then_is_kept(pg_server: PgServer,
                                                              bank: Bank) -> None:
    url = pg_server.new_database(migrated=True)
    store, other = Store(make_engine(url)), Store(make_engine(url))
    q = bank.questions["np-deny-scope"]
    holding, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def hold(conn: object) -> None:
        holding.set()
        release.wait(timeout=60)

    blocker = threading.Thread(target=lambda: other._write(hold))
    blocker.start()
    assert holding.wait(timeout=60)
    answering = threading.Thread(target=lambda: seen.append(store.record_answer(q, [0]).log_id))
    answering.start()
    waiting = 0
    with other.engine.connect() as conn:  # the answer queues for the lock the other holds
        for _ in range(600):
            waiting = conn.execute(text(  # the learner's lock: (WRITE_LOCK_KEY, hash)
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND classid = :key AND objsubid = 2"), {"key": WRITE_LOCK_KEY}).scalar() or 0
            conn.rollback()
            if waiting or not answering.is_alive():
                break
            time.sleep(0.05)
    release.set()
    blocker.join(timeout=60)
    answering.join(timeout=60)
    assert waiting == 1 and len(seen) == 1
    assert [e.id for e in store.logs(question_id=q.id)] == seen
    store.close()
    other.close()


@pytest.mark.parametrize("what", ["password", "query", "database", "port"])
def test_a_server_that_refuses_is_one_line_naming_it(pg_server: PgServer, what: str) -> None:
    url = {"password": pg_server.url(password="not-the-password"),
           "query": f"postgresql+psycopg://postgres@127.0.0.1:{pg_server.port}/postgres"
                    "?password=not-the-password",
           "database": pg_server.url("no_such_database"),
           "port": pg_server.url().replace(f":{pg_server.port}/", ":1/")}[what]
    with pytest.raises(StoreError) as error:
        Store(make_engine(url))
    message = str(error.value)
    assert "\n" not in message and "cannot connect to the database server" in message
    assert "127.0.0.1" in message and "not-the-password" not in message
    assert pg_server.password not in message
    reason = {"password": "password authentication failed",
              "query": "password authentication failed",
              "database": 'database "no_such_database" does not exist',
              "port": "Connection refused"}[what]
    assert reason in message


def test_copies_setting_up_a_new_database_at_once_migrate_it_once(pg_url: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def open_one() -> None:
        try:
            start.wait()
            Store(make_engine(pg_url)).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        versions = list(conn.execute(text("SELECT version FROM schema_version ORDER BY 1"))
                        .scalars())
    engine.dispose()
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_every_read_on_postgresql_is_what_sqlite_reads(pg_server: PgServer, bank: Bank,
                                                       tmp_path: Path) -> None:
    stores, clocks = [], []
    for target in (tmp_path / "p.db", pg_server.new_database(migrated=True)):
        clock = Clock(T0)
        store = Store(make_engine(target), now=clock, enable_fuzzing=False)
        use(store, bank, clock)
        stores.append(store)
        clocks.append(clock)
    sqlite, pg = stores
    now = clocks[0]()
    exam_ids = [e.session.id for e in sqlite.exams()]
    assert exam_ids == [e.session.id for e in pg.exams()]
    pairs = {
        "now": ((), {}), "settings": ((), {}), "cards": ((), {}), "card_summaries": ((), {}),
        "card": (("np-deny-scope",), {}), "due_reviews": ((now + timedelta(days=30),), {}),
        "cards_due_after": ((now,), {}),
        "started_ids": ((), {}), "suspended_ids": ((), {}), "flagged_ids": ((), {}),
        "introduced_count": ((T0, T0 + timedelta(days=1)), {}), "answer_counts": ((), {}),
        "first_answer_counts": ((), {}),
        "answer_times": ((), {"since": T0 + timedelta(hours=1)}),
        "answer_hours": ((), {}), "logged_question_ids": ((), {}),
        "orphaned_ids": ((bank,), {}), "exams": ((), {}), "exam": ((exam_ids[-1],), {}),
        "exam_position": ((exam_ids[-1],), {}),
        "weekly_tally": ((T0 - timedelta(days=7),), {"local": "+60 minutes"}),
        "question_tally": ((), {}), "duration_tally": ((), {}),
    }
    assert set(pairs) | {"scheduler"} == READS
    for name, (args, kwargs) in pairs.items():
        mine, theirs = getattr(pg, name)(*args, **kwargs), getattr(sqlite, name)(*args, **kwargs)
        if name in ("due_reviews", "weekly_tally", "duration_tally"):  # in no set order
            mine, theirs = sorted(mine, key=repr), sorted(theirs, key=repr)
        assert mine == theirs, name
    assert pg.logs() == sqlite.logs() and pg.sessions() == sqlite.sessions()
    assert review_queue(bank, pg, now) == review_queue(bank, sqlite, now)
    for store in stores:
        store.close()


def test_without_postgresql_binaries_the_tests_say_why_they_skip(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.pg

    monkeypatch.setattr(tests.pg, "_find", lambda name: None if name == "initdb" else name)
    assert tests.pg.unavailable() == "no PostgreSQL binaries (initdb not on PATH)"

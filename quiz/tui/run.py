"""Start the app from the command line: check every input first, then open the UI.

Bad input (an invalid bank, an unusable database, an unknown topic or concept) is reported by
the CLI's helpers before Textual takes over the terminal: one message, no traceback.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.startup import Options, fail, load_bank_or_exit, open_store_or_exit

if TYPE_CHECKING:
    from quiz.bank import Bank
    from quiz.netpol import Cluster
    from quiz.store import Store
    from quiz.store.pending import PendingStore


def check_tag(bank: Bank, tag: str | None) -> None:
    """Exit with the tags the bank uses when no question carries ``tag``."""
    if tag is None:
        return
    known = sorted({t for q in bank.questions.values() for t in q.tags})
    if tag not in known:
        from quiz.textsafe import printable, quote

        fail(f"unknown tag {quote(tag)}; the tags are: {printable(', '.join(known)) or '(none)'}")


def check_topic(bank: Bank, topic: str | None, concept: str | None) -> None:
    """Exit with the list of valid ids when ``topic`` or ``concept`` is not in the bank."""
    if topic is not None and topic not in bank.topics:
        fail(f"unknown topic {topic!r}; the topics are: {', '.join(sorted(bank.topics))}")
    if concept is not None:
        if concept not in bank.concepts:
            known = sorted(c.id for c in bank.concepts.values()
                           if topic is None or c.topic == topic)
            fail(f"unknown concept {concept!r}; the concepts are: {', '.join(known)}")
        if topic is not None and bank.concepts[concept].topic != topic:
            fail(f"concept {concept!r} belongs to topic {bank.concepts[concept].topic!r}, "
                 f"not {topic!r}")


# Starts whose first screen reads progress only (an exam's new attempt is saved once the store
# opens, see PendingStore.start_exam_when_open): they may open the store in the background.
SNAPSHOT_STARTS = ("home", "review", "practice", "exam", "add")


def open_for_app(options: Options, bank: Bank, start: str) -> Store | PendingStore:
    """The store the app runs on, synced with ``bank``; exits 2 with the message on a bad
    database, before the UI opens.

    For a SQLite file, the first screen is built from a read-only snapshot and the store opens
    in the background (``quiz.store.pending``); otherwise it is opened here.
    """
    from quiz.store.errors import StoreError

    target = options.db_target()
    if start in SNAPSHOT_STARTS and "://" not in target:
        from quiz.store.pending import pending_store

        learner = options.learner_name()
        try:
            pending = pending_store(Path(target), bank, learner=learner)
        except StoreError as exc:
            fail(str(exc), code=2)
        if pending is not None:
            if options.settings:  # --exam-date: shown now, saved once the store opens
                pending.update_settings_when_open(**options.settings)
            return pending
    store = open_store_or_exit(options)
    try:
        store.sync_bank(bank)
    except StoreError as exc:
        store.close()
        fail(str(exc), code=2)
    return store


def run_app(options: Options, start: str = "home", *, topic: str | None = None,
            concept: str | None = None, **app_options: Any) -> None:
    """Load and check the bank and the database, then run the app until the user quits."""
    # Everything start-up allocates (the bank, the modules, the first screen) lives as long as
    # the app: a collector pass before the first frame would free nothing. The app freezes it
    # all and turns the collector back on once the first screen is drawn.
    gc.disable()
    # Before Textual, the bank and the store are imported: their dataclasses, namedtuples and
    # regular expressions are then built from compiled text kept from an earlier start.
    from quiz.tui import start_cache

    start_cache.install()
    try:
        _run(options, start, topic, concept, app_options)
    finally:
        gc.enable()
        start_cache.save()  # what the screens opened since the warm-up compiled


def _run(options: Options, start: str, topic: str | None, concept: str | None,
         app_options: dict[str, Any]) -> None:
    from quiz.store.errors import StoreError

    bank = load_bank_or_exit(options)
    check_topic(bank, topic, concept)
    check_tag(bank, app_options.get("tag"))
    store = open_for_app(options, bank, start)
    error: StoreError | None = None
    crashed = 0
    try:
        from quiz.tui.app import make_app

        app = make_app(bank, store, start=start, topic=topic, concept=concept, **app_options)
        app.run()
        for note in app.exit_notes:
            print(f"quiz: {note}", file=sys.stderr)
        error = app.store_error
        # Textual prints its crash report and returns; the exit status must say it failed.
        crashed = app.return_code or 0
    except StoreError as exc:
        error = exc
    finally:
        store.close()
    if error is not None:
        fail(str(error), code=2)
    if crashed:
        sys.exit(crashed)


def run_lab(cluster: Cluster, path: str | Path) -> None:
    """The policy lab on an already loaded cluster (the CLI reports manifest errors first)."""
    from quiz.tui.lab_app import make_lab_app

    app = make_lab_app(cluster, path)
    app.run()
    # Textual prints its crash report and returns; the exit status must say it failed.
    if app.return_code:
        sys.exit(app.return_code)

"""Start the app from the command line: check every input first, then open the UI.

Bad input (an invalid bank, an unusable database, an unknown topic or concept) is reported by
the CLI's helpers before Textual takes over the terminal: one message, no traceback.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from quiz.bank import Bank
    from quiz.cli import Options
    from quiz.netpol import Cluster


def check_topic(bank: Bank, topic: str | None, concept: str | None) -> None:
    """Exit with the list of valid ids when ``topic`` or ``concept`` is not in the bank."""
    from quiz.cli import fail

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


def run_app(options: Options, start: str = "home", *, topic: str | None = None,
            concept: str | None = None, **app_options: Any) -> None:
    """Load and check the bank and the database, then run the app until the user quits."""
    from quiz.cli import fail, load_bank_or_exit, open_store_or_exit
    from quiz.store import StoreError

    bank = load_bank_or_exit(options)
    check_topic(bank, topic, concept)
    store = open_store_or_exit(options)
    try:
        store.sync_bank(bank)
        from quiz.tui.app import make_app

        app = make_app(bank, store, start=start, topic=topic, concept=concept, **app_options)
        # The bank, the modules and the store live as long as the app: move them out of the
        # garbage collector's generations so its passes stay short while the user answers.
        gc.freeze()
        app.run()
    except StoreError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()


def run_lab(cluster: Cluster, path: str | Path) -> None:
    """The policy lab on an already loaded cluster (the CLI reports manifest errors first)."""
    from quiz.tui.lab_app import make_lab_app

    make_lab_app(cluster, path).run()

"""What every way of starting quiz shares: the options, and loading the bank or opening the
store with one clear message and an exit code instead of a traceback.

Both the command line (``quiz.cli``) and the app's start-up (``quiz.tui.run``) use these; this
module imports neither of them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click

from quiz import paths


@dataclass
class Options:
    """Options every command shares; a subcommand's own flags override the group's."""

    banks: tuple[Path, ...] = ()
    db: str | None = None
    learner: str | None = None  # --learner as given; None: $QUIZ_LEARNER, else the OS user
    # Settings to remember in the database the command opens (``--exam-date``).
    settings: dict[str, Any] = field(default_factory=dict)

    def bank_paths(self) -> list[Path]:
        return list(self.banks) if self.banks else paths.default_banks()

    def db_target(self) -> str:
        """The database to open: --db, else $QUIZ_DB, else the default file. An in-memory
        SQLite URL is one line and exit 2: it would drop every answer as quiz exits."""
        target = self.db or paths.default_db()
        if in_memory(target):
            source = "--db" if self.db else "QUIZ_DB"
            fail(f"{source} {target}: an in-memory database keeps nothing once quiz exits; "
                 "give a file path (or leave it out for the default file)", code=2)
        return target

    def learner_name(self) -> str:
        """The learner the command works for (``quiz.learner.chosen_learner``); a bad name is
        one line naming --learner or QUIZ_LEARNER, exit 2."""
        from quiz.learner import BadLearner, chosen_learner

        try:
            return chosen_learner(self.learner)
        except BadLearner as exc:
            fail(str(exc), code=2)


def in_memory(target: str) -> bool:
    """Whether ``target`` is a SQLite URL of a database in memory (``sqlite://``,
    ``sqlite:///:memory:``, ``file::memory:`` or ``mode=memory``), read without SQLAlchemy."""
    scheme, sep, rest = target.partition("://")
    if not sep or not scheme.lower().startswith("sqlite"):
        return False
    name = rest[1:] if rest.startswith("/") else rest
    name, _, query = name.partition("?")
    return name in ("", ":memory:") or name.startswith("file::memory:") \
        or "mode=memory" in query or "mode=memory" in name


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear message on stderr and exit without a traceback."""
    click.echo(f"quiz: {message}", err=True)
    sys.exit(code)


def load_bank_or_exit(opts: Options) -> Any:
    """The merged bank, or the validator's report on stderr and exit 1."""
    from quiz.bank.cache import cache_key, load_cached, save_cached

    key = cache_key(opts.bank_paths())
    cached = load_cached(paths.cache_dir(), key) if key else None
    if cached is not None:
        return cached
    from quiz.bank import check_bank

    bank, problems = check_bank(opts.bank_paths(), similar=False)
    # A file edited while it was being loaded must not be cached under the old content's key.
    if bank is not None and key and cache_key(opts.bank_paths()) == key:
        save_cached(paths.cache_dir(), key, bank)
    if bank is None:
        for p in problems:
            if p.severity == "error":
                click.echo(str(p), err=True)
        errors = sum(p.severity == "error" for p in problems)
        fail(f"the question bank has {errors} error{'s' * (errors != 1)}; "
             "fix them (quiz validate lists them all) and start again")
    return bank


def open_store_or_exit(opts: Options, *, read_only: bool = False, **store_options: Any) -> Any:
    """The progress store (checked, migrated), or its problem on stderr and exit 2.

    ``read_only``: a command that only reads gets a read-only snapshot of a SQLite file at
    the current schema (nothing written, so a file in a read-only directory works).
    ``store_options`` go to ``quiz.store.Store`` (``now=``, ``enable_fuzzing=``).
    """
    from quiz.store import StoreError, open_store

    learner = opts.learner_name()
    try:
        if read_only and not opts.settings:
            from quiz.store.snapshot import open_snapshot

            snapshot = open_snapshot(opts.db_target(), learner=learner, **store_options)
            if snapshot is not None:
                return snapshot
        store = open_store(opts.db_target(), learner=learner, **store_options)
        if opts.settings:
            store.update_settings(**opts.settings)
        return store
    except StoreError as exc:
        fail(str(exc), code=2)

"""Who is studying: learner names, checked, and the default one (the OS user).

One database can hold many learners' progress (a class on one PostgreSQL server); each command
works for one learner, chosen with ``--learner NAME`` or ``QUIZ_LEARNER``, else the user the
program runs as. Standard library only: the store and the command line both use it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping

from quiz.textsafe import printable, quote

MAX_LENGTH = 64
ENV = "QUIZ_LEARNER"
# When the OS cannot say who the user is (no $USER/$LOGNAME and a uid with no passwd entry,
# as in some containers), or its name is not a usable learner name.
FALLBACK = "learner"


class BadLearner(ValueError):
    """A learner name that cannot be used; the message says why (without where it came from)."""


def check_learner(name: str) -> str:
    """The learner name to store for ``name`` (surrounding spaces dropped), or ``BadLearner``."""
    if not isinstance(name, str):
        raise BadLearner(f"{quote(name)} is not a learner name")
    cleaned = name.strip()
    if not cleaned:
        raise BadLearner("a learner name cannot be empty")
    if printable(cleaned) != cleaned:  # tabs and newlines too: a name is one line
        raise BadLearner(f"{quote(cleaned)} holds control characters; use printable text")
    if len(cleaned) > MAX_LENGTH:
        raise BadLearner(f"{quote(cleaned, 40)} is {len(cleaned)} characters long; use at most "
                         f"{MAX_LENGTH}")
    return cleaned


def default_learner() -> str:
    """The OS user's name, or ``FALLBACK`` when there is none usable."""
    try:
        return check_learner(getpass.getuser())
    except (OSError, KeyError, ImportError, BadLearner):
        return FALLBACK


def shown_learner(name: str | None) -> str | None:
    """``name`` if screens should say whose progress they show (not the default learner's)."""
    return None if name is None or name == default_learner() else name


def chosen_learner(given: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The learner a command works for: ``given`` (``--learner``), else ``$QUIZ_LEARNER``, else
    the default. Raises ``BadLearner`` with the place named (``--learner`` or ``QUIZ_LEARNER``)."""
    env = os.environ if environ is None else environ
    if given is not None:
        where, value = "--learner", given
    elif env.get(ENV) is not None:
        where, value = ENV, env[ENV]
    else:
        return default_learner()
    try:
        return check_learner(value)
    except BadLearner as exc:
        raise BadLearner(f"{where}: {exc}") from None

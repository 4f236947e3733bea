"""The class at a glance, for an instructor (``quiz cohort``, the cohort screen).

For every learner in one database: answers, accuracy, the predicted exam score and whether it
passes (``quiz.readiness``, as that learner's own stats page works it out, on their exam day if
they set one), the last answer and what is due today. For the class: each concept's error rate
with its counts (wrong of answered, learners who answered, learners who missed), and the
questions the class misses most, so the next lecture can target them.

Which answers count: every logged answer, in every mode: review, practice, and the answered
questions of handed-in mock exams (an exam's answers are logged when it is handed in; its
unanswered questions, and an exam still open, count nowhere). A question's concepts are the
loaded bank's; answers to questions no longer in the bank count in their learner's figures and
under "not in this bank", in no concept and no question list.

Ranking: concepts and questions with at least ``min_answers`` answers (from the whole class)
come first, highest error rate first, then most wrong answers, then id; those with fewer answers
follow in the same order. The rule is stated in the output (``RANKING``).

Each learner's figures are read through the ordinary single-learner ``Store`` API
(``Store.for_learner``); nothing here knows how learners are kept apart.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from quiz.clock import utc
from quiz.readiness import Prediction, outlook
from quiz.scheduling import due_today
from quiz.store.once import read_once
from quiz.textsafe import first_paragraph, printable, shorten

if TYPE_CHECKING:
    from quiz.bank import Bank, Question
    from quiz.store import Store

DEFAULT_MIN_ANSWERS = 5
ANSWERS_COUNTED = ("every answer in every mode: review, practice and the answered questions "
                   "of handed-in mock exams")
NOT_IN_BANK = ("answers to questions no longer in the loaded bank: in their learner's "
               "figures, in no concept and no question list")
STEM_CHARS = 120  # a question's opening words, in --json and before the screens clip them


def ranking(min_answers: int) -> str:
    """The ranking rule in words (text, --json and the screen say it)."""
    return (f"at least {min_answers} answer{'s' * (min_answers != 1)} from the class first, "
            "highest error rate first, then most wrong answers; fewer answers after, "
            "in the same order")


@dataclass(frozen=True)
class LearnerFigures:
    """One learner's figures."""

    name: str
    answers: int  # every mode (ANSWERS_COUNTED)
    correct: int
    questions: int  # different questions answered
    prediction: Prediction  # quiz.readiness.outlook: on the exam day if set, else now
    exam_date: date | None
    last_answer: datetime | None
    due_reviews: int  # quiz.scheduling.due_today, as the learner's home screen counts them
    due_new: int

    @property
    def accuracy(self) -> float | None:
        """The share of right answers; None without answers."""
        return self.correct / self.answers if self.answers else None

    @property
    def due_today(self) -> int:
        """Reviews due today and new questions left for today, together."""
        return self.due_reviews + self.due_new

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO 8601, UTC)."""
        p = self.prediction
        return {
            "name": self.name,
            "answers": self.answers,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "questions": self.questions,
            "readiness": {"predicted": p.overall, "passes": p.passes, "pass_mark": p.pass_mark,
                          "at": p.at.isoformat(),
                          "exam_date": self.exam_date.isoformat() if self.exam_date else None},
            "last_answer": self.last_answer.isoformat() if self.last_answer else None,
            "due_today": {"reviews": self.due_reviews, "new": self.due_new},
        }


@dataclass(frozen=True)
class Misses:
    """How the class did on a concept or a question: answers, wrong ones, learners."""

    id: str
    title: str  # a concept's title; a question's opening words
    topic: str
    answered: int
    wrong: int
    learners: int  # learners who answered it
    missed_by: int  # learners with at least one wrong answer to it
    ranked: bool  # answered by the class at least min_answers times

    @property
    def error_rate(self) -> float:
        """The share of wrong answers (0 without answers)."""
        return self.wrong / self.answered if self.answered else 0.0

    def to_dict(self, title_key: str) -> dict[str, Any]:
        """JSON-ready; ``title_key``: what the title is called ("title", or "stem")."""
        return {"id": self.id, title_key: self.title, "topic": self.topic,
                "answered": self.answered, "wrong": self.wrong,
                "error_rate": self.error_rate, "learners": self.learners,
                "missed_by": self.missed_by, "ranked": self.ranked}


@dataclass(frozen=True)
class Orphans:
    """Answers to questions no longer in the bank, all learners together."""

    questions: int = 0
    answered: int = 0
    wrong: int = 0


@dataclass(frozen=True)
class Cohort:
    """Everything ``quiz cohort`` and the cohort screen show."""

    at: datetime
    learners: list[LearnerFigures]  # by name
    concepts: list[Misses]  # every concept with an answer, in ranking order
    questions: list[Misses]  # every question missed at least once, in ranking order
    not_in_bank: Orphans
    min_answers: int
    topic: str | None  # concepts and questions of this topic only (learners: everything)

    @property
    def answers(self) -> int:
        """The class's answers."""
        return sum(learner.answers for learner in self.learners)

    @property
    def correct(self) -> int:
        """The class's right answers."""
        return sum(learner.correct for learner in self.learners)

    @property
    def empty(self) -> bool:
        """No learner has answered anything yet."""
        return self.answers == 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the keys are documented in the README (``quiz cohort --json``)."""
        return {
            "at": self.at.isoformat(),
            "answers_counted": ANSWERS_COUNTED,
            "topic": self.topic,
            "min_answers": self.min_answers,
            "ranking": ranking(self.min_answers),
            "totals": {"learners": len(self.learners), "answers": self.answers,
                       "correct": self.correct,
                       "accuracy": self.correct / self.answers if self.answers else None},
            "learners": [learner.to_dict() for learner in self.learners],
            "concepts": [c.to_dict("title") for c in self.concepts],
            "questions": [q.to_dict("stem") for q in self.questions],
            "not_in_bank": {"questions": self.not_in_bank.questions,
                            "answered": self.not_in_bank.answered,
                            "wrong": self.not_in_bank.wrong, "counted": NOT_IN_BANK},
        }


def learner_stores(store: Store) -> dict[str, Store]:
    """Every learner of ``store``'s database, each with a store of their own progress."""
    return {name: store.for_learner(name) for name in store.learners()}


def stem_start(question: Question, chars: int = STEM_CHARS) -> str:
    """A question's opening words: its first paragraph (before a blank line or a code block),
    on one line, controls escaped, cut to ``chars`` with an ellipsis."""
    return shorten(printable(re.sub(r"\s+", " ", first_paragraph(question.question))), chars)


@dataclass
class _Count:
    answered: int = 0
    wrong: int = 0
    learners: int = 0
    missed_by: int = 0

    def add(self, answered: int, wrong: int) -> None:
        self.answered += answered
        self.wrong += wrong

    def add_learner(self, missed: bool) -> None:
        self.learners += 1
        self.missed_by += missed


def _ranked(rows: Iterable[Misses]) -> list[Misses]:
    return sorted(rows, key=lambda m: (not m.ranked, -m.error_rate, -m.wrong, m.id))


def learner_figures(bank: Bank, name: str, store: Store, now: datetime,
                    tz: tzinfo | None = None,
                    tally: Mapping[str, tuple[int, int]] | None = None) -> LearnerFigures:
    """One learner's figures from their own store (``tally``: its ``question_tally()``)."""
    reads = read_once(store)  # outlook and due_today read the same settings and cards
    tally = reads.question_tally() if tally is None else tally
    ahead = outlook(bank, reads, now, tz)
    due = due_today(bank, reads, now, tz=tz)
    hours = reads.answer_hours()
    return LearnerFigures(
        name=name,
        answers=sum(n for n, _ in tally.values()),
        correct=sum(right for _, right in tally.values()),
        questions=sum(1 for n, _ in tally.values() if n),
        prediction=ahead.prediction,
        exam_date=ahead.exam_date,
        last_answer=hours[-1][1] if hours else None,
        due_reviews=len(due.reviews),
        due_new=len(due.new),
    )


def class_figures(bank: Bank, stores: Mapping[str, Store], now: datetime, *,
                  topic: str | None = None, min_answers: int = DEFAULT_MIN_ANSWERS,
                  tz: tzinfo | None = None) -> Cohort:
    """The class's figures at ``now`` from each learner's store (``learner_stores``).

    ``topic``: list only that topic's concepts and questions (a concept's figures still count
    every question that tests it); the learners' figures are always their whole progress.
    """
    if min_answers < 1:
        raise ValueError(f"min_answers must be at least 1, not {min_answers}")
    now = utc(now)
    learners = []
    per_question: dict[str, _Count] = {}
    per_concept: dict[str, _Count] = {}
    orphans: dict[str, _Count] = {}
    for name in sorted(stores):
        tally = stores[name].question_tally()
        learners.append(learner_figures(bank, name, stores[name], now, tz, tally))
        concept_seen: dict[str, bool] = {}  # concept → this learner missed one of its questions
        for qid, (answered, right) in tally.items():
            if not answered:
                continue
            wrong = answered - right
            question = bank.questions.get(qid)
            if question is None:
                orphans.setdefault(qid, _Count()).add(answered, wrong)
                continue
            count = per_question.setdefault(qid, _Count())
            count.add(answered, wrong)
            count.add_learner(wrong > 0)
            for concept in dict.fromkeys(question.concepts):
                per_concept.setdefault(concept, _Count()).add(answered, wrong)
                concept_seen[concept] = concept_seen.get(concept, False) or wrong > 0
        for concept, missed in concept_seen.items():
            per_concept[concept].add_learner(missed)

    def misses(key: str, title: str, in_topic: str, c: _Count) -> Misses:
        return Misses(key, title, in_topic, c.answered, c.wrong, c.learners, c.missed_by,
                      c.answered >= min_answers)

    concepts = [misses(cid, bank.concepts[cid].title if cid in bank.concepts else cid,
                       bank.concepts[cid].topic if cid in bank.concepts else "", c)
                for cid, c in per_concept.items()
                if topic is None or (cid in bank.concepts and bank.concepts[cid].topic == topic)]
    questions = [misses(qid, stem_start(bank.questions[qid]), bank.questions[qid].topic, c)
                 for qid, c in per_question.items()
                 if c.wrong and (topic is None or bank.questions[qid].topic == topic)]
    return Cohort(
        at=now,
        learners=learners,
        concepts=_ranked(concepts),
        questions=_ranked(questions),
        not_in_bank=Orphans(len(orphans), sum(c.answered for c in orphans.values()),
                            sum(c.wrong for c in orphans.values())),
        min_answers=min_answers,
        topic=topic,
    )


# --- as text (``quiz cohort``): 80 columns -------------------------------------------------

WIDTH = 80
LISTED = 10  # concepts and questions in the text; --json has them all
ID_WIDTH = 26  # a concept's id in the text, before its title


def percent(share: float | None) -> str:
    """A share as a whole percentage; "-" for none."""
    return "-" if share is None else f"{100 * share:.0f}%"


def empty_line(cohort: Cohort) -> str:
    """What ``quiz cohort`` says when nobody has answered anything."""
    if not cohort.learners:
        return "No learners in this database yet: nothing to show for the class."
    n = len(cohort.learners)
    return (f"No answers yet from the {n} learner{'s' * (n != 1)} in this database: "
            "nothing to show for the class.")


def learner_lines(cohort: Cohort, tz: tzinfo | None = None) -> list[str]:
    """The learners' table, one line each."""
    lines = [f"  {'learner':<16} {'answers':>7} {'right':>5}  {'exam score':<12}"
             f"{'last answer':<17}{'due today':>9}"]
    for learner in cohort.learners:
        p = learner.prediction
        score = f"{percent(p.overall)} {'pass' if p.passes else 'below'}"
        last = (learner.last_answer.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if learner.last_answer else "never")
        lines.append(f"  {shorten(printable(learner.name), 16):<16} {learner.answers:>7} "
                     f"{percent(learner.accuracy):>5}  {score:<12}{last:<17}"
                     f"{learner.due_today:>9}")
    return lines


def miss_lines(rows: list[Misses], min_answers: int, what: str, *, stems: bool = False,
               limit: int | None = LISTED, width: int = WIDTH) -> list[str]:
    """A concepts' or questions' table: rate, wrong/answered, learners who missed of those
    who answered, id and title (``stems``: the title on a line of its own under the figures,
    as a question's opening words need the room); those under ``min_answers`` after a line
    saying so."""
    lines = [f"  {'rate':>4}  {'wrong/answers':<13}  {'missed by':<9}  {what}"]
    shown = rows if limit is None else rows[:limit]
    id_width = min(ID_WIDTH, max((len(printable(row.id)) for row in shown), default=0))
    for n, row in enumerate(shown):
        if not row.ranked and (n == 0 or shown[n - 1].ranked):
            lines.append(f"  fewer than {min_answers} answers:")
        counts = f"{row.wrong}/{row.answered}"
        learners = f"{row.missed_by} of {row.learners}"
        figures = f"  {percent(row.error_rate):>4}  {counts:<13}  {learners:<9}  "
        if stems:
            lines.append(shorten(figures + printable(row.id), width))
            lines.append(shorten(" " * 8 + printable(row.title), width))
        else:
            lines.append(shorten(f"{figures}{shorten(printable(row.id), id_width):<{id_width}}  "
                               f"{printable(row.title)}", width))
    if len(rows) > len(shown):
        lines.append(f"  … and {len(rows) - len(shown)} more (--json lists them all)")
    return lines


def format_cohort(cohort: Cohort, tz: tzinfo | None = None) -> str:
    """The class's figures as text, 80 columns wide."""
    if cohort.empty:
        return empty_line(cohort)
    n = len(cohort.learners)
    accuracy = cohort.correct / cohort.answers
    pass_marks = {learner.prediction.pass_mark for learner in cohort.learners}
    lines = [f"Class: {n} learner{'s' * (n != 1)}, {cohort.answers} answers, "
             f"{percent(accuracy)} right",
             *textwrap.wrap(f"Answers counted: {ANSWERS_COUNTED}. Exam score: each learner's "
                            "predicted score (on their exam day, if set) against the pass mark "
                            f"({', '.join(percent(m) for m in sorted(pass_marks))}).",
                            WIDTH),
             "", *learner_lines(cohort, tz)]
    where = f" in topic {printable(cohort.topic)}" if cohort.topic else ""
    lines += ["", f"Concepts the class misses most{where}",
              *textwrap.wrap(f"Ranked: {ranking(cohort.min_answers)}.", WIDTH,
                             initial_indent="  ", subsequent_indent="  ")]
    lines += (miss_lines(cohort.concepts, cohort.min_answers, "concept") if cohort.concepts
              else ["  No answers to these concepts yet."])
    lines += ["", f"Questions the class misses most{where}"]
    lines += (miss_lines(cohort.questions, cohort.min_answers, "question", stems=True)
              if cohort.questions else ["  No question missed yet."])
    orphans = cohort.not_in_bank
    if orphans.answered:
        lines += ["", *textwrap.wrap(
            f"Not in this bank: {orphans.answered} answer{'s' * (orphans.answered != 1)} "
            f"({orphans.wrong} wrong) to "
            f"{orphans.questions} question{'s' * (orphans.questions != 1)} no longer in the "
            "loaded bank, counted in their learners' figures only.", WIDTH)]
    return "\n".join(lines)

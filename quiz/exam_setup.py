"""A mock exam's format from what a user typed (CLI flags or the TUI's dialog), range-checked.

One place for the limits, so ``quiz exam --questions 0`` and the dialog say the same thing.
"""

from __future__ import annotations

from datetime import timedelta

from quiz.exam_format import ExamFormat

# (smallest, largest) accepted for each setting.
QUESTIONS = (1, 300)
MINUTES = (1, 600)
PASS_PERCENT = (1, 100)


def check_range(name: str, value: int, limits: tuple[int, int], unit: str = "") -> str | None:
    """A message when ``value`` is outside ``limits``, else None."""
    low, high = limits
    if low <= value <= high:
        return None
    return f"{name} must be between {low} and {high}{unit}, not {value}{unit}"


def whole_number(name: str, text: str) -> int:
    """``text`` as an int; ValueError says what ``name`` needs otherwise."""
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {text!r}") from None


def exam_format(questions: str | int, minutes: str | int, pass_percent: str | int,
                all_questions: bool = False) -> ExamFormat:
    """The format for these settings (as typed); ValueError names the first bad one.
    ``all_questions``: draw from every question, not only those tagged ``kcsa``."""
    values = [whole_number(name, str(text)) for name, text in
              (("--questions", questions), ("--minutes", minutes), ("--pass", pass_percent))]
    for problem in (check_range("--questions", values[0], QUESTIONS),
                    check_range("--minutes", values[1], MINUTES),
                    check_range("--pass", values[2], PASS_PERCENT, "%")):
        if problem:
            raise ValueError(problem)
    return ExamFormat(values[0], timedelta(minutes=values[1]), values[2] / 100,
                      all_questions=all_questions)


def format_settings(fmt: ExamFormat) -> tuple[int, int, int]:
    """(questions, minutes, pass percent) of a format, for a dialog's fields."""
    return (fmt.questions, round(fmt.time_limit.total_seconds() / 60),
            round(fmt.pass_mark * 100))

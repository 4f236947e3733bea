"""The command palette's quiz commands (ctrl+p): review, practice a topic, exam, cram, stats,
cohort, browse, the policy lab, add, settings, help, home, quit."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from quiz.tui.text import clip

if TYPE_CHECKING:
    from quiz.tui.app import QuizApp


def highlight(matcher: Matcher, text: str) -> Content:
    """``Matcher.highlight`` without its markup parsing: topic titles are literal text."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets if score else ():
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _open_optimize(app: QuizApp) -> None:
    from quiz.tui.screens.optimize import OptimizeModal

    app.push_screen(OptimizeModal())


class QuizCommands(Provider):
    """Start a review, practise any topic, open the stats, quit."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("QuizApp", self.app)
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Review: today's questions", app.start_review,
             "Due reviews first, then new questions"),
        ]
        for topic in app.bank.topics.values():
            # One line, controls escaped: the palette shows the title as it matches it.
            title = clip(topic.title, 200)
            commands.append((f"Practice: {title}", partial(app.start_practice, topic.id),
                             "Every question of the topic; the schedule is not changed"))
        for tag in app.practice_tags():
            commands.append((f"Practice filter: only questions tagged {clip(tag, 60)}",
                             partial(app.set_practice_tag, tag),
                             "Practice (home, this palette) asks only these; the exam is not "
                             "changed"))
        if app.practice_tag is not None:
            commands.append(("Practice filter: every question",
                             partial(app.set_practice_tag, None),
                             "Practice asks every question of a topic again"))
        commands.append(("Exam: a timed mock exam", app.open_exam,
                         "A paper drawn by topic weight against the clock; resumes one left open"))
        if app.exam_date is not None:
            commands.append(("Cram: weakest questions first", app.start_cram,
                             "Practice before the exam day; the schedule is not changed"))
        commands.append(("Plan to the exam: reviews a day, new a day, predicted score",
                         app.open_plan, "Simulated to the exam date, with recommended "
                                        "settings to apply"))
        commands.append(("Stats: progress per topic", app.open_stats,
                         "New, learning, review, due and mastered counts"))
        commands.append(("Cohort: the class in this database", app.open_cohort,
                         "Every learner's answers and readiness; the concepts and questions "
                         "the class misses most"))
        commands.append(("Browse: every question of the bank", app.open_browse,
                         "Search and filter; open, flag, suspend, practise or edit one"))
        commands.append(("Lab: explore NetworkPolicies on a scenario", app.open_lab,
                         "Who can reach whom in a bundled scenario; switch policies off"))
        commands.append(("Add a question", app.open_add,
                         "A form checked as you type, saved into your own bank"))
        commands.append(("Home", app.show_home, "The topics and what to do next"))
        commands.append(("Settings: new a day, retention, intervals, theme, exam date",
                         app.open_settings, "Stored with your progress; used from the next "
                                            "question on"))
        commands.append(("Optimise FSRS from my history", partial(_open_optimize, app),
                         "Fit the scheduler to your own answers; kept only if it predicts "
                         "them better"))
        commands.append(("Help: keys and modes", app.action_help,
                         "The keys of this screen and what each mode does (also ? or F1)"))
        commands.append(("Quit", app.exit, "Leave quiz (every answer is already saved)"))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, highlight(matcher, name), callback, text=name, help=help_text)

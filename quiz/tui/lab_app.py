"""``quiz lab``: a small app whose only screen is the policy lab (no bank, no store)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.screen import Screen

from quiz.netpol import Cluster
from quiz.tui.screens.lab import LabScreen


class LabApp(App[None]):
    """The lab on one cluster; the quiz app's stylesheet, so both look alike."""

    CSS_PATH = [Path(__file__).with_name("quiz.tcss"),
                Path(__file__).with_name("other_screens.tcss")]
    TITLE = "quiz lab"

    def __init__(self, cluster: Cluster, title: str) -> None:
        super().__init__()
        self.cluster = cluster
        self.lab_title = title

    def get_default_screen(self) -> Screen:
        # The lab is the base screen: closing it quits, and nothing lies beneath it.
        return LabScreen(self.cluster, self.lab_title)


def make_lab_app(cluster: Cluster, path: str | Path) -> LabApp:
    """The lab app on ``cluster``, titled with the file it was loaded from."""
    return LabApp(cluster, Path(path).name)

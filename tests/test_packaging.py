"""The installed app, not the checkout: the wheel carries the bundled bank, start-up stays lean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    (built,) = out.glob("quiz-*.whl")
    return built


def test_wheel_ships_the_bundled_bank(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "quiz/question_bank/concepts.yaml" in names
    assert any(n.startswith("quiz/question_bank/") and n != "quiz/question_bank/concepts.yaml"
               and n.endswith(".yaml") for n in names)


def test_wheel_ships_every_stylesheet(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {"quiz/tui/quiz.tcss", "quiz/tui/home.tcss", "quiz/tui/session.tcss",
            "quiz/tui/feedback.tcss",
            "quiz/tui/other_screens.tcss", "quiz/tui/exam_paper.tcss",
            "quiz/tui/question_form.tcss", "quiz/tui/question_form_more.tcss"} <= set(names)


def test_installed_wheel_validates_its_bank_from_any_directory(wheel: Path,
                                                              tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import quiz.paths as p; "
                            "print(p.bundled_bank())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(site))
    done = subprocess.run([sys.executable, "-m", "quiz", "validate"], cwd=elsewhere, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].endswith(": ok")


PROBE = """
import sys
from quiz.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="quiz", standalone_mode=False)
except SystemExit:
    pass
print(__import__("json").dumps(sorted(m for m in sys.modules if m.split(".")[0] == "textual")))
"""


@pytest.mark.parametrize("args", [["--help"], ["validate"], ["schema"]])
def test_lean_commands_never_import_textual(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          cwd=ROOT)
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [], f"quiz {' '.join(args)} imported {loaded[:3]}"

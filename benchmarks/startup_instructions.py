"""Instructions each start executes to its first frame, next to the bare Textual app's.

The same starts as ``startup.py`` (the same month of history, the same 100x30 tmux pane), each
run under ``valgrind --tool=callgrind`` through ``first_frame.py``, which ends the process as
its first frame is handed to the terminal. Instructions vary far less than wall-clock time on a
shared machine, so a change of a few percent shows. Prints the instructions (the median of
``--runs``; an exam paper and a review's order are drawn at random) and the ratio to the bare
app. Needs valgrind and tmux; a run takes a few minutes.

    .venv/bin/python benchmarks/startup_instructions.py [--runs 1] [--only add,bare]
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup import compile_package, start_database, start_files  # noqa: E402

FIRST_FRAME = Path(__file__).with_name("first_frame.py")
# A tmux server of this run's own, started with its environment (PYTHONPATH included): a
# server already running, someone else's, would run its sessions with the environment it has.
SOCKET = f"quiz-callgrind-{os.getpid()}"
WARM_UP_S = 4.0  # past a start's first frame and warm-up


def _in_pane(line: str, cwd: Path) -> str:
    """Start ``line`` in a new 100x30 tmux session of this run's server: the session's name."""
    name = f"cg-{random.randrange(10**9)}"
    subprocess.run(["tmux", "-L", SOCKET, "new-session", "-d", "-s", name, "-x", "100",
                    "-y", "30", "-c", str(cwd), f"{line}; tmux -L {SOCKET} wait-for -S {name}"],
                   check=True)
    return name


def warm_up(command: list[str], cwd: Path) -> None:
    """Run ``command`` for a few seconds, as a user's first start: what it writes for the
    next start (the bank cache, the start-up cache) is written as it would be installed,
    bytecode allowed."""
    line = shlex.join(["env", "-u", "PYTHONDONTWRITEBYTECODE", sys.executable, *command])
    name = _in_pane(line, cwd)
    time.sleep(WARM_UP_S)
    subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", name], capture_output=True)


def instructions(command: list[str], cwd: Path, out: Path) -> int:
    """Instructions ``command`` (a Python script and its arguments) executes to its first
    frame, counted by callgrind in a 100x30 tmux pane."""
    line = shlex.join(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                       sys.executable, str(FIRST_FRAME), *command])
    name = _in_pane(f"{line} 2>{out}.log", cwd)
    subprocess.run(["tmux", "-L", SOCKET, "wait-for", name], check=True, timeout=600)
    for text in out.read_text().splitlines():
        if text.startswith(("summary:", "totals:")):
            return int(text.split()[1])
    raise SystemExit(f"no totals in {out}: see {out}.log")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="a directory to keep callgrind's files in")
    parser.add_argument("--only", default="", help="comma-separated keys: " +
                        "new,month,home,practice,exam,add,dated,exam-date,bare")
    args = parser.parse_args()
    for tool in ("tmux", "valgrind"):
        if shutil.which(tool) is None:
            raise SystemExit(f"this benchmark needs {tool}")
    quiz = str(Path(sys.executable).with_name("quiz"))
    compile_package()
    results: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bare, used, dated, exam_day = start_files(root)
        starts = {
            "new": ("review", None), "month": ("review", used), "home": ("", used),
            "practice": ("practice --topic network-policies", used), "exam": ("exam", used),
            "add": ("add --bank mine", used), "dated": ("", dated),
            "exam-date": (f"--exam-date {exam_day}", used),
        }
        only = set(filter(None, args.only.split(",")))
        subprocess.run(["tmux", "-L", SOCKET, "new-session", "-d", "-s", "keepalive",
                        "sleep 3600"], check=True)
        try:
            # Once unmeasured each: the bank cache (and any other cache) written as after
            # a first start.
            for key, (command, source) in starts.items():
                if only and key not in only:
                    continue
                db = start_database(root, f"warm-{key}.db", source)
                warm_up([quiz, *command.split(), "--db", str(db)], root)
            for run in range(args.runs):
                for key, (command, source) in starts.items():
                    if only and key not in only:
                        continue
                    db = start_database(root, f"{run}-{key}.db", source)
                    results.setdefault(key, []).append(instructions(
                        [quiz, *command.split(), "--db", str(db)], root,
                        root / f"{run}-{key}.out"))
                if not only or "bare" in only:
                    results.setdefault("bare", []).append(
                        instructions([str(bare)], root, root / f"{run}-bare.out"))
        finally:
            subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for out in root.glob("*.out"):
                    shutil.copy(out, args.keep)
    bare_count = statistics.median(results["bare"]) if "bare" in results else None
    print(f"instructions to the first frame, median of {args.runs}:")
    for key, counts in results.items():
        count = statistics.median(counts)
        ratio = f"{count / bare_count:5.2f}x" if bare_count else ""
        print(f"  {key:10} {count / 1e6:8,.0f}M  {ratio}")


if __name__ == "__main__":
    main()

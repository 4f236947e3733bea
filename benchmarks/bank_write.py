"""What saving a question and checking a draft cost in a 10,000-question bank.

Generates the bank of ``bank_load.py`` (8 topic files of 1,250 questions, ~2.5 MB each) and
loads it once, as the app has it. Then, side by side in this run, times:

- a live check of a draft (``validate_draft`` against the loaded bank, as the form runs it
  after each pause in typing), after the form's first check has built the bank's indexes;
- adding a question (``add_question``) and editing one (``edit_question``) with the app's bank,
  after the form has read the file's layout (it does so when it opens);
- the baseline: ``yaml.dump`` of the same question and writing it to a file with fsync, i.e.
  the least any save could cost.

Prints medians and the ratios to the baseline; targets: save <= 100 ms, check <= 30 ms.

    .venv/bin/python benchmarks/bank_write.py [--questions 10000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from bank_load import generate  # noqa: E402  (a sibling script, not a package)

from quiz.bank import load_bank  # noqa: E402
from quiz.bank.drafts import validate_draft  # noqa: E402
from quiz.bank.writer import (  # noqa: E402
    add_question,
    edit_question,
    prepare,
    read_question,
    topic_stamp,
)


def draft(n: int) -> dict[str, Any]:
    """A new question as the form hands it to the writer."""
    return {
        "id": f"bench-new-{n}", "concepts": ["concept-3"], "difficulty": "", "tags": [],
        "question": f"Which pods in namespace shop{n} can reach the db pod on TCP 5432 after "
                    "the default-deny policy and the allow-web policy both apply?",
        "choices": [{"text": f"Only web {n}", "correct": True, "why": ""},
                    {"text": "Every pod", "correct": False, "why": "Default deny.\n"},
                    {"text": "No pod", "correct": False, "why": "The allow rule admits web.\n"}],
        "shuffle": True, "explanation": "The allow rule selects web; the rest is denied.\n",
    }


def baseline(question: dict[str, Any], path: Path) -> float:
    """yaml.dump of the question, written and fsynced: the least a save can cost."""
    start = time.perf_counter()
    text = yaml.dump([question], sort_keys=False, allow_unicode=True)
    with path.open("w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    return time.perf_counter() - start


def measure(root: Path, runs: int) -> dict[str, list[float]]:
    """Timings (seconds) of each operation, interleaved with the baseline."""
    bank = load_bank([root])
    topic = "cni"
    path = root / f"{topic}.yaml"
    validate_draft(bank, topic, draft(0))  # the form's first check builds the indexes
    prepare(path)  # the form reads the file's layout when it opens
    times: dict[str, list[float]] = {"baseline": [], "check": [], "add": [], "edit": []}
    scratch = root.parent / "baseline.yaml"
    stamp = topic_stamp(root, topic)
    for n in range(1, runs + 1):
        question = draft(n)
        times["baseline"].append(baseline(question, scratch))
        start = time.perf_counter()
        problems = validate_draft(bank, topic, question)
        times["check"].append(time.perf_counter() - start)
        assert not [p for p in problems if p.severity == "error"], problems
        start = time.perf_counter()
        add_question(root, topic, question, expected=stamp, bank=bank)
        times["add"].append(time.perf_counter() - start)
        data, stamp_edit, _ = read_question(path, f"{topic}-q{n}")
        data["difficulty"] = "hard" if data.get("difficulty") != "hard" else "easy"
        start = time.perf_counter()
        edit_question(path, f"{topic}-q{n}", data, expected=stamp_edit, bank=bank)
        times["edit"].append(time.perf_counter() - start)
        stamp = topic_stamp(root, topic)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bank"
        size = generate(root, args.questions)
        print(f"bank: {args.questions} questions, {size / 1e6:.1f} MB of YAML")
        times = measure(root, args.runs)
    base = statistics.median(times["baseline"])
    print(f"baseline (yaml.dump of the question + write + fsync): {base * 1e3:.1f} ms")
    for name, label, target in (("check", "live check of a draft", 30),
                                ("add", "add a question", 100),
                                ("edit", "edit a question", 100)):
        t = statistics.median(times[name])
        print(f"{label}: {t * 1e3:.1f} ms  ({t / base:.1f}x the baseline; "
              f"target <= {target} ms)")


if __name__ == "__main__":
    main()

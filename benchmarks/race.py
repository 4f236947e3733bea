"""Two copies of quiz racing on one progress database: each starts (the start-up check and the
snapshot the first screen reads), answers, and quits, over and over, for a set time.

Every answer a copy saw committed must be in ``review_log`` at the end, and no start may be
refused ("damaged", "not a quiz progress database"...). Prints a summary; exit status 1 on a
refusal or a lost answer.

    python benchmarks/race.py --seconds 180          # what the issue asked for: minutes
    python benchmarks/race.py --seconds 15 --copies 2 # what tests/store/test_races.py runs
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "banks" / "mini"

COPY = """
import json, random, sys, time
from pathlib import Path
from quiz.bank import load_bank
from quiz.store import StoreError, open_store
from quiz.store.snapshot import take_snapshot

db, bank_dir, until, seed = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
questions = list(load_bank([bank_dir]).questions.values())
starts = 0
while time.time() < until:
    starts += 1
    try:
        snapshot = take_snapshot(db)  # the start-up check and the first screen's reads
        if snapshot is not None:
            snapshot.cards()
            snapshot.answer_counts()
            snapshot.close()
        if seed != 0 and starts % 10:
            continue  # a start whose user quits before answering: the store never opens
        store = open_store(db)
        try:
            # Copy 0 answers a run of questions and quits (its close checkpoints a grown
            # file); the others answer one now and then.
            for _ in range(rng.randint(1, 40) if seed == 0 else 1):
                q = rng.choice(questions)
                answer = store.record_answer(q, [rng.randrange(len(q.choices))])
                print(json.dumps({"log": answer.log_id, "q": q.id}), flush=True)
        finally:
            store.close()
    except StoreError as exc:
        print(json.dumps({"refused": str(exc)}), flush=True)
print(json.dumps({"starts": starts}), flush=True)
"""


def race(db: Path, seconds: float, copies: int = 2) -> dict[str, object]:
    """Run ``copies`` processes on ``db`` for ``seconds``; what they confirmed and what the
    file holds."""
    until = time.time() + seconds
    procs = [subprocess.Popen([sys.executable, "-c", COPY, str(db), str(MINI), str(until),
                               str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT)
             for n in range(copies)]
    confirmed: dict[int, str] = {}
    refused: list[str] = []
    starts = 0
    errors = []
    for p in procs:
        out, err = p.communicate(timeout=seconds + 120)
        if p.returncode != 0:
            errors.append(err.strip().splitlines()[-1] if err.strip() else f"exit {p.returncode}")
        for line in out.splitlines():
            item = json.loads(line)
            if "log" in item:
                confirmed[item["log"]] = item["q"]
            elif "refused" in item:
                refused.append(item["refused"])
            else:
                starts += item["starts"]
    with sqlite3.connect(db) as conn:
        stored = dict(conn.execute("SELECT id, question_id FROM review_log"))
    conn.close()
    lost = sorted(i for i, q in confirmed.items() if stored.get(i) != q)
    return {"starts": starts, "answers": len(confirmed), "refused": refused, "lost": lost,
            "crashed": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--db", type=Path, default=None, help="default: a temporary file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "race.db"
        result = race(db, args.seconds, args.copies)
    print(json.dumps(result | {"refused": result["refused"][:5]}, indent=2))
    bad = result["refused"] or result["lost"] or result["crashed"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

"""The benchmarks' set-up code still works with the app's current API (CI does not time
anything: timings belong in benchmarks/, never in tests)."""

from __future__ import annotations

import importlib.util
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from quiz.bank import load_bank
from quiz.scheduling import review_queue
from quiz.store import Store, make_engine, open_store

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


def bench(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_store_benchmark_builds_its_bank_and_history(tmp_path: Path) -> None:
    store_bench = bench("store")
    rng = random.Random(1)
    bank = store_bench.make_bank(40, rng)
    store = Store(make_engine(tmp_path / "s.db"))
    store_bench.populate(store, bank, 200, datetime.now(UTC), rng)
    assert len(store.cards()) == 40 and store.answer_counts()[0] == 200
    assert store_bench.record_times(store, bank, 3, rng)
    store.close()


def test_bank_load_benchmark_generates_a_valid_bank(tmp_path: Path) -> None:
    size = bench("bank_load").generate(tmp_path, 60)  # bytes of YAML written
    assert size > 0 and len(load_bank([tmp_path]).questions) == 60


def test_netpol_benchmark_generates_a_cluster() -> None:
    from quiz.netpol import cluster_from_objects, reachability_matrix

    cluster = cluster_from_objects(bench("netpol").generate(), origin="benchmark")
    assert reachability_matrix(cluster)


def test_netpol_benchmark_measures_a_size() -> None:
    figures = bench("netpol").measure(60, 10)
    assert (figures["pods"], figures["policies"]) == (60, 10)
    assert 0 < figures["classes"] <= 60 and figures["allowed"] <= figures["flows"]
    assert figures["peak_mb"] > 0 and figures["per_pod_s"] is not None


def test_startup_benchmark_builds_a_used_database(tmp_path: Path) -> None:
    startup = bench("startup")
    startup.used_database(tmp_path / "u.db", days=2, per_day=3)
    store = open_store(tmp_path / "u.db")
    assert store.answer_counts()[0] == 6 and len(store.sessions()) == 2
    from quiz.paths import bundled_bank

    assert review_queue(load_bank([bundled_bank()]), store, datetime.now(UTC))
    store.close()


def test_bank_write_benchmark_adds_and_edits_in_its_bank(tmp_path: Path) -> None:
    bank_write = bench("bank_write")
    root = tmp_path / "bank"
    bench("bank_load").generate(root, 40)
    times = bank_write.measure(root, 2)
    assert {name: len(t) for name, t in times.items()} == {
        "baseline": 2, "check": 2, "add": 2, "edit": 2}
    loaded = load_bank([root])
    assert {"bench-new-1", "bench-new-2"} <= set(loaded.questions)
    assert loaded.questions["cni-q1"].difficulty in ("easy", "hard")


def test_stats_benchmark_builds_its_database_and_runs_both_sides(tmp_path: Path) -> None:
    stats_bench = bench("stats")
    rng = random.Random(1)
    bank = stats_bench.make_bank(40, rng)
    store = Store(make_engine(tmp_path / "s.db"))
    stats_bench.populate(store, bank, 200, datetime.now(UTC), rng)
    stats_bench.add_exams(store, bank, 2, rng)
    store.close()
    scheduler = stats_bench.make_scheduler()
    bare = stats_bench.bare_sql(tmp_path / "s.db", datetime.now(UTC), scheduler._DECAY,
                                scheduler._FACTOR)
    assert sum(row[1] for row in bare["topics"]) == 40 and len(bare["exams"]) == 2
    import json

    out = json.loads(stats_bench.stats_command(tmp_path / "s.db", bank))
    assert out["totals"]["questions"] == 40 and out["reviews"] == 200
    # The baseline does the history charts' passes too, or leaves them out when told.
    assert sum(row[1] for row in bare["per question"]) == 200
    assert sum(n for *_, n in bare["durations"]) == 200 and "history" in out
    assert "weeks" not in stats_bench.bare_sql(tmp_path / "s.db", datetime.now(UTC),
                                               scheduler._DECAY, scheduler._FACTOR,
                                               history=False)


def test_optimize_benchmark_builds_its_history(tmp_path: Path) -> None:
    optimize_bench = bench("optimize")
    store = Store(make_engine(tmp_path / "o.db"))
    logs = optimize_bench.populate(store, 30, 300, datetime.now(UTC))
    assert logs == store.answer_counts()[0] > 100 and len(store.cards()) == 30
    store.close()


def test_history_script_is_valid_and_the_same_under_its_seed(tmp_path: Path) -> None:
    history = bench("history")
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    logs = []
    for name in ("a.db", "b.db"):
        store = history.write_history(tmp_path / name, 21, seed=5, now=now)
        logs.append([(e.question_id, e.answered_at, e.rating, e.mode)
                     for e in store.logs()])
        assert len(store.exams()) == 1 and all(a.session.finished_at for a in store.exams())
        store.close()
    assert logs[0] == logs[1] and len(logs[0]) > 100
    assert {mode for *_, mode in logs[0]} == {"review", "exam"}
    assert any(rating != 3 and rating != 1 for _, _, rating, _ in logs[0])  # regrades
    reopened = open_store(tmp_path / "a.db")  # checked and valid as the app opens it
    assert reopened.settings().fsrs_parameters is None
    reopened.close()

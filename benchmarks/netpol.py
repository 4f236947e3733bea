"""How long the reachability matrix takes, and its peak memory, at three sizes: 200 pods and
50 policies (the lab's usual), 1,000 pods and 100 policies, 3,000 pods and 300 policies (a
cluster dump; issue #18: at most 2 s and 500 MB). Each size runs in its own process, so its
peak resident memory is its own.

Run: .venv/bin/python benchmarks/netpol.py   (targets: 1 s at 200 pods, 2 s / 500 MB at 3,000)
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

from quiz.netpol import Cluster, cluster_from_objects, reachability_matrix
from quiz.netpol.matrix import class_matrix

TARGET_SECONDS = 1.0
PODS, NAMESPACES, POLICIES, RUNS = 200, 10, 50, 5
SIZES = ((200, 50), (1000, 100), (3000, 300))  # pods, policies
DUMP_TARGET_SECONDS, DUMP_TARGET_MB = 2.0, 500
APPS = ("web", "api", "db", "cache", "queue", "worker", "auth", "search")
PORTS = {
    "web": [{"containerPort": 8080, "name": "http"}],
    "api": [{"containerPort": 8443, "name": "https"}, {"containerPort": 9090, "name": "metrics"}],
    "db": [{"containerPort": 5432, "name": "pg"}],
    "cache": [{"containerPort": 6379}],
    "queue": [{"containerPort": 5672, "name": "amqp"}, {"containerPort": 15672}],
    "worker": [],
    "auth": [{"containerPort": 8443, "name": "https"}, {"containerPort": 53, "protocol": "UDP"}],
    "search": [{"containerPort": 9200, "name": "http"}, {"containerPort": 9300}],
}


def generate(seed: int = 7, pods: int = PODS, policies: int = POLICIES) -> list[dict[str, Any]]:
    """A reproducible cluster as manifest mappings."""
    rng = random.Random(seed)
    names = [f"team-{i}" for i in range(NAMESPACES)]
    objects: list[dict[str, Any]] = [
        {"kind": "Namespace", "metadata": {"name": n, "labels": {
            "env": rng.choice(["prod", "staging", "dev"]), "team": f"t{i % 4}"}}}
        for i, n in enumerate(names)
    ]
    for i in range(pods):
        app = rng.choice(APPS)
        objects.append({
            "kind": "Pod",
            "metadata": {"name": f"{app}-{i}", "namespace": rng.choice(names),
                         "labels": {"app": app, "tier": rng.choice(["front", "back"]),
                                    **({"canary": "true"} if rng.random() < 0.2 else {})}},
            "spec": {"containers": [{"name": app, "image": app, "ports": PORTS[app]}]},
            "status": {"podIP": f"10.{i // 250}.{i % 250}.{rng.randint(2, 250)}"},
        })
    makers = [_deny_all, _same_namespace_app, _namespace_env, _and_peer, _ip_block,
              _egress_named, _expressions]
    for i in range(policies):
        spec = makers[i % len(makers)](rng)
        objects.append({"kind": "NetworkPolicy", "spec": spec,
                        "metadata": {"name": f"np-{i}", "namespace": rng.choice(names)}})
    return objects


def _app(rng: random.Random) -> dict:
    return {"matchLabels": {"app": rng.choice(APPS)}}


def _deny_all(rng: random.Random) -> dict:
    return {"podSelector": {}, "policyTypes": rng.choice([["Ingress"], ["Ingress", "Egress"]])}


def _same_namespace_app(rng: random.Random) -> dict:
    return {"podSelector": _app(rng),
            "ingress": [{"from": [{"podSelector": _app(rng)}], "ports": [{"port": "http"}]}]}


def _namespace_env(rng: random.Random) -> dict:
    env = rng.choice(["prod", "staging", "dev"])
    return {"podSelector": _app(rng),
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"env": env}}}]}]}


def _and_peer(rng: random.Random) -> dict:
    return {"podSelector": _app(rng), "ingress": [{
        "from": [{"namespaceSelector": {"matchLabels": {"team": f"t{rng.randrange(4)}"}},
                  "podSelector": {"matchLabels": {"tier": "front"}}}],
        "ports": [{"port": 8000, "endPort": 9999}]}]}


def _ip_block(rng: random.Random) -> dict:
    return {"podSelector": _app(rng), "ingress": [{"from": [{"ipBlock": {
        "cidr": "10.0.0.0/16", "except": [f"10.0.{rng.randrange(250)}.0/24"]}}]}]}


def _egress_named(rng: random.Random) -> dict:
    return {"podSelector": _app(rng), "policyTypes": ["Egress"], "egress": [
        {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "auth"}}}],
         "ports": [{"port": 53, "protocol": "UDP"}, {"port": "https"}]},
        {"to": [{"podSelector": _app(rng)}]}]}


def _expressions(rng: random.Random) -> dict:
    return {"podSelector": {"matchExpressions": [
        {"key": "canary", "operator": "DoesNotExist"},
        {"key": "app", "operator": "In", "values": rng.sample(APPS, 3)}]},
        "ingress": [{"from": [{"podSelector": {"matchExpressions": [
            {"key": "tier", "operator": "NotIn", "values": ["back"]}]}}]}]}


def _median(fn: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(pods: int, policies: int) -> dict[str, Any]:
    """One size's figures (run in a child process: its peak memory is this size's alone)."""
    runs = RUNS if pods <= 1000 else 3
    objects = generate(pods=pods, policies=policies)
    start = time.perf_counter()
    cluster = cluster_from_objects(objects, origin="benchmark")
    load_s = time.perf_counter() - start

    def cold() -> Any:
        fresh: Cluster = cluster_from_objects(objects, origin="benchmark")
        start = time.perf_counter()
        grouped = class_matrix(fresh)  # includes grouping pods and building the index
        return time.perf_counter() - start, grouped

    times = [cold() for _ in range(runs)]
    cold_s, grouped = statistics.median(t for t, _ in times), times[-1][1]
    class_matrix(cluster)
    disabled = {cluster.policies[0].key, cluster.policies[3].key}
    warm_s = _median(lambda: class_matrix(cluster, disabled), runs)[0]
    allowed, flows = grouped.counts()
    refs = [pod.ref for pod in cluster.pods]
    ports = [len(pod.ports) for pod in cluster.pods]

    def bare() -> int:
        # The least a per-pod matrix costs: one step per (source, destination, port), nothing
        # evaluated and nothing kept.
        count = 0
        for s in refs:
            for d, n in zip(refs, ports, strict=True):
                if s is not d:
                    count += n
        return count

    bare_s = _median(bare, runs)[0]
    per_pod_s = None
    if pods <= 200:
        per_pod_s = _median(lambda: reachability_matrix(
            cluster_from_objects(objects, origin="benchmark")), runs)[0]
    return {"pods": pods, "policies": policies, "classes": len(grouped.classes),
            "flows": flows, "allowed": allowed, "load_s": load_s, "cold_s": cold_s,
            "warm_s": warm_s, "bare_s": bare_s, "per_pod_s": per_pod_s,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _median(fn: Any, runs: int = RUNS) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Print each size's times, peak memory and ratios to the targets and to a bare loop."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(measure(int(sys.argv[2]), int(sys.argv[3]))))
        return
    for pods, policies in SIZES:
        done = subprocess.run([sys.executable, __file__, "--child", str(pods), str(policies)],
                              capture_output=True, text=True, check=True)
        r = json.loads(done.stdout)
        target = TARGET_SECONDS if pods <= 200 else DUMP_TARGET_SECONDS
        print(f"{r['pods']:,} pods, {r['policies']} policies -> {r['classes']} classes, "
              f"{r['flows']:,} flows ({r['allowed']:,} allowed)")
        print(f"  load manifests:             {r['load_s'] * 1000:8.1f} ms")
        print(f"  class matrix, cold (index): {r['cold_s'] * 1000:8.1f} ms  ratio to "
              f"{target:.0f} s target: {r['cold_s'] / target:.3f}")
        print(f"  class matrix after toggle:  {r['warm_s'] * 1000:8.1f} ms")
        print(f"  bare loop over the flows:   {r['bare_s'] * 1000:8.1f} ms  matrix / bare "
              f"loop: {r['cold_s'] / r['bare_s']:.2f}x")
        if r["per_pod_s"] is not None:
            print(f"  spelled out, load + all:    {r['per_pod_s'] * 1000:8.1f} ms")
        print(f"  peak memory (max RSS):      {r['peak_mb']:8.1f} MB  ratio to "
              f"{DUMP_TARGET_MB} MB target: {r['peak_mb'] / DUMP_TARGET_MB:.3f}")


if __name__ == "__main__":
    main()

"""How long the full reachability matrix takes for 200 pods, 10 namespaces and 50 policies.

Run: .venv/bin/python benchmarks/netpol.py   (target: well under 1 s for the cold matrix)
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from quiz.netpol import Cluster, cluster_from_objects, reachability_matrix

TARGET_SECONDS = 1.0
PODS, NAMESPACES, POLICIES, RUNS = 200, 10, 50, 5
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


def generate(seed: int = 7) -> list[dict[str, Any]]:
    """A reproducible cluster as manifest mappings."""
    rng = random.Random(seed)
    names = [f"team-{i}" for i in range(NAMESPACES)]
    objects: list[dict[str, Any]] = [
        {"kind": "Namespace", "metadata": {"name": n, "labels": {
            "env": rng.choice(["prod", "staging", "dev"]), "team": f"t{i % 4}"}}}
        for i, n in enumerate(names)
    ]
    for i in range(PODS):
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
    for i in range(POLICIES):
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


def main() -> None:
    """Print the median times and their ratio to the target."""
    objects = generate()
    load_s, cluster = _median(lambda: cluster_from_objects(objects, origin="benchmark"))

    def cold() -> list:
        fresh: Cluster = cluster_from_objects(objects, origin="benchmark")
        return reachability_matrix(fresh)  # includes building the per-policy pod sets

    cold_s, edges = _median(cold)
    reachability_matrix(cluster)
    disabled = {cluster.policies[0].key, cluster.policies[3].key}
    warm_s, _ = _median(lambda: reachability_matrix(cluster, disabled))
    allowed = sum(e.allowed for e in edges)
    # Bare baseline: the least any matrix costs, one tuple per edge from a plain loop over
    # every (source, destination, declared port) with nothing evaluated.
    pods = list(cluster.pods)

    def bare() -> list:
        return [(s.ref, d.ref, p) for s in pods for d in pods if s is not d
                for p in d.ports]

    bare_s, _ = _median(bare)
    print(f"cluster: {len(cluster.pods)} pods, {len(cluster.namespaces)} namespaces, "
          f"{len(cluster.policies)} policies -> {len(edges)} edges ({allowed} allowed)")
    print(f"load manifests:            {load_s * 1000:8.1f} ms (median of {RUNS})")
    print(f"full matrix, load + index: {cold_s * 1000:8.1f} ms  "
          f"ratio to {TARGET_SECONDS:.0f} s target: {cold_s / TARGET_SECONDS:.3f}")
    print(f"matrix after a toggle:     {warm_s * 1000:8.1f} ms  "
          f"ratio to {TARGET_SECONDS:.0f} s target: {warm_s / TARGET_SECONDS:.3f}")
    print(f"bare loop over the edges:  {bare_s * 1000:8.1f} ms  "
          f"full matrix / bare loop: {cold_s / bare_s:.1f}x")


if __name__ == "__main__":
    main()

"""How much `quiz validate` costs over parsing the same YAML with libyaml and nothing else.

Generates a 10,000-question bank (about 18 MB of YAML) in a temporary directory, then times,
side by side in this run, `quiz validate` (a subprocess, as a user runs it) and a bare
`yaml.load(..., Loader=yaml.CSafeLoader)` of the same files (also a fresh subprocess, so both
pay for interpreter start-up). Prints the median of several runs and the ratio; target <= 1.5.

    .venv/bin/python benchmarks/bank_load.py [--questions 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = (
    "pod service policy ingress egress namespace label selector port protocol cluster node "
    "network plugin overlay route mesh sidecar certificate identity encrypt traffic metric "
    "scrape alert dashboard gateway listener backend endpoint proxy iptables nftables dns "
    "record tunnel vxlan bgp peer cidr block except allow deny isolate expose firewall"
).split()
TOPICS = ["pod-networking", "services-dns", "cni", "network-policies", "encryption",
          "external-access", "monitoring", "isolation"]

MANIFEST = """\
      ```yaml
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata:
        name: {name}
        namespace: {ns}
      spec:
        podSelector:
          matchLabels:
            app: {app}
        policyTypes: [Ingress, Egress]
        ingress:
          - from:
              - namespaceSelector:
                  matchLabels:
                    team: {team}
                podSelector:
                  matchLabels:
                    role: {role}
            ports:
              - protocol: TCP
                port: {port}
        egress:
          - to:
              - ipBlock:
                  cidr: 10.{a}.0.0/16
                  except: [10.{a}.{b}.0/24]
      ```
"""


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def generate(root: Path, count: int, seed: int = 7) -> int:
    """Write a valid bank of ``count`` questions; returns its size in bytes."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    concepts = [f"concept-{i}" for i in range(80)]
    lines = ["sources:", "  - id: bench/source", "    title: Benchmark source", "topics:"]
    lines += [f"  - id: {t}\n    title: {t}\n    weight: 1" for t in TOPICS]
    lines.append("concepts:")
    for i, c in enumerate(concepts):
        lines.append(f"  - id: {c}\n    topic: {TOPICS[i % 8]}\n    title: Concept {i}\n"
                     f"    summary: {sentence(rng, 30)}\n    source: bench/source\n"
                     "    docs: [https://kubernetes.io/docs/concepts/services-networking/]")
    (root / "concepts.yaml").write_text("\n".join(lines) + "\n")
    size = (root / "concepts.yaml").stat().st_size
    per_topic = count // len(TOPICS)
    for t_index, topic in enumerate(TOPICS):
        out = [f"topic: {topic}", "questions:"]
        n = per_topic + (1 if t_index < count % len(TOPICS) else 0)
        for q in range(n):
            manifest = MANIFEST.format(
                name=f"p{q}", ns=rng.choice(WORDS), app=rng.choice(WORDS),
                team=rng.choice(WORDS), role=rng.choice(WORDS), port=rng.randint(1, 65535),
                a=rng.randint(0, 255), b=rng.randint(0, 255))
            out.append(f"  - id: {topic}-q{q}")
            out.append(f"    concepts: [{rng.choice(concepts)}, {rng.choice(concepts)}]")
            out.append(f"    difficulty: {rng.choice(['easy', 'medium', 'hard'])}")
            out.append("    tags: [kcsa, generated]")
            out.append("    question: |")
            out.append(f"      Question {q} of {topic}: {sentence(rng, 25)}?")
            out.append(manifest.rstrip())
            out.append("    choices:")
            for c in range(4):
                out.append(f"      - text: Choice {c} {sentence(rng, 12)}")
                if c == 0:
                    out.append("        correct: true")
                out.append(f"        why: |\n          {sentence(rng, 8)}")
            out.append(f"    explanation: |\n      {sentence(rng, 30)}")
        path = root / f"{topic}.yaml"
        path.write_text("\n".join(out) + "\n")
        size += path.stat().st_size
    return size


BARE = """
import sys, yaml
from pathlib import Path
for p in sorted(Path(sys.argv[1]).rglob('*.yaml')):
    yaml.load(p.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader)
"""


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bank = Path(tmp) / "bank"
        size = generate(bank, args.questions)
        print(f"bank: {args.questions} questions, {size / 1e6:.1f} MB of YAML")
        quiz = [sys.executable, "-m", "quiz", "validate", str(bank)]
        bare = [sys.executable, "-c", BARE, str(bank)]
        timed(quiz)  # warm the page cache and .pyc files for both
        q_times, b_times = [], []
        for _ in range(args.runs):  # interleaved so machine noise hits both alike
            b_times.append(timed(bare))
            q_times.append(timed(quiz))
        q, b = statistics.median(q_times), statistics.median(b_times)
        print(f"bare yaml.load (CSafeLoader): {b:.2f} s   quiz validate: {q:.2f} s")
        print(f"ratio quiz validate / bare load: {q / b:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()

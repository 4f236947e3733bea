"""How much work one set of manifests may ask of the evaluator, so any file ends quickly.

A few hundred bytes of YAML can hold millions of values through aliases (``*a`` repeats a whole
subtree without copying it), and the matrix grows with pods × ports × policy rules. Loading
counts what it reads and what the cluster will cost, and refuses a file beyond these limits
with one :class:`ManifestError` naming it. The evaluator works on classes of alike pods (same
namespace, labels, ports and policy CIDRs: replicas of one workload), so the matrix and work
limits count classes: the benchmark's 3,000 pods and 300 policies make 496 classes, about a
third of the matrix limit, and take about a second to load and evaluate.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from quiz.netpol.errors import ManifestError

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_JSON_BYTES = 32 * 1024 * 1024  # `kubectl get -o json`: parsed in C, a 3,000-pod dump fits
# JSON errors get a line and column only up to this size: finding them means composing the text
# as YAML in Python (about 3 s and 400 MB per 4 MB of small values); larger dumps name the path.
MAX_LOCATED_JSON_BYTES = 1024 * 1024
# Values in a YAML text (quiz.safeyaml.value_marks, counted before libyaml composes it, which
# costs ~6 µs a value): a `kubectl get -o yaml` dump of 3,000 pods (7.2 MB) counts 800,000;
# 8 MiB of `- 1` lines, 4 million (a minute to compose, refused at once instead).
MAX_YAML_VALUES = 1_000_000
MAX_ENTRIES = 200_000  # list items and mapping keys read in all, aliases counted each time
MAX_LIST_DEPTH = 8  # a kind: List inside a kind: List ... (kubectl prints one)
MAX_PODS = 20_000  # pods (workload templates included) in one lab
MAX_EDGES = 1_000_000  # classes of alike pods × their container ports: the class matrix's size
MAX_FLOWS = 500_000  # pod pairs × ports spelled out one by one (quiz lab --json)
MAX_WORK = 10_000_000  # what policies read × (pods + IPs + namespaces + ports): index + matrix


class Budget:
    """What is left to read of one load; every ``Reader`` of that load spends from it."""

    def __init__(self, entries: int = MAX_ENTRIES) -> None:
        self.limit = entries
        self.left = entries

    @property
    def spent(self) -> int:
        return self.limit - self.left


def read_manifest_file(path: str | Path) -> str:
    """The text of a manifest file; ManifestError for anything but a regular UTF-8 file of at
    most MAX_FILE_BYTES (a FIFO, directory or device is refused before it is read)."""
    origin = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ManifestError(origin, None, None, f"cannot read file: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise ManifestError(origin, None, None, f"cannot read file: {what}")
        if st.st_size > MAX_JSON_BYTES:
            raise _too_big(origin)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise ManifestError(origin, None, None, f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)
    return _checked_text(data, origin, "not a UTF-8 text file")


def read_manifest_stream(stream: BinaryIO, origin: str = "<stdin>") -> str:
    """The text of a manifest stream (standard input), read up to MAX_FILE_BYTES as a file is:
    larger or not UTF-8 is one ManifestError."""
    try:
        data = stream.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise ManifestError(origin, None, None, f"cannot read: {exc.strerror}") from None
    return _checked_text(data, origin, "not UTF-8 text")


def is_json(data: bytes | str) -> bool:
    """Whether manifests look like JSON (``kubectl get -o json``): a ``{`` first."""
    head = data[:64].lstrip()
    return head[:1] in (b"{", "{")


def _checked_text(data: bytes, origin: str, not_text: str) -> str:
    """At most MAX_FILE_BYTES of YAML, or MAX_JSON_BYTES of JSON, as text."""
    if len(data) > MAX_JSON_BYTES or (len(data) > MAX_FILE_BYTES and not is_json(data)):
        raise _too_big(origin)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ManifestError(origin, None, None, not_text) from None


def check_pod_count(origin: str, pods: int) -> None:
    """ManifestError for more than MAX_PODS pods."""
    if pods > MAX_PODS:
        raise ManifestError(origin, None, None,
                            f"too large for the lab: {pods:,} pods (at most {MAX_PODS:,})")


def check_grouping_cost(origin: str, pods_with_ips: int, cidrs: int) -> None:
    """ManifestError if sorting pods into classes by the policies' CIDRs costs too much."""
    if pods_with_ips * cidrs > MAX_WORK:
        raise ManifestError(origin, None, None, (
            f"too large for the lab: {cidrs:,} policy CIDRs over {pods_with_ips:,} pod IPs "
            "would take too long to evaluate; split the file"))


def check_flow_count(origin: str, flows: int) -> None:
    """ManifestError if spelling out every pod pair (``quiz lab --json``) is too much."""
    if flows > MAX_FLOWS:
        raise ManifestError(origin, None, None, (
            f"too many flows to list: {flows:,} pod pairs and ports (at most {MAX_FLOWS:,}); "
            "open the lab without --json, or split the file"))


def check_cluster_size(origin: str, *, pods: int, ports: int, ips: int, namespaces: int,
                       policy_entries: int) -> None:
    """ManifestError if the cluster's matrix or index would cost more than the limits allow.

    ``pods`` counts classes of alike pods (one representative each), ``ports`` and ``ips``
    theirs: what the evaluator works on.
    """
    edges = pods * ports
    if edges > MAX_EDGES:
        raise ManifestError(origin, None, None, (
            f"too large for the lab: {pods:,} distinct pods × {ports:,} container ports make "
            f"{edges:,} matrix cells (at most {MAX_EDGES:,}; alike pods count once)"))
    work = policy_entries * (pods + ips + namespaces + ports)
    if work > MAX_WORK:
        raise ManifestError(origin, None, None, (
            f"too large for the lab: NetworkPolicies of {policy_entries:,} fields over "
            f"{pods:,} distinct pods would take too long to evaluate; split the file"))


def _too_big(origin: str) -> ManifestError:
    return ManifestError(origin, None, None, (
        f"file too large for the lab (over {MAX_FILE_BYTES // 2**20} MiB of YAML or "
        f"{MAX_JSON_BYTES // 2**20} MiB of JSON: `kubectl get ... -o json` is smaller and "
        "faster to read)"))

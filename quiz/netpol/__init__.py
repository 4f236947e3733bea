"""An offline evaluator of Kubernetes ``networking.k8s.io/v1`` NetworkPolicy semantics.

Load manifests into a :class:`Cluster`, ask :func:`evaluate` about one connection (with the
reasons), compute a :func:`reachability_matrix`, or :func:`check_claim` from a question.
No textual or rich here: the TUI lab builds on these plain functions.
"""

from quiz.netpol.claims import check_claim
from quiz.netpol.errors import (
    ManifestError,
    NetpolError,
    QueryError,
    UnknownPodError,
    UnknownPortError,
)
from quiz.netpol.evaluate import RuleRef, SideVerdict, Verdict, evaluate
from quiz.netpol.manifests import cluster_from_objects, load_manifests_file, load_manifests_text
from quiz.netpol.matrix import (
    Edge,
    PolicyToggles,
    matrix_to_records,
    port_edges,
    reachability_matrix,
)
from quiz.netpol.model import Cluster, NetworkPolicy, Pod, PodRef
from quiz.netpol.positions import StreamLocator

__all__ = [
    "Cluster",
    "Edge",
    "ManifestError",
    "NetpolError",
    "NetworkPolicy",
    "Pod",
    "PodRef",
    "PolicyToggles",
    "QueryError",
    "RuleRef",
    "SideVerdict",
    "StreamLocator",
    "UnknownPodError",
    "UnknownPortError",
    "Verdict",
    "check_claim",
    "cluster_from_objects",
    "evaluate",
    "load_manifests_file",
    "load_manifests_text",
    "matrix_to_records",
    "port_edges",
    "reachability_matrix",
]

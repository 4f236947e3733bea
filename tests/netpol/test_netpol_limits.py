"""Hostile manifests end quickly in one ManifestError naming the file: alias bombs, recursion,
clusters too big to evaluate, files that are not regular files, and unprintable values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.netpol import (
    Cluster,
    ManifestError,
    cluster_from_objects,
    load_manifests_file,
    load_manifests_text,
    reachability_matrix,
)
from quiz.netpol.limits import MAX_EDGES, MAX_FILE_BYTES, MAX_LIST_DEPTH
from quiz.netpol.matrix import class_matrix
from quiz.textsafe import printable

# 540 bytes: eight Lists, each holding the one below ten times: 10^7 objects once expanded.
LIST_BOMB = "kind: List\nx:\n- &l0 {kind: List, items: []}\n" + "".join(
    f"- &l{i} {{kind: List, items: [{','.join([f'*l{i - 1}'] * 10)}]}}\n" for i in range(1, 8)
) + "items: [*l7]\n"


def policy_bomb(width: int = 60) -> str:
    """Policies sharing one aliased list of rules, each with the same aliased peers."""
    lines = ["x: &p {podSelector: {matchLabels: {a: b}}}",
             f"y: &ps [{', '.join(['*p'] * width)}]",
             "z: &r {from: *ps}",
             f"w: &rs [{', '.join(['*r'] * width)}]",
             "kind: List", "items:"]
    lines += [f"- {{kind: NetworkPolicy, metadata: {{name: n{i}}}, spec: {{ingress: *rs}}}}"
              for i in range(width)]
    return "\n".join(lines) + "\n"


def error_of(text: str, origin: str = "bomb.yaml") -> ManifestError:
    with pytest.raises(ManifestError) as info:
        load_manifests_text(text, origin=origin)
    message = str(info.value)
    assert message.startswith(printable(origin) + ":") and "\n" not in message
    return info.value


def test_an_alias_expanded_list_bomb_is_refused() -> None:
    assert len(LIST_BOMB) < 600
    assert "alias bomb" in str(error_of(LIST_BOMB))  # the YAML loader's bound


def test_a_flat_alias_bomb_is_refused() -> None:
    assert "alias bomb" in str(error_of(policy_bomb()))


def test_a_recursive_list_is_refused() -> None:
    assert "contain itself" in str(error_of("kind: List\nitems: &a [{kind: List, items: *a}]\n"))


# The lab's own bounds hold for objects that did not come through the YAML loader (the
# loader refuses the same shapes earlier): shared Python objects stand in for aliases.

def shared_list_bomb() -> dict[str, Any]:
    inner: dict[str, Any] = {"kind": "List", "items": []}
    for _ in range(7):
        inner = {"kind": "List", "items": [inner] * 10}
    return {"kind": "List", "items": [inner]}


def shared_policy_bomb(width: int = 60) -> list[dict[str, Any]]:
    peers = [{"podSelector": {"matchLabels": {"a": "b"}}}] * width
    rules = [{"from": peers}] * width
    return [{"kind": "NetworkPolicy", "metadata": {"name": f"n{i}"}, "spec": {"ingress": rules}}
            for i in range(width)]


def test_lists_nested_too_deep_are_refused_by_the_lab() -> None:
    with pytest.raises(ManifestError, match="nested more than"):
        cluster_from_objects([shared_list_bomb()], origin="bomb.yaml")


def test_a_flat_shared_tree_is_refused_by_the_entry_budget() -> None:
    with pytest.raises(ManifestError, match="too large for the lab"):
        cluster_from_objects(shared_policy_bomb(), origin="bomb.yaml")


def test_a_self_containing_list_is_refused_by_the_lab() -> None:
    items: list[Any] = []
    items.append({"kind": "List", "items": items})
    with pytest.raises(ManifestError, match="nested more than"):
        cluster_from_objects([{"kind": "List", "items": items}], origin="bomb.yaml")


def test_lists_nested_within_the_limit_load() -> None:
    text = "kind: Pod\nmetadata: {name: a}\n"
    for _ in range(MAX_LIST_DEPTH - 1):
        text = "kind: List\nitems:\n- " + "\n  ".join(text.splitlines()) + "\n"
    assert [str(p.ref) for p in load_manifests_text(text).pods] == ["default/a"]


def pods_with_ports(pods: int, ports: int, serving: int | None = None) -> list[dict[str, Any]]:
    """``pods`` pods, the first ``serving`` of them (default all) with ``ports`` ports each;
    each has its own label, so no two are alike (the evaluator groups alike pods)."""
    container = {"ports": [{"containerPort": 1000 + j} for j in range(ports)]}
    return [{"kind": "Pod", "metadata": {"name": f"p{i}", "labels": {"i": str(i)}},
             "spec": {"containers": [container] if serving is None or i < serving else []}}
            for i in range(pods)]


def test_a_matrix_too_big_to_show_is_refused() -> None:
    pods = 1000
    ports = MAX_EDGES // pods
    with pytest.raises(ManifestError, match="matrix cells"):
        cluster_from_objects(pods_with_ports(pods, ports + 1, serving=1), origin="big.yaml")
    cluster = cluster_from_objects(pods_with_ports(pods, ports, serving=1), origin="big.yaml")
    assert class_matrix(cluster).counts() == ((pods - 1) * ports, (pods - 1) * ports)


def test_policies_too_costly_to_evaluate_are_refused() -> None:
    width = 40
    peers = [{"podSelector": {"matchLabels": {"a": "b"}}}] * width
    policies = [{"kind": "NetworkPolicy", "metadata": {"name": f"n{i}"},
                 "spec": {"ingress": [{"from": peers}] * width}} for i in range(4)]
    with pytest.raises(ManifestError, match="would take too long"):
        cluster_from_objects(pods_with_ports(300, 1) + policies, origin="slow.yaml")


# --- files that are not files ----------------------------------------------------------------

def lab_json(path: Path) -> subprocess.CompletedProcess[str]:
    """``quiz lab --json PATH`` in a child process: a hang fails the test instead of the run."""
    return subprocess.run([sys.executable, "-m", "quiz", "lab", "--json", str(path)],
                          capture_output=True, text=True, timeout=120)


def assert_refused(path: Path, words: str) -> None:
    result = lab_json(path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "lab.yaml"
    os.mkfifo(fifo)
    assert_refused(fifo, "not a regular file")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read file: a directory"):
        load_manifests_file(tmp_path)
    result = lab_json(tmp_path)  # click's own check of the argument, as a usage error
    assert result.returncode == 1 and "is a directory" in result.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused() -> None:
    assert_refused(Path("/dev/zero"), "not a regular file")


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(ManifestError, match="file too large"):
        load_manifests_file(huge)


# --- what messages show ----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["\x1b]52;c;aGk=\x07", "\x1b]0;owned\x07", "\x1b[2J", "\u202e"])
def test_control_characters_in_values_are_escaped(value: str) -> None:
    # An unknown kind is skipped and counted in a note: the note is escaped too.
    notes = load_manifests_text(f"kind: {yaml.safe_dump(value).strip()}\n").notes
    assert notes and not any(c in "".join(notes) for c in "\x1b\u202e\x07")
    texts = [
        f"kind: Pod\nmetadata: {{name: {yaml.safe_dump(value).strip()}}}\n",
        f"kind: Pod\nmetadata:\n  name: a\n  labels: {{{yaml.safe_dump(value).strip()}: 1}}\n",
        f"kind: NetworkPolicy\nmetadata: {{name: a}}\n"
        f"spec: {{{yaml.safe_dump(value).strip()}: 1}}\n",
    ]
    for text in texts:
        message = str(error_of(text, origin="evil\x1b[2J.yaml"))
        assert "\x1b" not in message and "\u202e" not in message and "\x07" not in message


def test_a_huge_value_is_not_echoed() -> None:
    message = str(error_of(f"kind: Pod\nmetadata: {{name: '{'X' * 1_000_000}'}}\n"))
    assert len(message) < 400


def test_an_enormous_integer_is_a_manifest_error() -> None:
    text = ("kind: Pod\nmetadata: {name: a}\nspec: {containers: [{ports: [{containerPort: "
            + "9" * 5000 + "}]}]}\n")
    assert len(str(error_of(text))) < 400


def test_a_label_value_that_is_an_expanded_tree_is_not_walked() -> None:
    tree: Any = ["x"] * 10
    for _ in range(6):
        tree = [tree] * 9  # 10 * 9**6 leaves once expanded
    pod = {"kind": "Pod", "metadata": {"name": "a", "labels": {"k": tree}}}
    with pytest.raises(ManifestError, match="label value must be a string") as info:
        cluster_from_objects([pod], origin="bomb.yaml")
    assert len(str(info.value)) < 400


# --- any tree at all -------------------------------------------------------------------------

KEYS = ("kind", "apiVersion", "metadata", "name", "namespace", "labels", "spec", "items",
        "podSelector", "namespaceSelector", "ipBlock", "cidr", "except", "policyTypes",
        "ingress", "egress", "from", "to", "ports", "port", "endPort", "protocol",
        "containers", "containerPort", "status", "podIP", "podIPs", "ip", "matchLabels",
        "matchExpressions", "key", "operator", "values", "x")
SCALARS = st.one_of(
    st.sampled_from(["List", "Pod", "Namespace", "NetworkPolicy", "v1", "networking.k8s.io/v1",
                     "TCP", "UDP", "SCTP", "In", "NotIn", "Exists", "DoesNotExist", "Ingress",
                     "Egress", "a", "web", "10.0.0.0/8", "10.1.2.3", "::1/128", "http", ""]),
    st.none(), st.booleans(), st.integers(-10, 70000), st.floats(allow_nan=True),
    st.text(max_size=8),
)
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=TREES)
def test_any_tree_ends_in_a_cluster_or_a_manifest_error(tree: Any) -> None:
    for load in (lambda: load_manifests_text(yaml.safe_dump_all(
                     tree if isinstance(tree, list) else [tree]), origin="t.yaml"),
                 lambda: cluster_from_objects(tree, origin="t.yaml"),
                 lambda: cluster_from_objects([tree], origin="t.yaml")):
        try:
            cluster = load()
        except ManifestError as exc:
            assert "\n" not in str(exc)
            continue
        assert isinstance(cluster, Cluster)
        reachability_matrix(cluster)


def test_too_many_pods_are_refused_even_when_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    import quiz.netpol.limits as limits

    monkeypatch.setattr(limits, "MAX_PODS", 50)
    alike = [{"kind": "Pod", "metadata": {"name": f"r{i}", "labels": {"app": "r"}}}
             for i in range(51)]
    with pytest.raises(ManifestError, match=r"too large for the lab: 51 pods \(at most 50\)"):
        cluster_from_objects(alike, origin="many.yaml")
    assert len(cluster_from_objects(alike[:50]).pods) == 50


def test_alike_replicas_count_once_against_the_matrix_limit() -> None:
    pods = int(MAX_EDGES ** 0.5) + 100  # pods × their ports: over the limit pod by pod
    container = {"ports": [{"containerPort": 80}]}
    replicas = [{"kind": "Pod", "metadata": {"name": f"web-{i}", "labels": {"app": "web"}},
                 "spec": {"containers": [container]}} for i in range(pods)]
    grouped = class_matrix(cluster_from_objects(replicas))
    assert len(grouped.classes) == 1 and grouped.counts()[1] == pods * (pods - 1)


def test_running_out_of_budget_names_the_path_without_composing_the_text(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Placing this error would compose the whole text a second time: for 8 MB of small values
    # that doubled a 14 s load's time and memory just to print a line number.
    from quiz.netpol import limits, load_manifests_text, positions

    def no_composing(self: object) -> list:
        raise AssertionError("the text was composed to place the error")

    monkeypatch.setattr(limits.Budget.__init__, "__defaults__", (10,))
    monkeypatch.setattr(positions.StreamLocator, "_compose", no_composing)
    with pytest.raises(ManifestError) as caught:
        load_manifests_text("kind: List\nitems:\n" + "- {}\n" * 20, origin="big.yaml")
    assert str(caught.value).startswith("big.yaml: object 0: items: too large for the lab: "
                                        "more than 10 list items")
    assert caught.value.line is None


def test_yaml_of_too_many_tiny_values_is_refused_before_it_is_composed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # 8 MiB of `- 1` lines took a minute to compose before the entry budget could count them.
    from quiz.netpol import limits, manifests

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the text was parsed")

    monkeypatch.setattr(manifests, "MAX_YAML_VALUES", 1_000)
    monkeypatch.setattr(yaml, "load_all", no_parsing)
    with pytest.raises(ManifestError) as caught:
        load_manifests_text("- 1\n" * 2_000, origin="tiny.yaml")
    assert str(caught.value) == (
        "tiny.yaml: too large for the lab: about 4,000 YAML values (at most 1,000); "
        "`kubectl get ... -o json` is read much faster")
    assert limits.MAX_YAML_VALUES >= 800_000  # a 3,000-pod `kubectl get -o yaml` dump fits


def test_a_raw_control_character_in_manifests_names_its_line() -> None:
    # libyaml refuses it before any token: the message used to say "position 30" in bytes
    with pytest.raises(ManifestError) as caught:
        load_manifests_text('kind: Pod\nmetadata:\n  name: "é\x07b"\n', origin="m.yaml")
    assert str(caught.value) == ("m.yaml:3:11: the control character \\x07: manifests are "
                                 "text without control characters")

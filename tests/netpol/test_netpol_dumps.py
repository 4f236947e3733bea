"""Real cluster dumps: workloads as pods, other kinds skipped and counted, standard input.

tests/data/netpol/cluster-dump.yaml is what `kubectl get ... -A -o yaml` prints for a small shop
cluster, metadata noise (managedFields, uid, status ...) included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quiz.cli import cli
from quiz.netpol import ManifestError, cluster_from_objects, evaluate, load_manifests_file
from quiz.netpol.limits import MAX_FILE_BYTES

DUMP = Path(__file__).parent.parent / "data" / "netpol" / "cluster-dump.yaml"


def test_dump_pods_real_pods_win_over_their_workloads() -> None:
    cluster = load_manifests_file(DUMP)
    assert [str(p.ref) for p in cluster.pods] == [
        "kube-system/coredns-6f6b679f8f-7xk2p",  # its Deployment adds nothing: pods loaded
        "monitoring/node-exporter",  # a DaemonSet without pods in the dump: its template
        "monitoring/prometheus",
        "shop/api",
        "shop/backup",  # a CronJob's job template
        "shop/db-0",  # the StatefulSet's pod; the StatefulSet adds nothing
        "shop/web-7c9f8d6b5d-abcde",
        "shop/web-7c9f8d6b5d-fghij",
    ]
    api = cluster.pod("shop/api")
    assert (dict(api.labels), [(p.number, p.name) for p in api.ports]) == (
        {"app": "api", "tier": "back"}, [(8443, "https")])
    assert cluster.pod("shop/backup").ports == ()


def test_dump_notes_say_what_was_skipped_in_one_line_each() -> None:
    assert load_manifests_file(DUMP).notes == (
        "4 workload pod template(s) loaded as one pod each, named after the workload",
        "2 Deployment, 1 StatefulSet added no pod: their own pods (or workloads) are loaded",
        "1 of 8 pods declare no container port: sources only (a row, no column)",
        "ignored: 3 ConfigMap, 1 Ingress",  # Services are read (the mesh evaluator)
    )


def test_dump_policies_apply_to_workload_pods() -> None:
    cluster = load_manifests_file(DUMP)
    assert evaluate(cluster, "shop/web-7c9f8d6b5d-abcde", "shop/api", "https").allowed
    assert not evaluate(cluster, "shop/web-7c9f8d6b5d-abcde", "shop/db-0", 5432).allowed
    assert evaluate(cluster, "shop/backup", "shop/db-0", 5432).ingress.allowed
    assert not evaluate(cluster, "shop/backup", "shop/db-0", 5432).egress.allowed  # default-deny


def workload(kind: str, name: str, labels: dict[str, str], ports: list[dict[str, Any]],
             owner: tuple[str, str] | None = None) -> dict[str, Any]:
    template = {"metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "ports": ports}]}}
    spec: dict[str, Any] = {"template": template}
    if kind == "CronJob":
        spec = {"jobTemplate": {"spec": {"template": template}}}
    meta: dict[str, Any] = {"name": name, "namespace": "x"}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1]}]
    api = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec}


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                                  "CronJob"])
def test_every_workload_kind_contributes_its_template(kind: str) -> None:
    cluster = cluster_from_objects([workload(kind, "w", {"app": "w"},
                                             [{"containerPort": 80, "name": "http"}])])
    (pod,) = cluster.pods
    assert (str(pod.ref), dict(pod.labels), pod.ports[0].number) == ("x/w", {"app": "w"}, 80)


def test_owned_workloads_add_nothing_when_their_owner_is_loaded() -> None:
    cluster = cluster_from_objects([
        workload("Deployment", "web", {"app": "web"}, []),
        workload("ReplicaSet", "web-5d8f", {"app": "web"}, [], owner=("Deployment", "web")),
        workload("CronJob", "nightly", {"app": "n"}, []),
        workload("Job", "nightly-2891", {"app": "n"}, [], owner=("CronJob", "nightly")),
    ])
    assert [str(p.ref) for p in cluster.pods] == ["x/nightly", "x/web"]


def test_a_pod_owned_through_a_replicaset_in_the_dump_hides_the_deployment() -> None:
    pod = {"kind": "Pod", "metadata": {"name": "web-5d8f-q", "namespace": "x",
                                       "ownerReferences": [{"kind": "ReplicaSet",
                                                            "name": "web-5d8f"}]}}
    cluster = cluster_from_objects([
        workload("Deployment", "web", {"app": "web"}, []),
        workload("ReplicaSet", "web-5d8f", {"app": "web"}, [], owner=("Deployment", "web")),
        pod])
    assert [str(p.ref) for p in cluster.pods] == ["x/web-5d8f-q"]


def test_a_workload_named_like_a_loaded_pod_adds_nothing_and_says_so() -> None:
    cluster = cluster_from_objects([
        {"kind": "Pod", "metadata": {"name": "web", "namespace": "x", "labels": {"a": "b"}}},
        workload("Deployment", "web", {"app": "web"}, [])])
    assert [dict(p.labels) for p in cluster.pods] == [{"a": "b"}]
    assert "Deployment x/web adds no pod: a pod of that name is already loaded" in cluster.notes


def test_workload_lists_and_nested_lists() -> None:
    cluster = cluster_from_objects([{"kind": "List", "items": [
        {"kind": "DeploymentList", "items": [workload("Deployment", "a", {}, [])]},
        {"kind": "ConfigMap", "metadata": {"name": "c"}},
        workload("DaemonSet", "b", {}, [])]}])
    assert [str(p.ref) for p in cluster.pods] == ["x/a", "x/b"]
    assert cluster.notes[-1] == "ignored: 1 ConfigMap"


def test_a_workload_without_a_template_is_one_positioned_error() -> None:
    with pytest.raises(ManifestError, match=r"Deployment x/w: spec.template: is required"):
        cluster_from_objects([{"apiVersion": "apps/v1", "kind": "Deployment",
                               "metadata": {"name": "w", "namespace": "x"}, "spec": {}}])


def test_a_wrong_workload_api_version_is_refused() -> None:
    with pytest.raises(ManifestError, match="expected apps/v1"):
        cluster_from_objects([{**workload("Deployment", "w", {}, []),
                               "apiVersion": "extensions/v1beta1"}])


# --- quiz lab - ------------------------------------------------------------------------------

def test_lab_reads_standard_input() -> None:
    result = CliRunner().invoke(cli, ["lab", "-", "--json"], input=DUMP.read_bytes())
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert all("transport" in r for r in records)  # every row says how a flow arrives (#18)
    flows = [{k: r[k] for k in ("from", "to", "port", "protocol", "allowed")} for r in records]
    assert {"from": "shop/web-7c9f8d6b5d-abcde", "to": "shop/api", "port": 8443,
            "protocol": "TCP", "allowed": True} in flows
    assert "quiz lab: ignored: 3 ConfigMap, 1 Ingress" in result.stderr.splitlines()


@pytest.mark.parametrize(("data", "fragment"), [
    (b"\xff\xfe\x00binary", "<stdin>: not UTF-8 text"),
    (b"kind: Pod\nmetadata: {name: [", "<stdin>:"),
    (b"x" * (MAX_FILE_BYTES + 1), "<stdin>: file too large for the lab"),
])
def test_bad_standard_input_is_one_line(data: bytes, fragment: str) -> None:
    result = CliRunner().invoke(cli, ["lab", "-", "--json"], input=data)
    assert result.exit_code != 0 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert fragment in line and "Traceback" not in result.stderr


@pytest.mark.parametrize(("redirect", "message"), [
    ("<&-", "quiz: <stdin>: cannot read: standard input is closed"),  # no sys.stdin at all
    ("0>written.txt", "quiz: <stdin>: cannot read: Bad file descriptor"),  # opened to write
])
def test_standard_input_that_cannot_be_read_is_one_line(tmp_path: Path, redirect: str,
                                                        message: str) -> None:
    import subprocess
    import sys

    result = subprocess.run(["sh", "-c", f'exec "$0" -m quiz lab - --json {redirect}',
                             sys.executable], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stderr, result.stdout) == (1, message + "\n", "")


def test_json_of_too_many_flows_is_refused_in_one_line(tmp_path: Path) -> None:
    from quiz.netpol.limits import MAX_FLOWS

    replicas = int(MAX_FLOWS ** 0.5) + 2  # alike pods: cheap to evaluate, too many to list
    pods = [{"kind": "Pod", "metadata": {"name": f"web-{i}", "labels": {"app": "web"}},
             "spec": {"containers": [{"ports": [{"containerPort": 80}]}]}}
            for i in range(replicas)]
    dump = tmp_path / "many.yaml"
    dump.write_text(json.dumps({"kind": "List", "items": pods}))
    result = CliRunner().invoke(cli, ["lab", str(dump), "--json"])
    assert result.exit_code != 0 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "too many flows to list" in line and "without --json" in line


# --- kubectl -o json ---------------------------------------------------------------------------

def dump_as_json() -> str:
    import yaml

    return json.dumps(yaml.safe_load(DUMP.read_text()), indent=2)


def test_a_json_dump_reads_like_the_yaml_one() -> None:
    from quiz.netpol import load_manifests_text

    cluster = load_manifests_text(dump_as_json(), origin="dump.json")
    yaml_cluster = load_manifests_file(DUMP)
    assert [(p.ref, dict(p.labels), p.ports, p.ips) for p in cluster.pods] == [
        (p.ref, dict(p.labels), p.ports, p.ips) for p in yaml_cluster.pods]
    assert cluster.notes == yaml_cluster.notes


def test_a_json_dump_larger_than_the_yaml_limit_is_read(tmp_path: Path) -> None:
    padded = tmp_path / "dump.json"
    text = dump_as_json()
    padded.write_text(text[:-1] + " " * (MAX_FILE_BYTES + 10) + "}")
    assert len(load_manifests_file(padded).pods) == 8
    result = CliRunner().invoke(cli, ["lab", "-", "--json"], input=padded.read_bytes())
    assert result.exit_code == 0, result.stderr


def test_yaml_over_the_limit_is_refused_and_json_suggested(tmp_path: Path) -> None:
    big = tmp_path / "dump.yaml"
    big.write_text("kind: List\nitems: []\n" + "#" * (MAX_FILE_BYTES + 10) + "\n")
    with pytest.raises(ManifestError, match=r"file too large for the lab .*-o json"):
        load_manifests_file(big)


def test_a_json_error_names_its_line() -> None:
    from quiz.netpol import load_manifests_text

    text = ('{\n  "kind": "List",\n  "items": [\n'
            '    {"kind": "Pod", "metadata": {"name": 7}}\n  ]\n}')
    with pytest.raises(ManifestError, match=r"^d.json:4:\d+: .*metadata.name: must be a string"):
        load_manifests_text(text, origin="d.json")


def test_a_large_json_error_names_its_path_without_composing_the_text(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Above the limit, finding the line would compose the whole dump as YAML in Python (a
    # List of a million empty items: 11 s and 450 MB just to place the error).
    from quiz.netpol import load_manifests_text, manifests, positions

    def no_composing(self: object) -> list:
        raise AssertionError("the text was composed to place the error")

    text = json.dumps({"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": 7}}]})
    monkeypatch.setattr(manifests, "MAX_LOCATED_JSON_BYTES", len(text) - 1)
    monkeypatch.setattr(positions.StreamLocator, "_compose", no_composing)
    with pytest.raises(ManifestError,
                       match=r"^d.json: object 0 items\[0\]: Pod: metadata.name: must be a "):
        load_manifests_text(text, origin="d.json")


# A key given twice: JSON keeps the last silently; YAML manifests refuse it, and so do dumps.

DUPLICATED = ('{\n  "kind": "List",\n  "items": [\n'
              '    {"kind": "Pod", "metadata": {"name": "a", "labels": {"app": "web"},\n'
              '                                 "labels": {"app": "db"}}}\n  ]\n}')


def test_a_json_key_given_twice_is_refused_with_its_line() -> None:
    from quiz.netpol import load_manifests_text

    with pytest.raises(ManifestError) as caught:
        load_manifests_text(DUPLICATED, origin="d.json")
    assert str(caught.value) == (
        "d.json:5:34: items[0].metadata: duplicate key 'labels' (first at line 4): "
        "a key may appear once in a mapping")


def test_a_json_key_given_twice_in_a_large_dump_names_its_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from quiz.netpol import json_dump, load_manifests_text, positions

    def no_composing(self: object) -> list:
        raise AssertionError("the text was composed to place the error")

    monkeypatch.setattr(json_dump, "MAX_LOCATED_JSON_BYTES", len(DUPLICATED) - 1)
    monkeypatch.setattr(positions.StreamLocator, "_compose", no_composing)
    monkeypatch.setattr(json_dump.yaml, "load", no_composing)
    with pytest.raises(ManifestError) as caught:
        load_manifests_text(DUPLICATED, origin="d.json")
    assert str(caught.value) == ("d.json: object 0 items[0].metadata: duplicate key 'labels': "
                                 "a key may appear once in a mapping")


def test_a_json_key_given_twice_on_standard_input_is_one_line() -> None:
    dump = '{"kind": "List", "items": [], "items": [{"kind": "Pod"}]}'
    result = CliRunner().invoke(cli, ["lab", "-", "--json"], input=dump.encode())
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("quiz: <stdin>:1:31: duplicate key 'items' (first at line 1): "
                             "a key may appear once in a mapping\n")

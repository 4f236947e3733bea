"""Starting the app reuses a validated bank until any bank file changes."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quiz.bank.loader
from quiz import cli, paths
from quiz.bank import cache
from quiz.bank.domain import Question
from quiz.cli import Options, load_bank_or_exit


@pytest.fixture
def bank_dir(data_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(data_dir / "banks" / "good", root)
    return root


def forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_a: object, **_k: object) -> None:
        raise AssertionError("the bank was parsed again")
    monkeypatch.setattr(quiz.bank.loader, "check_bank", fail)  # quiz.bank's is this one


def test_second_start_uses_the_cache(bank_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_bank_or_exit(Options(banks=(bank_dir,)))
    forbid_loading(monkeypatch)
    again = load_bank_or_exit(Options(banks=(bank_dir,)))
    assert list(again.questions) == list(first.questions)
    q = again.questions["np-deny-all-scope"]
    assert q.topic == "network-policies" and q.correct_indices == frozenset({0})


def test_the_cache_keeps_each_questions_fingerprint(bank_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_bank_or_exit(Options(banks=(bank_dir,)))
    assert not first.fingerprints  # loaded in full: each is hashed when asked for
    expected = {q.id: q.fingerprint() for q in first.questions.values()}
    forbid_loading(monkeypatch)
    again = load_bank_or_exit(Options(banks=(bank_dir,)))
    assert {i: f for i, (_q, f) in again.fingerprints.items()} == expected

    def hashed(_q: object) -> str:
        raise AssertionError("hashed again")
    monkeypatch.setattr(Question, "fingerprint", hashed)
    assert {q.id: again.fingerprint(q) for q in again.questions.values()} == expected


def test_a_question_put_in_the_cached_ones_place_is_hashed(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    bank = load_bank_or_exit(Options(banks=(bank_dir,)))
    old = bank.questions["enc-mtls-both-ends"]
    assert bank.fingerprints[old.id] == (old, old.fingerprint())
    new = replace(old, choices=[replace(c, correct=not c.correct) for c in old.choices])
    bank.questions[old.id] = new
    assert bank.fingerprint(new) == new.fingerprint() != old.fingerprint()
    assert bank.fingerprint(old) == old.fingerprint()  # not the bank's own: hashed too


@pytest.mark.parametrize("change", ["drop", "extra", "number"])
def test_an_entry_without_every_fingerprint_is_a_miss(bank_dir: Path, change: str) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    entry = only_entry()
    header, _, body = entry.read_bytes().partition(b"\n")
    data = json.loads(body)
    fingerprints = data["fingerprints"]
    some = next(iter(fingerprints))
    if change == "drop":
        del fingerprints[some]
    elif change == "extra":
        fingerprints["not-a-question"] = "0123456789abcdef"
    else:
        fingerprints[some] = 12345
    raw = json.dumps(data).encode()
    entry.write_bytes(json.dumps(cache._header(entry.stem, raw)).encode() + b"\n" + raw)
    assert cache.load_cached(paths.cache_dir(), entry.stem) is None


def test_an_edit_misses_the_cache(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    path = bank_dir / "encryption.yaml"
    path.write_text(path.read_text().replace("Both sides present a certificate",
                                             "Each side presents a certificate"))
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    bank = load_bank_or_exit(Options(banks=(bank_dir,)))
    texts = [c.text for c in bank.questions["enc-mtls-both-ends"].choices]
    assert "Each side presents a certificate" in texts


def test_an_invalid_bank_is_never_cached(bank_dir: Path, capsys: pytest.CaptureFixture) -> None:
    (bank_dir / "broken.yaml").write_text("topic: [\n")
    with pytest.raises(SystemExit) as exit_info:
        load_bank_or_exit(Options(banks=(bank_dir,)))
    assert exit_info.value.code == 1
    assert "broken.yaml:2:1: YAML syntax error" in capsys.readouterr().err
    assert not list(paths.cache_dir().glob("*.json"))


def test_a_corrupt_cache_is_a_miss(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    entries = list(paths.cache_dir().glob("*.json"))
    assert entries
    for cached in entries:
        cached.write_bytes(b"not json")
    assert "enc-mtls-both-ends" in load_bank_or_exit(Options(banks=(bank_dir,))).questions


def test_validate_never_uses_the_cache(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    (bank_dir / "encryption.yaml").write_text("topic: encryption\nquestions: 3\n")
    from click.testing import CliRunner

    result = CliRunner().invoke(cli.cli, ["validate", str(bank_dir)])
    assert result.exit_code == 1


# --- the entry cannot run code, and is read only from a private place -------------------------

class _Payload:
    """Unpickling this creates ``marker``: what a planted pickle could do as the user."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.touch, (self.marker,))


def only_entry() -> Path:
    entries = list(paths.cache_dir().glob("*.json"))
    assert len(entries) == 1
    return entries[0]


def test_a_planted_pickle_is_never_run(bank_dir: Path, tmp_path: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    key = only_entry().stem
    marker = tmp_path / "ran"
    for name in (f"{key}.pickle", f"{key}.json"):
        (paths.cache_dir() / name).write_bytes(pickle.dumps(_Payload(marker)))
    bank = load_bank_or_exit(Options(banks=(bank_dir,)))
    assert "enc-mtls-both-ends" in bank.questions
    assert not marker.exists()


def fill_cache(bank_dir: Path) -> None:
    """Start once, so the cache holds a good entry for ``bank_dir``."""
    load_bank_or_exit(Options(banks=(bank_dir,)))
    assert cache.load_cached(paths.cache_dir(), only_entry().stem) is not None


def assert_miss(bank_dir: Path) -> None:
    key = cache.cache_key([bank_dir])
    assert key is not None
    assert cache.load_cached(paths.cache_dir(), key) is None
    assert "enc-mtls-both-ends" in load_bank_or_exit(Options(banks=(bank_dir,))).questions


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_directory_others_can_write_is_not_used(bank_dir: Path, mode: int) -> None:
    fill_cache(bank_dir)
    paths.cache_dir().chmod(mode)
    entry_bytes = only_entry().read_bytes()
    assert_miss(bank_dir)
    assert only_entry().read_bytes() == entry_bytes  # and nothing is written there either


def test_a_symlinked_directory_is_not_used(bank_dir: Path, tmp_path: Path) -> None:
    fill_cache(bank_dir)
    real = tmp_path / "elsewhere"
    paths.cache_dir().rename(real)
    paths.cache_dir().symlink_to(real)
    assert_miss(bank_dir)


def test_an_entry_that_is_a_link_or_shared_is_not_read(bank_dir: Path, tmp_path: Path) -> None:
    fill_cache(bank_dir)
    entry = only_entry()
    entry.chmod(0o666)
    assert_miss(bank_dir)  # the load rewrites it privately...
    assert stat.S_IMODE(only_entry().stat().st_mode) == 0o600
    target = tmp_path / "target.json"
    shutil.copy(entry, target)
    entry.unlink()
    entry.symlink_to(target)
    assert cache.load_cached(paths.cache_dir(), entry.stem) is None


def test_a_fifo_entry_does_not_hang(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    entry = only_entry()
    entry.unlink()
    os.mkfifo(entry)
    assert cache.load_cached(paths.cache_dir(), entry.stem) is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a file to another user needs root")
def test_an_entry_owned_by_someone_else_is_not_read(bank_dir: Path) -> None:
    load_bank_or_exit(Options(banks=(bank_dir,)))
    entry = only_entry()
    os.chown(entry, 65534, 65534)
    assert cache.load_cached(paths.cache_dir(), entry.stem) is None
    os.chown(entry, 0, 0)
    os.chown(paths.cache_dir(), 65534, 65534)
    assert cache.load_cached(paths.cache_dir(), entry.stem) is None


def test_an_entry_for_another_key_is_a_miss(bank_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(bank_dir, other)
    (other / "encryption.yaml").write_text(
        (other / "encryption.yaml").read_text().replace("Both sides present a certificate",
                                                        "Each side presents a certificate"))
    load_bank_or_exit(Options(banks=(other,)))
    foreign = only_entry()
    key = cache.cache_key([bank_dir])
    assert key is not None and key != foreign.stem
    shutil.copy(foreign, paths.cache_dir() / f"{key}.json")  # served for the wrong bank?
    bank = load_bank_or_exit(Options(banks=(bank_dir,)))
    texts = [c.text for c in bank.questions["enc-mtls-both-ends"].choices]
    assert "Each side presents a certificate" not in texts


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values, damage=st.integers(min_value=0, max_value=10_000))
def test_a_malformed_entry_is_a_miss_never_an_error(bank_dir: Path, body: object,
                                                    damage: int) -> None:
    directory = paths.cache_dir()
    key = cache.cache_key([bank_dir])
    assert key is not None
    # A well-formed header whose digest matches, over any JSON at all...
    raw = json.dumps(body).encode()
    cache._private_dir(directory, create=True)
    entry = directory / f"{key}.json"
    entry.write_bytes(json.dumps(cache._header(key, raw)).encode() + b"\n" + raw)
    entry.chmod(0o600)
    result = cache.load_cached(directory, key)
    assert result is None or isinstance(result, cache.Bank)
    # ...and a real entry with one byte changed.
    cache.save_cached(directory, key, load_bank_or_exit(Options(banks=(bank_dir,))))
    data = bytearray(entry.read_bytes())
    data[damage % len(data)] ^= 0x20
    entry.write_bytes(bytes(data))
    assert cache.load_cached(directory, key) is None


# --- a changed file is never served from the cache, whatever its stats say --------------------

SWAP = ("Both sides present a certificate", "Both sides present a certificatE")


def edited_answer(bank_dir: Path) -> tuple[Path, str]:
    path = bank_dir / "encryption.yaml"
    text = path.read_text()
    assert SWAP[0] in text
    return path, text.replace(SWAP[0], SWAP[1])


def assert_new_text(bank_dir: Path) -> None:
    bank = load_bank_or_exit(Options(banks=(bank_dir,)))
    texts = [c.text for c in bank.questions["enc-mtls-both-ends"].choices]
    assert SWAP[1] in texts and SWAP[0] not in texts


def test_cp_p_of_a_same_size_edit_is_seen(bank_dir: Path, tmp_path: Path) -> None:
    path, new_text = edited_answer(bank_dir)
    edited = tmp_path / "edited.yaml"
    edited.write_text(new_text)
    st0 = path.stat()
    os.utime(edited, ns=(st0.st_atime_ns, st0.st_mtime_ns))
    load_bank_or_exit(Options(banks=(bank_dir,)))
    shutil.copy2(edited, path)  # cp -p
    assert path.stat().st_size == st0.st_size and path.stat().st_mtime_ns == st0.st_mtime_ns
    assert_new_text(bank_dir)


def test_touch_r_after_an_edit_is_seen(bank_dir: Path, tmp_path: Path) -> None:
    path, new_text = edited_answer(bank_dir)
    reference = tmp_path / "reference"
    shutil.copy2(path, reference)
    load_bank_or_exit(Options(banks=(bank_dir,)))
    path.write_text(new_text)
    ref = reference.stat()
    os.utime(path, ns=(ref.st_atime_ns, ref.st_mtime_ns))  # touch -r reference
    assert_new_text(bank_dir)


def test_a_same_size_same_mtime_edit_is_seen(bank_dir: Path) -> None:
    path, new_text = edited_answer(bank_dir)
    load_bank_or_exit(Options(banks=(bank_dir,)))
    st0 = path.stat()
    with open(path, "r+b") as fh:  # in place: same inode, same size
        fh.write(new_text.encode())
    os.utime(path, ns=(st0.st_atime_ns, st0.st_mtime_ns))
    assert path.stat().st_ino == st0.st_ino
    assert_new_text(bank_dir)


def test_a_same_size_edit_that_breaks_the_bank_is_refused(
        bank_dir: Path, capsys: pytest.CaptureFixture) -> None:
    path = bank_dir / "encryption.yaml"
    text = path.read_text()
    load_bank_or_exit(Options(banks=(bank_dir,)))
    st0 = path.stat()
    broken = text.replace("correct: true", "correct: 7777", 1)
    assert len(broken) == len(text) and broken != text
    path.write_text(broken)
    os.utime(path, ns=(st0.st_atime_ns, st0.st_mtime_ns))
    with pytest.raises(SystemExit) as exit_info:
        load_bank_or_exit(Options(banks=(bank_dir,)))
    assert exit_info.value.code == 1
    assert "encryption.yaml" in capsys.readouterr().err


# --- what the attack on the merged cache found ------------------------------------------------

def test_pruning_removes_only_quiz_entries(bank_dir: Path) -> None:
    shared = paths.cache_dir()
    shared.mkdir(parents=True, mode=0o700)
    mine = [shared / f"notes{i}.json" for i in range(6)] + [shared / "model.pickle"]
    for path in mine:
        path.write_text("{}")
    for n in range(6):  # several bank combinations: more entries than are kept
        (bank_dir / f"extra{n}.txt").write_text(str(n))
        load_bank_or_exit(Options(banks=(bank_dir,)))
    assert all(path.exists() for path in mine)
    assert len([p for p in shared.glob("*.json") if len(p.stem) == 32]) == 4


def test_a_scenario_file_of_any_name_is_part_of_the_key(bank_dir: Path) -> None:
    key = cache.cache_key([bank_dir])
    (bank_dir / "scenarios").mkdir(exist_ok=True)
    (bank_dir / "scenarios" / "s.JSON").write_text("{}")
    assert cache.cache_key([bank_dir]) != key


def test_a_huge_or_odd_file_turns_the_cache_off_without_reading_it(bank_dir: Path) -> None:
    from quiz.bank.files import MAX_FILE_BYTES

    with open(bank_dir / "big.yaml", "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)  # sparse: reading it would cost 64 MB
    assert cache.cache_key([bank_dir]) is None
    (bank_dir / "big.yaml").unlink()
    os.mkfifo(bank_dir / "pipe.yaml")
    assert cache.cache_key([bank_dir]) is None  # and it did not wait for a writer


def test_a_file_name_that_is_not_utf8_is_no_traceback(bank_dir: Path) -> None:
    odd = Path(os.fsdecode(os.fsencode(bank_dir) + b"/x\x9b2J.yaml"))
    odd.write_text("x")
    assert cache.cache_key([bank_dir]) is not None


def test_an_entry_leaves_out_only_fields_at_their_very_default() -> None:
    from quiz.bank.domain import Choice, Topic

    assert cache._fields(Choice(text="a")) == {"text": "a"}
    assert cache._fields(Choice(text="a", correct=True, claims=[])) == {
        "text": "a", "correct": True, "claims": []}
    # 1 equals the default 1.0 but is not it: kept, so the bank reads back as it was
    assert cache._fields(Topic(id="t", title="T", weight=1)) == {"id": "t", "title": "T",
                                                                 "weight": 1}
    assert cache._fields(Topic(id="t", title="T", weight=1.0)) == {"id": "t", "title": "T"}

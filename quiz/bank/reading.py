"""Bank files from disk to YAML data: which files a bank has, and reading one safely.

Every name that looks like a bank file is either read or reported: a dangling symbolic link, a
link loop, a FIFO or a directory called ``x.yaml`` is an error naming it, never skipped in
silence. A file is opened without blocking and checked to be a regular file of sane size before
a byte is read, so a FIFO cannot hang the loader.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from quiz.bank.controls import Loc, describe, find_controls, may_hold_control
from quiz.bank.files import display_path, not_a_file, read_regular
from quiz.bank.problems import Problem
from quiz.textsafe import shorten

if TYPE_CHECKING:
    import yaml

# yaml and quiz.safeyaml are imported where a file is parsed: a start-up on the bank cache
# reads no YAML and does without them.

CATALOG_NAME = "concepts.yaml"
SCENARIO_DIR = "scenarios"  # manifests for scenario questions live here, not questions
SUFFIXES = (".yaml", ".yml")
# Values in one file (safeyaml.value_marks, counted before parsing): a file of the benchmark
# bank's 1,250 questions counts 142,000, the bundled bank's largest 11,000. Composing costs
# ~6 µs a value in libyaml before anything can be checked (and a file with errors is composed
# twice), so 8 MB of `- 1` lines (4 million) took over a minute to refuse; at this limit a
# file is parsed or refused in a few seconds.
MAX_FILE_VALUES = 250_000


def bank_root(path: Path) -> Path:
    """The bank a path belongs to: the directory itself, or a file's nearest bank directory."""
    if path.is_dir():
        return path
    for parent in path.parents:
        if (parent / CATALOG_NAME).is_file():
            return parent
    return path.parent


def _candidates(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*")
        if p.suffix in SUFFIXES
        and not any(part.startswith(".") or part == SCENARIO_DIR
                    for part in p.relative_to(root).parts[:-1])
    )


def scan_bank(root: Path) -> tuple[list[Path], list[Problem]]:
    """A bank's readable YAML files, and a problem for each bank-file name that is not one."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in _candidates(root):
        reason = not_a_file(path)
        if reason is None:
            files.append(path)
        else:
            # The entry's own name, not where a link points (which may be nowhere).
            shown = str(Path(display_path(path.parent)) / path.name)
            problems.append(Problem(shown, 0, 0, reason))
    return files, problems


def bank_files(root: Path) -> list[Path]:
    """Every YAML file of a bank: its catalog and question files (not hidden or scenario dirs)."""
    return scan_bank(root)[0]


def decode(raw: bytes, display: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text of a file's bytes, or the problem (binary, not UTF-8) at its place."""
    if b"\0" in raw:
        return None, Problem(display, 1, 1, "binary file, not YAML text")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = f"0x{raw[exc.start]:02x}"
        return None, Problem(display, line, col, f"not UTF-8 text (byte {bad}): save as UTF-8")


class Parsed(NamedTuple):
    """A bank file read: its data, or the problem that stopped it; strings that hold controls."""

    data: Any
    problem: Problem | None = None
    controls: list[tuple[Loc, bool, str]] = []


def parse_file(path: Path, display: str) -> Parsed:
    """A file's YAML data, or the problem that stops it being read (bytes, encoding, syntax)."""
    try:
        raw = read_regular(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return Parsed(None, Problem(display, 0, 0, "cannot read: a loop of symbolic links"))
        return Parsed(None, Problem(display, 0, 0, f"cannot read: {exc.strerror or 'error'}"))
    text, problem = decode(raw, display)
    if text is None:
        return Parsed(None, problem)
    import yaml

    from quiz.safeyaml import BankLoader, refused_character, value_marks

    if len(raw) > MAX_FILE_VALUES and (values := value_marks(raw)) > MAX_FILE_VALUES:
        return Parsed(None, Problem(display, 0, 0, (
            f"too many values for one bank file: about {values:,} (at most "
            f"{MAX_FILE_VALUES:,}): split it into several files")))
    try:
        data = yaml.load(text, Loader=BankLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Parsed(None, Problem(display, line, col, yaml_message(exc)))
    except yaml.reader.ReaderError as exc:  # a raw control character, refused by libyaml
        line, col, char = refused_character(text, exc)
        return Parsed(None, Problem(display, line, col, (
            f"the control character {describe(char)}: a bank may not hold terminal escapes or "
            "other control characters")))
    except yaml.YAMLError as exc:
        return Parsed(None, Problem(display, 1, 1, f"YAML error: {shorten(str(exc), 160)}"))
    return Parsed(data, None, find_controls(data) if may_hold_control(text) else [])


def yaml_message(exc: yaml.MarkedYAMLError) -> str:
    """What a YAML error says, in a bank author's words (never the file's text)."""
    import yaml

    from quiz.safeyaml import LimitError

    problem = exc.problem or "invalid YAML"
    if isinstance(exc, LimitError):
        return problem
    if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
        tag = problem.split("'")[1] if "'" in problem else problem
        tag = shorten(tag.replace("tag:yaml.org,2002:", "!!"), 60)
        if tag.startswith("!!python"):
            return f"unsafe YAML tag {tag}: a bank is plain data and cannot run code"
        return f"unknown YAML tag {tag}: use plain mappings, lists and strings"
    context = f" {exc.context}" if exc.context else ""
    return shorten(f"YAML syntax error:{context} {problem}".replace("  ", " "), 200)

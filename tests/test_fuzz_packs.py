"""Fuzzing the rubric pack loader with mutated TOML files in a temp copy of the real pack.

``load_pack_dir`` must return a ``RolePack`` or raise ``PackLoadError`` whose problems each
name a file; a pack that still loads must grade an answer without crashing. To keep each case
fast the copy holds pack.toml, mistakes.toml, lexicon.toml and one question file (basic.toml).
"""

from __future__ import annotations

import re
import shutil
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockinterview.grading import grade_answer
from mockinterview.packs.loader import PackLoadError, load_pack_dir
from mockinterview.resources import rubrics_dir

FILES = ("pack.toml", "mistakes.toml", "lexicon.toml", "questions/basic.toml")
ANSWER = (
    "I would start from the decision and a rules baseline, check the data quality and labels, "
    "validate out of time, report precision and recall, and monitor drift after deployment."
)
ASSIGNMENT = re.compile(r"^(\s*[A-Za-z0-9_\-]+\s*=\s*)(.+)$")
# Values of every TOML type and some nasty ones: replacing a real value gives wrong types,
# out-of-range numbers, empty strings/lists, template and regex syntax, huge strings.
NEW_VALUES = [
    "0",
    "-1",
    "99999999999",
    "3.5",
    "inf",
    "nan",
    "true",
    '""',
    '"x"',
    "[]",
    "[1, 2]",
    '[""]',
    '["(", "[", "*"]',
    "{}",
    "{ a = 1 }",
    "1979-05-27T07:32:00Z",
    '"{{ 7*7 }} {% for x in y %}"',
    '"\\u0000\\u001b[2J"',
    '"' + "a" * 5000 + '"',
]


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.fixture
def pack_copy(tmp_path) -> tuple[Path, dict[str, str]]:
    source = rubrics_dir() / "data-scientist"
    target = tmp_path / "pack"
    for rel in FILES:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)
    originals = {rel: (target / rel).read_text(encoding="utf-8") for rel in FILES}
    load_pack_dir(target)  # the unmutated copy loads
    return target, originals


@st.composite
def edits(draw, text: str) -> str:
    """1-3 edits of a TOML text: retype a value, delete/duplicate/swap a line, truncate,
    insert random characters."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        kind = draw(
            st.sampled_from(["retype", "retype", "delete", "duplicate", "swap", "truncate", "insert"])
        )
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "retype":
            assigned = [n for n, line in enumerate(lines) if ASSIGNMENT.match(line)]
            if assigned:
                n = draw(st.sampled_from(assigned))
                head = ASSIGNMENT.match(lines[n]).group(1)
                lines[n] = head + draw(st.sampled_from(NEW_VALUES)) + "\n"
        elif kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "truncate":
            lines = lines[:i]
        else:
            at = draw(st.integers(0, len(lines[i])))
            junk = draw(st.text(max_size=8))
            lines[i] = lines[i][:at] + junk + lines[i][at:]
    return "".join(lines)


def _crash_site(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/mockinterview/" in f.filename]
    where = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__} in {where.filename.split('/mockinterview/')[-1]}:{where.name}"


# About 17 s of CPU; on a shared 2-core machine its wall time has reached the default 120 s
# limit, which is a hang guard, not a speed bound.
@pytest.mark.timeout(600)
def test_mutated_pack_files_load_or_fail_with_located_problems(pack_copy):
    target, originals = pack_copy
    ran = loaded = 0
    crashes: dict[str, int] = {}
    texts = {rel: st.just(text) for rel, text in originals.items()}

    @fuzz(400)
    @given(st.sampled_from(FILES).flatmap(lambda rel: st.tuples(st.just(rel), texts[rel].flatmap(edits))))
    def case(change: tuple[str, str]) -> None:
        nonlocal ran, loaded
        rel, text = change
        ran += 1
        (target / rel).write_text(text, encoding="utf-8")
        try:
            pack = load_pack_dir(target)
        except PackLoadError as exc:
            assert exc.problems, "a load error must list its problems"
            for problem in exc.problems:
                assert problem.file and problem.message
                assert "\n" not in str(problem), str(problem)
            return
        except Exception as exc:  # anything else is a crash; tallied so one run shows them all
            crashes[_crash_site(exc)] = crashes.get(_crash_site(exc), 0) + 1
            return
        finally:
            (target / rel).write_text(originals[rel], encoding="utf-8")
        loaded += 1
        for question in pack.questions[:3]:
            try:
                grade = grade_answer(ANSWER, question, pack)
                assert 1.0 <= grade.score <= 5.0
            except Exception as exc:
                crashes[_crash_site(exc)] = crashes.get(_crash_site(exc), 0) + 1

    case()
    print(f"\nfuzz load_pack_dir: {ran} mutated packs, {loaded} still loaded and graded; crashes: {crashes}")
    assert ran >= 350
    assert not crashes


def test_binary_and_oversized_pack_files_are_problems_not_crashes(pack_copy):
    target, originals = pack_copy
    ran = 0

    @fuzz(150)
    @given(st.sampled_from(FILES), st.binary(max_size=3000))
    def case(rel: str, blob: bytes) -> None:
        nonlocal ran
        ran += 1
        (target / rel).write_bytes(blob)
        try:
            load_pack_dir(target)  # e.g. an empty mistakes.toml is valid TOML: then the pack
        except PackLoadError as exc:  # fails on the questions' mistake ids instead
            assert exc.problems and all(p.file and "\n" not in str(p) for p in exc.problems)
            if b"\0" in blob:  # never valid TOML: the problem is in this file
                assert any(p.file == rel for p in exc.problems)
        finally:
            (target / rel).write_text(originals[rel], encoding="utf-8")

    case()
    print(f"\nfuzz load_pack_dir random bytes: {ran} cases")
    (target / "questions" / "basic.toml").write_bytes(b"# " + b"x" * 2_100_000)
    with pytest.raises(PackLoadError, match="too large"):
        load_pack_dir(target)

"""Fuzzing the transcript loader, and everything that reads a transcript once it loaded.

``load_transcript`` must turn any file into a ``Transcript`` or a one-line ``TranscriptError``.
A file that *does* load (e.g. a grade pointing at a turn that is not there, a duplicated turn,
an unknown question id) must not crash the session list, the reports or ``replay`` either.
Every test prints how many cases it ran (``pytest -s`` shows them).
"""

from __future__ import annotations

import asyncio
import json
import traceback
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockinterview.engine.review import add_comment, override_grade
from mockinterview.engine.session import InterviewConfig, InterviewSession
from mockinterview.storage import transcripts
from mockinterview.storage.transcripts import TranscriptError, load_transcript, summarize

# Hypothesis warns that a whole transcript makes a long example repr; that is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


def fuzz(examples: int) -> settings:
    """Deterministic (same cases every CI run), no example database, no per-case deadline."""
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


async def _sample_session(directory: Path) -> Path:
    """A real stub session: answers, a clarification, a follow-up, a skip, mentor notes."""
    config = InterviewConfig(rounds=["basic", "behavioral"], questions_per_round=2, track_time=False)
    session = await InterviewSession.create(config, sessions_dir=directory)
    await session.begin()
    await session.ask_clarification("How much history do we have?")
    await session.submit_answer("I would check the baseline and the data quality first.")
    answers = iter(
        [
            "We would deploy with monitoring for drift and a rollback plan.",
            "/skip",
            "As lead I set the goal, I owned the plan and we cut churn by 12% which saved $2M a year.",
        ]
        + ["Another answer about impact."] * 6
    )
    while session.state == "awaiting-answer":
        text = next(answers)
        await (session.skip() if text == "/skip" else session.submit_answer(text))
    graded = session.transcript.grades[0].turn_id
    add_comment(session.transcript, graded, "Good start; quantify the impact.")
    override_grade(session.transcript, graded, 3.5, "rubric too strict here")
    from mockinterview.storage.transcripts import save_transcript

    save_transcript(session.transcript, session.path)
    return session.path


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> bytes:
    path = asyncio.run(_sample_session(tmp_path_factory.mktemp("sample")))
    return path.read_bytes()


def _load_or_clean_error(path: Path):
    try:
        return load_transcript(path)
    except TranscriptError as exc:
        message = str(exc)
        assert message and "\n" not in message, repr(message)
        assert str(path) in message
        return None


def crash_site(exc: BaseException) -> str:
    """``KeyError in engine/session.py:answer_text_for_grade``: the innermost frame of ours."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/mockinterview/" in f.filename]
    where = frames[-1] if frames else traceback.extract_tb(exc.__traceback__)[-1]
    short = where.filename.split("/mockinterview/")[-1]
    return f"{type(exc).__name__} in {short}:{where.name}"


def _use_everywhere(t, path: Path, crashes: dict[str, int]) -> None:
    """What the product does with a loaded transcript: summaries, reports, replay.
    Unexpected exceptions are tallied by where they happen rather than stopping the run,
    so one run reports every distinct crash."""
    from mockinterview.engine.replay import replay_transcript
    from mockinterview.reports import export

    for use in (
        lambda: summarize(t, path),
        lambda: export(t, "md", include_model_calls=True),
        lambda: asyncio.run(replay_transcript(str(path), "stub", None)),
    ):
        try:
            use()
        except Exception as exc:
            site = crash_site(exc)
            crashes[site] = crashes.get(site, 0) + 1


def test_random_bytes_never_crash_the_loader(tmp_path):
    ran = 0
    path = tmp_path / "t.json"

    @fuzz(1000)
    @given(st.binary(max_size=4000))
    def case(blob: bytes) -> None:
        nonlocal ran
        ran += 1
        path.write_bytes(blob)
        _load_or_clean_error(path)

    case()
    print(f"\nfuzz load_transcript random bytes: {ran} cases")
    assert ran >= 1000


def test_truncated_and_byte_flipped_transcripts_never_crash_the_loader(tmp_path, sample):
    ran = 0
    crashes: dict[str, int] = {}
    path = tmp_path / "t.json"

    @fuzz(1000)
    @given(
        st.integers(0, len(sample)),
        st.lists(st.tuples(st.integers(0, len(sample) - 1), st.integers(0, 255)), max_size=4),
    )
    def case(cut: int, flips: list[tuple[int, int]]) -> None:
        nonlocal ran
        ran += 1
        blob = bytearray(sample)
        for at, value in flips:
            blob[at] = value
        path.write_bytes(bytes(blob[:cut]))
        t = _load_or_clean_error(path)
        if t is not None:
            _use_everywhere(t, path, crashes)

    case()
    print(f"\nfuzz load_transcript truncated/flipped: {ran} cases; crashes after loading: {crashes}")
    assert ran >= 1000
    assert not crashes


def _leaves(value: Any, at: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*at, k))] or [at]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*at, i))] or [at]
    return [at]


def _containers(value: Any, at: tuple = ()) -> list[tuple]:
    out = [at] if isinstance(value, list) and value else []
    if isinstance(value, dict):
        out += [c for k, v in value.items() for c in _containers(v, (*at, k))]
    elif isinstance(value, list):
        out += [c for i, v in enumerate(value) for c in _containers(v, (*at, i))]
    return out


def _get(data: Any, at: tuple) -> Any:
    for key in at:
        data = data[key]
    return data


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 60) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def mutated(draw, original: dict) -> dict:
    """The sample with 1-4 edits: a leaf replaced by a same-typed or any value, a list item
    removed or duplicated. Same-typed edits mostly still validate: the semantic cases."""
    data = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["same-type", "same-type", "any", "drop", "duplicate"]))
        if kind in ("drop", "duplicate"):
            lists = _containers(data)
            if not lists:
                continue
            items = _get(data, draw(st.sampled_from(lists)))
            i = draw(st.integers(0, len(items) - 1))
            if kind == "drop":
                items.pop(i)
            else:
                items.insert(i, json.loads(json.dumps(items[i])))
            continue
        at = draw(st.sampled_from(_leaves(data)))
        if not at:
            continue
        old = _get(data, at)
        if kind == "any" or old is None:
            new = draw(json_values)
        elif isinstance(old, bool):
            new = not old
        elif isinstance(old, int):
            new = draw(st.integers(-3, 60))
        elif isinstance(old, float):
            new = draw(st.floats(-10, 10) | st.sampled_from([float("inf"), float("nan")]))
        else:
            new = draw(
                st.sampled_from(["", "basic", "stub", "answer", "question", "x" * 300]) | st.text(max_size=30)
            )
        _get(data, at[:-1])[at[-1]] = new
    return data


def test_mutated_transcripts_load_cleanly_and_loaded_ones_never_crash_reports_or_replay(tmp_path, sample):
    original = json.loads(sample)
    path = tmp_path / "t.json"
    ran = loaded = 0
    crashes: dict[str, int] = {}

    @fuzz(200)
    @given(mutated(original))
    def case(data: dict) -> None:
        nonlocal ran, loaded
        ran += 1
        path.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
        t = _load_or_clean_error(path)
        if t is not None:
            loaded += 1
            _use_everywhere(t, path, crashes)

    case()
    print(
        f"\nfuzz mutated transcripts: {ran} cases, {loaded} loaded and went through summary/export/replay; "
        f"crashes: {crashes}"
    )
    assert ran >= 200 and loaded >= 40
    # A crash site not listed as a known bug fails here.
    assert set(crashes) <= KNOWN_CRASH_SITES, crashes


def test_the_one_pass_load_gives_what_the_long_way_gives(sample):
    """A file the one-pass load takes (pydantic straight from the bytes, strict) loads as
    the long way (json.loads, migrate, lax validation) loads it; every other file goes the
    long way, so its errors and migrations are the long way's. Edited and byte-flipped
    samples, plus values only the lax check takes."""
    original = json.loads(sample)
    ran = taken = 0

    def long_way(raw: bytes) -> str | None:
        try:
            return transcripts._validated_the_long_way(raw, Path("t.json")).model_dump_json()
        except TranscriptError:
            return None

    def check(raw: bytes) -> None:
        nonlocal ran, taken
        ran += 1
        fast = transcripts._validated_in_one_pass(raw)
        if fast is not None:
            taken += 1
            assert fast.model_dump_json() == long_way(raw)

    @fuzz(300)
    @given(mutated(original))
    def edited(data: dict) -> None:
        check(json.dumps(data, allow_nan=True).encode())

    @fuzz(300)
    @given(st.lists(st.tuples(st.integers(0, len(sample) - 1), st.integers(0, 255)), max_size=3))
    def flipped(flips: list[tuple[int, int]]) -> None:
        blob = bytearray(sample)
        for at, value in flips:
            blob[at] = value
        check(bytes(blob))

    edited()
    flipped()
    lax_only = [
        sample.replace(b'"schema_version": 1', b'"schema_version": "1"', 1),
        sample.replace(b'"schema_version": 1', b'"schema_version": true', 1),
        sample.replace(b'"schema_version": 1', b'"schema_version": 2', 1),
        sample.replace(b'"id": 1,', b'"id": "1",', 1),
        b"\xef\xbb\xbf" + sample,
    ]
    assert all(raw != sample for raw in lax_only)
    for raw in lax_only:
        check(raw)
        assert transcripts._validated_in_one_pass(raw) is None
    check(sample)
    print(f"\none-pass load against the long way: {ran} files, {taken} taken by the one pass")
    assert taken >= 100


# Crash sites fuzzing found that are not fixed yet, each with a minimal strict-xfail test.
# (It found "KeyError in engine/session.py:answer_text_for_grade" - replay of a grade whose
# answer turn is missing - fixed in replay_cmd; the minimal case below keeps it fixed.)
KNOWN_CRASH_SITES: set[str] = set()


def test_replay_of_a_grade_whose_turn_is_missing_reports_a_row_error(tmp_path, sample):
    from mockinterview.engine.replay import replay_transcript

    data = json.loads(sample)
    graded = data["grades"][0]["turn_id"]
    data["turns"] = [t for t in data["turns"] if t["id"] != graded]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    load_transcript(path)  # it loads: the schema has no cross-reference checks
    result = asyncio.run(replay_transcript(str(path), "stub", None))
    assert result.error or any(r.error for r in result.rows)

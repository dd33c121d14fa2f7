"""Transcript storage on real files: atomic private saves, one-line load errors, listing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockinterview.domain.grade import Grade
from mockinterview.domain.transcript import GradeOverride, GradeRecord, SessionMeta, Transcript, Turn
from mockinterview.storage import transcripts as store
from mockinterview.storage.transcripts import (
    TranscriptError,
    delete_session,
    find_session,
    latest_session,
    list_sessions,
    load_transcript,
    save_transcript,
)


def make_transcript(
    session_id: str = "20260101-000000-aaaaaa", scores=(3.0, 4.0), status="completed"
) -> Transcript:
    meta = SessionMeta(
        id=session_id,
        pack_id="data-scientist",
        pack_version="1.0.0",
        pack_hash="x" * 64,
        interviewer_model="stub",
        grader_model="stub",
        rounds=["basic", "technical"],
        questions_per_round=1,
        status=status,
    )
    t = Transcript(meta=meta)
    for i, (round_id, score) in enumerate(zip(("basic", "technical"), scores, strict=False)):
        q = Turn(
            id=2 * i + 1,
            speaker="interviewer",
            kind="question",
            text="Q?",
            round=round_id,
            question_id=f"q{i}",
        )
        a = Turn(
            id=2 * i + 2, speaker="candidate", kind="answer", text="A.", round=round_id, question_id=f"q{i}"
        )
        t.turns += [q, a]
        grade = Grade(question_id=f"q{i}", score=score, grader="stub")
        t.grades.append(GradeRecord(turn_id=a.id, question_id=f"q{i}", round=round_id, grade=grade))
    return t


def test_save_and_load_round_trip_private_and_atomic(tmp_path):
    t = make_transcript()
    path = save_transcript(t, tmp_path / "s.json")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_transcript(path) == t
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temp files left behind


def test_default_location_is_the_private_sessions_dir(isolated_dirs):
    path = save_transcript(make_transcript())
    assert path.parent == isolated_dirs["data"] / "sessions"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"


def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = save_transcript(make_transcript(scores=(2.0, 2.0)), tmp_path / "s.json")
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_transcript(make_transcript(scores=(5.0, 5.0)), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_the_api_key_never_reaches_disk_and_the_session_still_saves(tmp_path, monkeypatch):
    key = "sk-test-0123456789abcdefghijklmnop"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    t = make_transcript()
    t.turns[1].text = f"my key is {key}, please grade kindly"
    save_transcript(t, tmp_path / "s.json")
    on_disk = (tmp_path / "s.json").read_text()
    assert key not in on_disk
    assert "[redacted: OPENAI_API_KEY]" in on_disk
    assert load_transcript(tmp_path / "s.json").turns[1].text.startswith("my key is [redacted")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00\x01", "not UTF-8"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"schema_version": 1, "meta": {}}', "invalid transcript at meta"),
        (b'{"schema_version": 99, "meta": {}}', "newer mockinterview"),
        (b'{"schema_version": "one"}', "schema_version"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(TranscriptError) as info:
        load_transcript(path)
    message = str(info.value)
    assert reason in message and str(path) in message and "\n" not in message


def test_missing_and_oversized_files(tmp_path, monkeypatch):
    with pytest.raises(TranscriptError, match="no such file"):
        load_transcript(tmp_path / "nope.json")
    path = save_transcript(make_transcript(), tmp_path / "s.json")
    monkeypatch.setattr(store, "MAX_TRANSCRIPT_BYTES", 100)
    with pytest.raises(TranscriptError, match="too large"):
        load_transcript(path)


def test_migration_hook_upgrades_old_files(tmp_path, monkeypatch):
    data = make_transcript().model_dump(mode="json")
    data["schema_version"] = 1
    data["meta"]["legacy_field"] = "dropped by the migration"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))

    def v1_to_v2(raw):
        raw["meta"].pop("legacy_field")
        return raw

    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(store.MIGRATIONS, 1, v1_to_v2)
    t = load_transcript(path)
    assert t.schema_version == 2 and t.meta.id == data["meta"]["id"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_fuzzed_json_never_crashes_the_loader(tmp_path, value):
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(value))
    with pytest.raises(TranscriptError):
        load_transcript(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_real_transcripts_load_or_fail_cleanly(tmp_path, data):
    raw = make_transcript().model_dump(mode="json")
    section = data.draw(st.sampled_from(["meta", "turns", "grades", "review", "tokens"]))
    raw[section] = data.draw(
        st.none() | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2)
    )
    path = tmp_path / "mut.json"
    path.write_text(json.dumps(raw))
    try:
        load_transcript(path)
    except TranscriptError as exc:
        assert "\n" not in str(exc)


def test_find_by_id_prefix_and_path(isolated_dirs):
    a = save_transcript(make_transcript("20260101-000000-aaaaaa"))
    b = save_transcript(make_transcript("20260102-000000-bbbbbb"))
    assert find_session("20260101-000000-aaaaaa") == a
    assert find_session("20260102") == b
    assert find_session(str(a)) == a
    with pytest.raises(TranscriptError, match="ambiguous"):
        find_session("2026010")
    with pytest.raises(TranscriptError, match="no such session"):
        find_session("20991231")
    with pytest.raises(TranscriptError, match="no such session"):
        find_session("*")


def test_list_sessions_with_scores_overrides_and_unreadable_files(isolated_dirs):
    first = make_transcript("20260101-000000-aaaaaa", scores=(2.0, 3.0))
    second = make_transcript("20260102-000000-bbbbbb", scores=(4.0, 4.0), status="in-progress")
    second.meta.created_at = first.meta.created_at.replace(year=first.meta.created_at.year + 1)
    second.review.overrides.append(
        GradeOverride(id="o1", turn_id=2, score=5.0, reason="mentor: strong example")
    )
    save_transcript(first)
    save_transcript(second)
    broken = save_transcript(make_transcript("20260103-000000-cccccc")).with_name(
        "20260103-000000-cccccc.json"
    )
    broken.write_text("{oops")

    summaries = list_sessions()
    by_id = {s.id: s for s in summaries}
    assert by_id["20260101-000000-aaaaaa"].round_scores == {"basic": 2.0, "technical": 3.0}
    assert by_id["20260101-000000-aaaaaa"].overall == 2.5
    assert by_id["20260102-000000-bbbbbb"].round_scores["basic"] == 5.0  # the mentor's override wins
    assert by_id["20260102-000000-bbbbbb"].overall == 4.5
    assert by_id["20260103-000000-cccccc"].error and "not valid JSON" in by_id["20260103-000000-cccccc"].error
    assert latest_session(status="in-progress") == Path(by_id["20260102-000000-bbbbbb"].path)


def test_delete_session(isolated_dirs):
    path = save_transcript(make_transcript())
    delete_session(path.stem)
    assert not path.exists()
    with pytest.raises(TranscriptError):
        delete_session(path.stem)


def test_a_failed_write_is_a_save_error_naming_the_file(tmp_path, monkeypatch):
    from mockinterview.storage.transcripts import TranscriptSaveError

    def too_large(fd):
        raise OSError(27, "File too large")

    monkeypatch.setattr(os, "fsync", too_large)
    with pytest.raises(TranscriptSaveError) as info:
        save_transcript(make_transcript(), tmp_path / "s.json")
    assert isinstance(info.value, OSError) and info.value.errno == 27
    assert str(info.value) == f"cannot save transcript {tmp_path / 's.json'}: File too large"
    assert list(tmp_path.iterdir()) == []


def test_delete_session_also_removes_its_saved_reports(isolated_dirs):
    path = save_transcript(make_transcript("20260101-000000-aaaaaa"))
    reports = isolated_dirs["data"] / "reports"
    reports.mkdir()
    for name in ("20260101-000000-aaaaaa.html", "20260101-000000-aaaaaa.md", "20260101-000000-bbbbbb.md"):
        (reports / name).write_text("quotes the answers")
    delete_session("20260101-000000-aaaaaa")
    assert not path.exists()
    assert sorted(p.name for p in reports.iterdir()) == ["20260101-000000-bbbbbb.md"]


@pytest.mark.parametrize("bad_id", ["../escape", "a/b", "x\\y", "", ".hidden", "a..b"])
def test_session_ids_that_would_leave_the_sessions_dir_are_refused(bad_id, tmp_path):
    from mockinterview.storage.transcripts import TranscriptError, save_transcript

    t = _minimal_transcript_for_id(bad_id)
    with pytest.raises(TranscriptError):
        save_transcript(t)
    assert not any(tmp_path.rglob("*.json"))


def _minimal_transcript_for_id(session_id: str):
    """A transcript with this id, built around validation (which refuses it since the ids of
    loaded files are checked): the save-time path check is the second line of defence."""
    from mockinterview.domain.transcript import SessionMeta, Transcript

    meta = SessionMeta(
        id="placeholder",
        pack_id="data-scientist",
        pack_version="1.0.0",
        pack_hash="x",
        interviewer_model="stub",
        grader_model="stub",
        rounds=["basic"],
        questions_per_round=1,
    )
    return Transcript(meta=meta.model_copy(update={"id": session_id}))

"""One foreign transcript must not stop the app (issue 10): a received file with a
timezone-less date or markup in its id is reported and skipped; the other sessions still
list, resume and replay."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tui_sample import sample_transcript

from mockinterview.cli.main import main
from mockinterview.storage.transcripts import latest_session, list_sessions, save_transcript

GOOD_OLD, GOOD_NEW = "20260115-093000-good1", "20260116-093000-good2"


# Where a time sits in a transcript file.
def _meta_created(data, v):
    data["meta"]["created_at"] = v


def _meta_updated(data, v):
    data["meta"]["updated_at"] = v


def _turn_started(data, v):
    data["turns"][0]["started_at"] = v


def _grade_created(data, v):
    data["grades"][0]["created_at"] = v


def _call_started(data, v):
    data["model_calls"][0]["started_at"] = v


TIME_PLACES = [_meta_created, _meta_updated, _turn_started, _grade_created, _call_started]


def _foreign(place, value) -> dict:
    data = json.loads(sample_transcript("20260117-093000-foreign", offset_days=2).model_dump_json())
    data["meta"]["status"] = "in-progress"
    place(data, value)
    return data


def _setup(sessions, foreign: dict, name: str = "20260117-093000-foreign.json"):
    save_transcript(sample_transcript(GOOD_OLD), sessions / f"{GOOD_OLD}.json")
    newer = sample_transcript(GOOD_NEW, offset_days=1)
    newer.meta.status = "in-progress"
    save_transcript(newer, sessions / f"{GOOD_NEW}.json")
    (sessions / name).write_text(json.dumps(foreign), encoding="utf-8")


@settings(max_examples=40, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(TIME_PLACES), naive=st.datetimes())
def test_a_naive_date_anywhere_makes_one_file_unreadable_not_the_listing(tmp_path_factory, place, naive):
    sessions = tmp_path_factory.mktemp("sessions")
    _setup(sessions, _foreign(place, naive.isoformat()))
    listed = {s.id: s for s in list_sessions(sessions)}
    assert listed[GOOD_OLD].error is None and listed[GOOD_NEW].error is None
    bad = listed["20260117-093000-foreign"]
    assert bad.error and "timezone" in bad.error and "\n" not in bad.error
    assert latest_session(sessions, status="in-progress").name == f"{GOOD_NEW}.json"


FOREIGN = {
    "naive-date": lambda: _foreign(_meta_created, datetime(2026, 1, 17, 9, 30).isoformat()),
    "markup-id": lambda: {**_foreign(_meta_created, "2026-01-17T09:30:00Z"), "meta": {
        **_foreign(_meta_created, "2026-01-17T09:30:00Z")["meta"], "id": "[bold red]x[/b][/]"}},
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_history_resume_and_replay_skip_the_foreign_file(kind, isolated_dirs, capsys):
    sessions = isolated_dirs["data"] / "sessions"
    sessions.mkdir(parents=True)
    _setup(sessions, FOREIGN[kind](), name="[red]foreign[b].json")

    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert GOOD_OLD in out and GOOD_NEW in out and "unreadable" in out
    assert main(["history", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["id"] for r in rows if not r["error"]) == [GOOD_OLD, GOOD_NEW]
    assert [r["id"] for r in rows if r["error"]] == ["[red]foreign[b]"]

    # `interview --resume` (latest) and the TUI's resume offer find the good in-progress one
    from mockinterview.engine.sessions import session_overview

    assert latest_session(status="in-progress").name == f"{GOOD_NEW}.json"
    assert session_overview().resumable.name == f"{GOOD_NEW}.json"

    code = main(["replay", str(sessions / f"{GOOD_OLD}.json"), str(sessions / "[red]foreign[b].json"),
                 str(sessions / f"{GOOD_NEW}.json")])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1  # one file failed, and says so
    assert GOOD_OLD in captured.out and GOOD_NEW in captured.out
    assert "foreign" in captured.out + captured.err


async def test_the_tui_starts_and_lists_the_others_beside_a_foreign_file(isolated_dirs):
    from test_tui_flows import SIZE, app_for_test, wait_for

    sessions = isolated_dirs["data"] / "sessions"
    sessions.mkdir(parents=True)
    _setup(sessions, FOREIGN["naive-date"]())
    app = app_for_test()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loaded", False))
        assert app.screen.resumable is not None and app.screen.resumable.name == f"{GOOD_NEW}.json"

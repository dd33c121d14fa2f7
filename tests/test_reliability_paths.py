"""Ids and names from files, and the paths built from them (issue 10, "a received transcript
writes outside the reports folder").

Every id a transcript or a pack carries is checked where the file is loaded (domain.ids),
and every path built from data goes through storage.paths.path_in, which keeps it directly
inside its folder: the review screen's export, ``export`` and the transcript saves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tui_sample import sample_transcript

from mockinterview.domain.ids import MAX_ID_LENGTH, SAFE_ID_PATTERN, is_safe_id
from mockinterview.storage.paths import UnsafePathError, path_in
from mockinterview.storage.transcripts import TranscriptError, load_transcript, save_transcript

# What an attacker puts where an id goes: climbing out, absolute paths, hidden and empty
# names, separators of other systems, markup, control and bidi characters, overlong ids.
ATTACK_IDS = [
    "../../../../../victim/README",
    "/tmp/victim/README",
    "..",
    ".",
    "",
    ".hidden",
    "a/../../b",
    "..\\..\\windows",
    "a..b",
    "trailing.",
    "[bold red]evil[/]",
    "x\x1b[2Jy",
    "x\u202ey",
    "id with space",
    "nul\x00byte",
    "a" * (MAX_ID_LENGTH + 1),
]

hostile_ids = st.one_of(
    st.sampled_from(ATTACK_IDS),
    st.text(min_size=0, max_size=140).filter(lambda s: not is_safe_id(s)),
)
safe_ids = st.from_regex(SAFE_ID_PATTERN, fullmatch=True).filter(lambda s: len(s) <= MAX_ID_LENGTH)


def _sample_json() -> dict:
    return json.loads(sample_transcript().model_dump_json())


# Where an id sits in a transcript file, and how to put one there.
def _set_meta_id(data, v):
    data["meta"]["id"] = v


def _set_pack_id(data, v):
    data["meta"]["pack_id"] = v


def _set_plan_id(data, v):
    data["meta"]["question_plan"] = {"basic": [v]}


def _set_turn_question(data, v):
    data["turns"][1]["question_id"] = v


def _set_call_id(data, v):
    data["model_calls"][0]["id"] = v if v else "\x00"  # "" is allowed for a call not numbered yet


def _set_turn_call_ref(data, v):
    data["turns"][1]["model_call_ids"] = [v]


def _set_mistake_id(data, v):
    grade = next(g for g in data["grades"] if g["grade"]["mistakes"])
    grade["grade"]["mistakes"][0]["id"] = v


def _set_key_point_id(data, v):
    data["grades"][0]["grade"]["key_points"][0]["id"] = v


def _set_comment_id(data, v):
    data["review"]["comments"] = [{"id": v, "turn_id": 1, "text": "hi"}]


PLACES = [
    _set_meta_id,
    _set_pack_id,
    _set_plan_id,
    _set_turn_question,
    _set_call_id,
    _set_turn_call_ref,
    _set_mistake_id,
    _set_key_point_id,
    _set_comment_id,
]


@settings(max_examples=150, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES), bad=hostile_ids)
def test_a_hostile_id_anywhere_in_a_transcript_is_refused_at_load(tmp_path, place, bad):
    data = _sample_json()
    place(data, bad)
    path = tmp_path / "received.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TranscriptError) as info:
        load_transcript(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


@settings(max_examples=100, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES), good=safe_ids)
def test_every_safe_id_loads_and_names_a_file_inside_its_folder(tmp_path, place, good):
    data = _sample_json()
    place(data, good)
    path = tmp_path / "received.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    load_transcript(path)
    folder = tmp_path / "reports"
    made = path_in(folder, good, ".md")
    assert made.parent == folder and made.name == f"{good}.md"


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(hostile_ids, safe_ids, st.text(max_size=60)))
def test_path_in_never_leaves_its_folder(tmp_path, name):
    folder = tmp_path / "reports"
    try:
        made = path_in(folder, name, ".html")
    except UnsafePathError as exc:
        assert "\n" not in str(exc)
        return
    assert made.parent == folder
    assert os.path.realpath(made).startswith(os.path.realpath(folder) + os.sep)


def test_duplicate_or_non_positive_turn_ids_are_refused_at_load(tmp_path):
    for change in ({"id": 1}, {"id": 0}, {"id": -3}):
        data = _sample_json()
        data["turns"][1].update(change)
        path = tmp_path / "t.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(TranscriptError, match="turns"):
            load_transcript(path)


def _received(tmp_path: Path, session_id: str) -> Path:
    """A transcript a mentor was sent, with ``session_id`` written into it by hand."""
    data = _sample_json()
    data["meta"]["id"] = session_id
    path = tmp_path / "inbox" / "received.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("bad_id", ["../../../../../victim/README", "/tmp/mi-victim/README"])
async def test_review_export_of_a_received_transcript_writes_nothing_outside(tmp_path, bad_id):
    from test_tui_flows import SIZE, app_for_test, wait_for

    from mockinterview.tui.screens.review import ReviewScreen

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "README.md").write_text("mine\n")
    path = _received(tmp_path, bad_id.replace("/tmp/mi-victim", str(victim)))
    before = _files_under(tmp_path)
    app = app_for_test(review_path=path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
    assert (victim / "README.md").read_text() == "mine\n"
    assert _files_under(tmp_path) == before
    assert not Path("/tmp/mi-victim").exists()


def test_export_of_a_transcript_whose_id_was_changed_in_memory_stays_in_reports(tmp_path, isolated_dirs):
    """The second line: a Transcript built around validation still cannot name a report
    outside <data>/reports, nor a transcript outside the sessions folder."""
    from mockinterview.reports import save_report

    t = sample_transcript()
    t.meta = t.meta.model_copy(update={"id": "../../escaped"})
    with pytest.raises(UnsafePathError):
        save_report(t, "md")
    with pytest.raises(TranscriptError):
        save_transcript(t)
    assert not list(tmp_path.rglob("escaped*"))


def test_cli_export_and_history_of_a_received_transcript_with_a_hostile_id(tmp_path, capsys, isolated_dirs):
    from mockinterview.cli.main import main

    path = _received(tmp_path, "../../../../../victim/README")
    assert main(["export", str(path), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockinterview: error:") and err.count("\n") == 1 and "meta.id" in err
    sessions = isolated_dirs["data"] / "sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    (sessions / "received.json").write_bytes(path.read_bytes())
    save_transcript(sample_transcript("20260115-093000-good"), sessions / "20260115-093000-good.json")
    assert main(["history", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["received"]["error"] and "meta.id" in rows["received"]["error"]
    assert rows["20260115-093000-good"]["error"] is None


def test_a_transcript_cannot_name_a_pack_outside_rubrics(tmp_path):
    from mockinterview.packs.loader import PackLoadError, resolve_pack_dir

    for ref in ("../rubrics/data-scientist", "..", "/etc"):
        if Path(ref).is_dir():
            continue  # a directory the user names on the command line is theirs to use
        with pytest.raises(PackLoadError):
            resolve_pack_dir(ref)
    data = _sample_json()
    data["meta"]["pack_id"] = "../../etc"
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TranscriptError, match="pack_id"):
        load_transcript(path)

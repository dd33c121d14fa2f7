"""Hostile files (issue 10): a FIFO must not hang a reader, a symlink to /dev/zero must not
exhaust memory. Packs, config, keymap, ``--answers`` files and transcripts are read through
one helper (mockinterview.files): regular files only, at most a cap per kind."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tui_sample import sample_transcript

from mockinterview import files
from mockinterview.cli.main import main
from mockinterview.resources import rubrics_dir
from mockinterview.storage.transcripts import list_sessions, save_transcript

pytestmark = pytest.mark.timeout(90)  # a hang is a failure, not a stuck CI run

PACK_FILES = ["pack.toml", "mistakes.toml", "lexicon.toml", "questions/basic.toml", "questions/extra.toml"]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _urandom(path: Path) -> None:
    path.symlink_to("/dev/urandom")


def _directory(path: Path) -> None:
    path.mkdir()


def _huge_sparse(path: Path) -> None:
    with open(path, "wb") as fh:  # a 3 GB hole: no disk used, and it must never be read
        fh.truncate(3_000_000_000)


HOSTILE = {"fifo": _fifo, "dev-zero": _zero, "dev-urandom": _urandom, "directory": _directory, "huge": _huge_sparse}


def _make(kind: str, path: Path) -> None:
    if path.exists() or path.is_symlink():
        path.unlink()
    HOSTILE[kind](path)


def _pack_with(tmp: Path, where: str, kind: str) -> Path:
    pack = tmp / "p"
    shutil.copytree(rubrics_dir() / "data-scientist", pack)
    _make(kind, pack / where)
    return pack


@settings(max_examples=12, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(where=st.sampled_from(PACK_FILES), kind=st.sampled_from(sorted(HOSTILE)))
def test_a_hostile_pack_file_is_a_located_problem_not_a_hang(tmp_path_factory, where, kind):
    from mockinterview.packs.loader import PackLoadError, load_pack_dir

    pack = _pack_with(tmp_path_factory.mktemp("pack"), where, kind)
    with pytest.raises(PackLoadError) as info:
        load_pack_dir(pack)
    assert any(p.file == where for p in info.value.problems), info.value


@pytest.mark.parametrize(("where", "kind"), [("questions/basic.toml", "fifo"), ("pack.toml", "dev-zero")])
def test_rubrics_lint_reports_a_fifo_or_dev_zero_and_exits(tmp_path, capsys, where, kind):
    pack = _pack_with(tmp_path, where, kind)
    assert main(["rubrics", "lint", str(pack)]) == 1
    out = capsys.readouterr()
    assert f"{where}: cannot read file: not a regular file" in out.out + out.err


def test_the_reader_refuses_what_is_not_a_regular_file_and_caps_the_rest(tmp_path):
    for kind in ("fifo", "dev-zero", "directory"):
        target = tmp_path / kind
        _make(kind, target)
        with pytest.raises(OSError) as info:
            files.read_bytes(target, 1000)
        assert info.value.strerror and "\n" not in info.value.strerror
    big = tmp_path / "big"
    _make("huge", big)
    with pytest.raises(files.FileTooLarge, match="too large"):
        files.read_bytes(big, 1_000_000)
    small = tmp_path / "ok.toml"
    small.write_text("a = 1\n")
    link = tmp_path / "link.toml"
    link.symlink_to(small)  # a symlink to a regular file is a regular file
    assert files.read_text(link, 100) == "a = 1\n"
    with pytest.raises(files.FileTooLarge):
        files.read_bytes(small, 3)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
@pytest.mark.parametrize("name", ["config.toml", "keymap.toml"])
def test_a_hostile_config_or_keymap_file_is_a_one_line_error(isolated_dirs, name, kind):
    from mockinterview.engine.sessions import interview_defaults
    from mockinterview.storage.config import ConfigError, load_settings

    isolated_dirs["config"].mkdir(parents=True)
    _make(kind, isolated_dirs["config"] / name)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert name in str(info.value) and "\n" not in str(info.value)
    defaults = interview_defaults()  # the TUI's start: built-in defaults and the reason
    assert defaults.settings_error and name in defaults.settings_error


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_a_hostile_answers_file_is_refused_before_any_session(tmp_path, capsys, isolated_dirs, kind):
    answers = tmp_path / "answers.txt"
    _make(kind, answers)
    assert main(["interview", "--no-tui", "--answers", str(answers)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockinterview: error: answers file") and err.count("\n") == 1
    assert not (isolated_dirs["data"] / "sessions").exists() or not list_sessions()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_a_hostile_transcript_is_one_unreadable_row(isolated_dirs, capsys, kind):
    sessions = isolated_dirs["data"] / "sessions"
    sessions.mkdir(parents=True)
    good = sample_transcript("20260115-093000-good")
    save_transcript(good, sessions / f"{good.meta.id}.json")
    _make(kind, sessions / "20260116-000000-hostile.json")
    listed = {s.id: s for s in list_sessions()}
    assert listed["20260115-093000-good"].error is None
    assert listed["20260116-000000-hostile"].error
    assert main(["history"]) == 0
    assert main(["replay", str(sessions / "20260116-000000-hostile.json")]) != 0
    assert main(["export", str(sessions / "20260116-000000-hostile.json")]) == 2
    err = capsys.readouterr().err
    assert "hostile.json" in err

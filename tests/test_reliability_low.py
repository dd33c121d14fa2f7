"""The low items of issue 10 that are about files: ``export -o`` and symlinks or modes,
temps left by ``kill -9`` mid-save, ``history --delete PATH`` outside the sessions folder,
and folders created under ``umask 000``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tui_sample import sample_transcript

from mockinterview.cli.main import main
from mockinterview.storage.transcripts import STALE_TEMP_SECONDS, list_sessions, save_transcript

pytestmark = pytest.mark.timeout(90)

SID = "20260115-093000-demo"


def _saved(isolated_dirs) -> Path:
    t = sample_transcript(SID)
    return save_transcript(t, isolated_dirs["data"] / "sessions" / f"{SID}.json")


def _mode(path: Path) -> int:
    return path.lstat().st_mode & 0o777


# -- export -o ------------------------------------------------------------------------------


def test_export_o_does_not_follow_a_symlink(tmp_path, isolated_dirs, capsys):
    _saved(isolated_dirs)
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    victim.chmod(0o644)
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    assert main(["export", SID, "-o", str(link)]) == 2
    err = capsys.readouterr().err
    assert "symbolic link" in err and err.count("\n") == 1
    assert victim.read_text() == "mine\n" and _mode(victim) == 0o644 and link.is_symlink()


def test_export_o_over_an_existing_file_leaves_it_0600(tmp_path, isolated_dirs, capsys):
    _saved(isolated_dirs)
    out = tmp_path / "report.html"
    out.write_text("old report\n")
    out.chmod(0o644)
    assert main(["export", SID, "-f", "html", "-o", str(out)]) == 0
    assert _mode(out) == 0o600 and "<html" in out.read_text().lower()


def test_export_o_to_a_fifo_is_refused_without_hanging(tmp_path, isolated_dirs, capsys):
    _saved(isolated_dirs)
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert main(["export", SID, "-o", str(fifo)]) == 2
    assert "not a regular file" in capsys.readouterr().err


# -- temps left by kill -9 ------------------------------------------------------------------


def _temp(path: Path, tag: str, age: float) -> Path:
    tmp = path.with_name(f".{path.name}.{tag}.tmp")
    tmp.write_text(path.read_text())  # a full copy of the transcript, as a save writes it
    stamp = time.time() - age
    os.utime(tmp, (stamp, stamp))
    return tmp


def test_stale_save_temps_are_removed_at_start_and_by_delete(isolated_dirs, capsys):
    path = _saved(isolated_dirs)
    stale = _temp(path, "k1ll3d", STALE_TEMP_SECONDS + 60)
    fresh = _temp(path, "s4ving", 0)  # a save in progress in another process: left alone
    assert main(["history"]) == 0
    assert not stale.exists() and fresh.exists()
    assert main(["history", "--delete", SID]) == 0
    assert not fresh.exists() and not path.exists()
    assert [p.name for p in path.parent.iterdir()] == []


def test_a_process_killed_mid_save_leaves_no_transcript_copy_after_the_next_start(tmp_path, isolated_dirs):
    """The real thing: a process SIGKILLed while its temp is on disk (it stops itself there)."""
    path = _saved(isolated_dirs)
    script = f"""
import os, signal, tempfile
from pathlib import Path
from mockinterview.storage import transcripts
real = tempfile.mkstemp
def mkstemp_then_die(*a, **k):
    fd, name = real(*a, **k)
    os.write(fd, Path({str(path)!r}).read_bytes())
    os.utime(name, (0, 0))  # as if it had been left long ago
    os.kill(os.getpid(), signal.SIGKILL)
transcripts.tempfile.mkstemp = mkstemp_then_die
transcripts.save_transcript(transcripts.load_transcript({str(path)!r}), Path({str(path)!r}))
"""
    done = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    list_sessions()
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


# -- history --delete PATH --------------------------------------------------------------------


def test_history_delete_removes_only_transcripts_in_the_sessions_folder(tmp_path, isolated_dirs, capsys):
    _saved(isolated_dirs)
    precious = tmp_path / "thesis.txt"
    precious.write_text("years of work")
    elsewhere = save_transcript(sample_transcript("20260101-000000-away"), tmp_path / "away.json")
    for target in (precious, elsewhere, isolated_dirs["data"] / "sessions" / ".." / "sessions" / ".." / "x.json"):
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_text("{}")
        assert main(["history", "--delete", str(target)]) == 2
        err = capsys.readouterr().err
        assert "only those are deleted" in err or "no such session" in err
        assert target.exists()
    assert precious.read_text() == "years of work"
    assert main(["history", "--delete", str(isolated_dirs["data"] / "sessions" / f"{SID}.json")]) == 0


# -- umask 000 --------------------------------------------------------------------------------


def test_folders_and_files_are_private_under_umask_000(tmp_path, monkeypatch):
    from mockinterview.reports import save_report
    from mockinterview.storage.config import Settings, save_settings
    from mockinterview.storage.paths import config_dir, data_dir, sessions_dir

    monkeypatch.setenv("MOCKINTERVIEW_DATA_DIR", str(tmp_path / "home" / ".local" / "share" / "mi"))
    monkeypatch.setenv("MOCKINTERVIEW_CONFIG_DIR", str(tmp_path / "home" / ".config" / "mi"))
    old = os.umask(0)
    try:
        data_dir()
        sessions_dir()
        save_transcript(sample_transcript(SID))
        save_settings(Settings(), config_dir() / "config.toml")
        save_report(sample_transcript(SID), "md")
        save_report(sample_transcript(SID), "md", tmp_path / "out" / "deep" / "r.md")
    finally:
        os.umask(old)
    made = [p for p in (tmp_path / "home").rglob("*")] + [tmp_path / "out", tmp_path / "out" / "deep"]
    made.append(tmp_path / "home")
    loose = {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in made if _mode(p) & 0o077}
    assert loose == {}
    assert _mode(tmp_path / "out" / "deep" / "r.md") == 0o600

"""Long commands show a progress bar on stderr only when it is a terminal, and Ctrl-C ends
them with what was done so far written out (real subprocesses, a real pseudo-terminal)."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from mockinterview.cli.main import main
from mockinterview.storage.transcripts import load_transcript, save_transcript


def transcripts(directory: Path, count: int) -> list[str]:
    """``count`` copies of one real stub session (a headless interview), each its own id."""
    answers = directory / "answers.txt"
    answers.write_text("I would check the data first.\n---\nThen a baseline, then a simple model.\n")
    with redirect_stdout(io.StringIO()) as out:
        argv = ["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "2"]
        assert main(argv) == 0
    base = load_transcript(out.getvalue().strip().splitlines()[-1])
    assert base.grades
    copies = []
    for i in range(count):
        meta = base.meta.model_copy(update={"id": f"p{i:03d}"})
        copies.append(
            str(save_transcript(base.model_copy(update={"meta": meta}), directory / f"p{i:03d}.json"))
        )
    return copies


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "mockinterview", *argv]


def run_with_terminal_stderr(argv: list[str], env: dict) -> tuple[int, str, str]:
    """Run with stdout a pipe and stderr a pseudo-terminal; (exit code, stdout, stderr)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=follower, env=env)
    os.close(follower)
    err = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read().decode()
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, out, err.decode(errors="replace")


def test_replay_draws_progress_on_a_terminal_and_nothing_when_piped(tmp_path):
    paths = transcripts(tmp_path, 3)
    env = dict(os.environ, COLUMNS="100")
    code, out, err = run_with_terminal_stderr(command("replay", *paths, "--format", "json"), env)
    assert code == 0, err
    assert len(json.loads(out)) == 3  # stdout is still exactly the data
    assert "regrading" in err and "transcripts/s" in err

    piped = subprocess.run(command("replay", *paths, "--format", "json"), capture_output=True, text=True)
    assert piped.returncode == 0
    assert len(json.loads(piped.stdout)) == 3
    assert piped.stderr == ""


def test_ctrl_c_ends_a_replay_with_the_results_so_far_as_valid_json(tmp_path):
    paths = transcripts(tmp_path, 400)
    proc = subprocess.Popen(
        command("replay", *paths, "--format", "json"), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out = b""
    deadline = time.monotonic() + 60
    while b'"transcript"' not in out:  # the first result is out: interrupt mid-run
        assert time.monotonic() < deadline, "no result within a minute"
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            out += os.read(proc.stdout.fileno(), 65536)
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    out += rest
    assert proc.returncode == 130, err
    results = json.loads(out)
    assert 1 <= len(results) < 400
    assert [r["session_id"] for r in results] == [f"p{i:03d}" for i in range(len(results))]
    assert b"interrupted" in err and b"Traceback" not in err


COPIES = 200  # copies of the dev set in the file calibrate is interrupted on


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_ctrl_c_ends_calibrate_with_the_report_on_the_rows_graded_so_far(tmp_path, fmt):
    rows = Path(__file__).parent / "data" / "labelled_dev.jsonl"
    many = tmp_path / "many.jsonl"
    lines = [json.loads(line) for line in rows.read_text().splitlines() if line.strip()]
    with many.open("w") as fh:
        # long enough to interrupt: the grader does about a thousand rows a second, and the
        # first progress update can come late on a busy machine
        for copy in range(COPIES):
            for row in lines:
                fh.write(json.dumps({**row, "id": f"{row.get('id', 'row')}-{copy}"}) + "\n")
    total = COPIES * len(lines)
    # stderr on a terminal, so the progress bar says when rows are being graded
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        command("calibrate", str(many), "--format", fmt),
        stdout=subprocess.PIPE,
        stderr=follower,
        env=dict(os.environ, COLUMNS="120"),
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 120
    while not re.search(rb"\b([1-9]\d*)/%d\b" % total, shown):  # at least one row graded
        assert time.monotonic() < deadline and proc.poll() is None, shown[-500:]
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            shown += os.read(leader, 65536)
    proc.send_signal(signal.SIGINT)
    out = proc.stdout.read()
    proc.wait(timeout=120)
    err = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    assert proc.returncode == 130, (shown + err)[-800:]
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", (shown + err).decode(errors="replace"))
    assert "Traceback" not in text
    message = next(line for line in reversed(text.splitlines()) if "interrupted" in line)
    assert f"of {total} rows" in message
    graded = int(message.split("after ")[1].split(" of")[0])
    assert 0 < graded < total
    if fmt == "json":
        assert json.loads(out)["rows"] == graded
    else:
        assert b"Spearman" in out


def test_grade_batch_counts_rows_on_a_terminal_and_ctrl_c_keeps_the_rows_written(tmp_path):
    row = {"question_id": "data-leakage", "answer": "I would check for leakage with a time-based split."}
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({**row, "id": f"r{i}"}) + "\n" for i in range(3)))
    code, out, err = run_with_terminal_stderr(
        command("grade", "--batch", str(rows)), dict(os.environ, COLUMNS="100")
    )
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["r0", "r1", "r2"]
    assert "grading" in err and "rows/s" in err

    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({**row, "id": f"r{i}"}) + "\n" for i in range(200_000)))
    proc = subprocess.Popen(
        command("grade", "--batch", str(many)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out = b""
    deadline = time.monotonic() + 60
    while out.count(b"\n") < 3:  # rows are coming out: interrupt mid-run
        assert time.monotonic() < deadline, "no rows within a minute"
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            out += os.read(proc.stdout.fileno(), 65536)
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    out += rest
    assert proc.returncode == 130, err
    lines = out.decode().splitlines()
    assert 3 <= len(lines) < 200_000
    assert [json.loads(line)["id"] for line in lines] == [
        f"r{i}" for i in range(len(lines))
    ]  # whole lines only

"""Kill headless interviews with SIGKILL at random points, then resume them; print how many survived.

Each trial starts ``mockinterview interview --no-tui --answers -`` as a real process in a private
data dir, feeds it ``k`` answers (k random), waits until those ``k`` answers are on disk, sends
one more answer and SIGKILLs the process after a random 0-60 ms - so the kill lands anywhere
in answer k+1's save, grading, follow-up or next question. A trial survives when:

- the transcript on disk still loads, is ``in-progress``, and its answers are exactly the first
  k or k+1 answers sent (nothing lost, nothing torn, nothing invented);
- no stray non-hidden file was left in the sessions dir;
- ``interview --resume --answers FILE`` then exits 0, the session ends ``completed``, the answers
  before the kill are unchanged and followed by the new ones in order, and every answer is graded.

    .venv/bin/python bench/crash_kill.py [--kills 100] [--seed 1] [--keep DIR]

With ``--tui-kills N`` it also runs N trials of the Textual app in a real terminal (tmux): the
answers are typed into the editor and submitted with ctrl+s, and the app's process is killed
the same way; the session is then resumed headless.

The CI test (tests/test_reliability_crash.py) runs a handful of these trials.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ANSWER = (
    "Answer {n}: I would start from the business decision and a simple baseline, check how the data was "
    "collected and whether labels are reliable, validate out of time, and monitor drift after deployment."
)
# Two rounds of two questions, at most one follow-up each: 4-8 answers finish the interview.
INTERVIEW_ARGS = ["--rounds", "basic,technical", "--questions", "2", "--max-follow-ups", "1"]
MAX_PRE_KILL_ANSWERS = 4


@dataclass
class Trial:
    k: int  # answers confirmed on disk before the last one was sent
    delay_ms: float  # how long after sending answer k+1 the kill came
    on_disk: int = 0  # answers found on disk after the kill
    ok: bool = False
    problems: list[str] = field(default_factory=list)


def answer_text(n: int) -> str:
    return ANSWER.format(n=n)


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(
        PYTHONUNBUFFERED="1",
        MOCKINTERVIEW_DATA_DIR=str(root / "data"),
        MOCKINTERVIEW_CONFIG_DIR=str(root / "config"),
    )
    return env


def _transcripts(root: Path) -> list[Path]:
    sessions = root / "data" / "sessions"
    return (
        sorted(p for p in sessions.glob("*.json") if not p.name.startswith(".")) if sessions.is_dir() else []
    )


def answers_on_disk(root: Path) -> list[str] | None:
    """Answer texts in the saved transcript, or None while there is no transcript yet."""
    paths = _transcripts(root)
    if not paths:
        return None
    data = json.loads(paths[0].read_bytes())  # a torn file would raise here: that is a failure
    return [t["text"] for t in data["turns"] if t["kind"] == "answer"]


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "mockinterview", "interview", "--no-tui", *args]


def run_trial(
    root: Path,
    rng: random.Random,
    *,
    k: int | None = None,
    delay_ms: float | None = None,
    timeout_s: float = 60.0,
) -> Trial:
    """One kill-and-resume trial in the empty directory ``root`` (k and delay random unless given)."""
    trial = Trial(
        k=rng.randint(0, MAX_PRE_KILL_ANSWERS - 1) if k is None else k,
        delay_ms=round(rng.uniform(0, 60), 1) if delay_ms is None else delay_ms,
    )
    env = _env(root)
    sent: list[str] = []
    proc = subprocess.Popen(
        _cmd("--answers", "-", *INTERVIEW_ARGS),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout_s

        def wait_for(count: int) -> None:
            while True:
                on_disk = answers_on_disk(root)
                if on_disk is not None and len(on_disk) >= count:
                    return
                if proc.poll() is not None:
                    raise RuntimeError(f"interview exited early with code {proc.returncode}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"answer {count} never reached the transcript")
                time.sleep(0.005)

        wait_for(0)
        for n in range(1, trial.k + 1):
            sent.append(answer_text(n))
            proc.stdin.write(sent[-1] + "\n---\n")
            proc.stdin.flush()
            wait_for(n)
        sent.append(answer_text(trial.k + 1))
        proc.stdin.write(sent[-1] + "\n---\n")
        proc.stdin.flush()
        time.sleep(trial.delay_ms / 1000)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    except RuntimeError as exc:
        trial.problems.append(str(exc))
        return trial
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != -signal.SIGKILL:
        trial.problems.append(f"process ended with {proc.returncode} before the kill")
        return trial

    check_after_kill(root, trial, sent)
    if not trial.problems:
        resume_and_check(root, trial, env)
    trial.ok = not trial.problems
    return trial


# -- the TUI in tmux ------------------------------------------------------------------------

TMUX = shutil.which("tmux")


class _Tmux:
    def __init__(self, root: Path) -> None:
        self.socket = root / "tmux.sock"

    def run(self, *args: str) -> str:
        return subprocess.run(
            [TMUX, "-S", str(self.socket), *args], capture_output=True, text=True, check=True, timeout=20
        ).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "kill")

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", "kill", *(["-l"] if literal else []), *keys)

    def pid(self) -> int:
        return int(self.run("list-panes", "-t", "kill", "-F", "#{pane_pid}").split()[0])

    def close(self) -> None:
        subprocess.run([TMUX, "-S", str(self.socket), "kill-server"], capture_output=True)


def run_tui_trial(
    root: Path,
    rng: random.Random,
    *,
    k: int | None = None,
    delay_ms: float | None = None,
    timeout_s: float = 90.0,
) -> Trial:
    """Like ``run_trial``, with the Textual app typed into inside tmux."""
    if TMUX is None:
        raise RuntimeError("tmux is not installed")
    trial = Trial(
        k=rng.randint(0, MAX_PRE_KILL_ANSWERS - 1) if k is None else k,
        delay_ms=round(rng.uniform(0, 60), 1) if delay_ms is None else delay_ms,
    )
    env = _env(root)
    config = root / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        '[interview]\nrounds = ["basic", "technical"]\nquestions_per_round = 2\nmax_follow_ups = 1\n'
    )
    assignments = [
        f"{k}={shlex.quote(v)}" for k, v in env.items() if k.startswith(("MOCKINTERVIEW_", "PYTHON", "PATH"))
    ]
    command = " ".join(
        ["env", *assignments, "TERM=tmux-256color", shlex.quote(sys.executable), "-m", "mockinterview"]
    )
    tmux = _Tmux(root)
    sent: list[str] = []
    deadline = time.monotonic() + timeout_s

    def wait(condition, what: str) -> None:
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} never happened; screen:\n{tmux.screen()}")
            time.sleep(0.02)

    def ready_for(n: int) -> bool:
        """Answer n can be typed: n-1 answers and then the interviewer's next turn are on disk,
        and the screen shows the editor open (a stale frame from before the last submit
        could otherwise swallow the keys into a read-only editor)."""
        path = _transcripts(root)
        if not path:
            return False
        turns = json.loads(path[0].read_bytes())["turns"]
        answers = sum(1 for t in turns if t["kind"] == "answer")
        asking = turns and turns[-1]["speaker"] == "interviewer" and turns[-1]["kind"] != "closing"
        shown = tmux.screen()
        return (
            answers == n - 1 and asking and "Your answer" in shown and "Interviewer is speaking" not in shown
        )

    def type_answer(n: int) -> None:
        wait(lambda: ready_for(n), f"the editor for answer {n}")
        # The transcript is written before the app has handled the engine's events, so keys
        # sent the instant the screen looks ready can reach a still read-only editor. A person
        # cannot type that fast; wait a moment, as they would.
        time.sleep(0.3)
        wait(lambda: ready_for(n), f"the editor for answer {n}")
        sent.append(answer_text(n))
        tmux.keys(sent[-1], literal=True)
        wait(lambda: sent[-1][:30] in tmux.screen(), f"answer {n} in the editor")
        tmux.keys("C-s")

    try:
        tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "kill", "-x", "110", "-y", "35", command)
        wait(lambda: "New interview" in tmux.screen(), "the home screen")
        tmux.keys("C-n")
        for n in range(1, trial.k + 2):
            type_answer(n)
        time.sleep(trial.delay_ms / 1000)
        os.kill(tmux.pid(), signal.SIGKILL)
    except RuntimeError as exc:
        trial.problems.append(str(exc))
        return trial
    finally:
        tmux.close()
    check_after_kill(root, trial, sent)
    if not trial.problems:
        resume_and_check(root, trial, env)
    trial.ok = not trial.problems
    return trial


def check_after_kill(root: Path, trial: Trial, sent: list[str]) -> None:
    from mockinterview.storage.transcripts import TranscriptError, load_transcript

    paths = _transcripts(root)
    stray = [
        p.name
        for p in (root / "data" / "sessions").iterdir()
        if p not in paths and not p.name.startswith(".")
    ]
    if stray:
        trial.problems.append(f"stray files in the sessions dir: {stray}")
    if len(paths) != 1:
        trial.problems.append(f"expected one transcript, found {len(paths)}")
        return
    try:
        t = load_transcript(paths[0])
    except TranscriptError as exc:
        trial.problems.append(f"transcript unreadable after the kill: {exc}")
        return
    answers = [x.text for x in t.turns if x.kind == "answer"]
    trial.on_disk = len(answers)
    if answers not in (sent[:-1], sent):
        trial.problems.append(
            f"answers on disk {len(answers)} are not the first {len(sent) - 1} or {len(sent)} sent"
        )
    if t.meta.status != "in-progress":
        trial.problems.append(f"status after the kill is {t.meta.status}")


def resume_and_check(root: Path, trial: Trial, env: dict[str, str]) -> None:
    from mockinterview.storage.transcripts import load_transcript

    (path,) = _transcripts(root)
    before = [x.text for x in load_transcript(path).turns if x.kind == "answer"]
    more = [answer_text(n) for n in range(100, 110)]  # enough to finish; extras are left unused
    rest = root / "rest.txt"
    rest.write_text("\n---\n".join(more) + "\n", encoding="utf-8")
    done = subprocess.run(
        _cmd("--resume", "--answers", str(rest)), capture_output=True, text=True, env=env, timeout=120
    )
    if done.returncode != 0:
        trial.problems.append(f"resume exited {done.returncode}: {done.stderr.strip()[:200]}")
        return
    final = load_transcript(path)
    answers = [x.text for x in final.turns if x.kind == "answer"]
    if final.meta.status != "completed":
        trial.problems.append(f"status after resume is {final.meta.status}")
    if answers[: len(before)] != before or answers[len(before) :] != more[: len(answers) - len(before)]:
        trial.problems.append("answers after resume are not the saved ones followed by the new ones")
    ungraded = [x.id for x in final.turns if x.kind == "answer" and final.grade_for(x.id) is None]
    if ungraded:
        trial.problems.append(f"answers never graded: turns {ungraded}")
    if len({x.id for x in final.turns}) != len(final.turns):
        trial.problems.append("duplicate turn ids")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tui-kills", type=int, default=0, help="also kill the TUI this many times (tmux)")
    parser.add_argument("--keep", metavar="DIR", help="keep each failed trial's files under DIR")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    failed = 0
    for label, runner, count in (("headless", run_trial, args.kills), ("tui", run_tui_trial, args.tui_kills)):
        if not count:
            continue
        survived = 0
        by_disk: dict[str, int] = {}
        started = time.perf_counter()
        for i in range(count):
            root = Path(tempfile.mkdtemp(prefix="mi-kill-"))
            try:
                trial = runner(root, rng)
                if trial.ok:
                    survived += 1
                    where = "answer k+1 saved" if trial.on_disk == trial.k + 1 else "answer k+1 not saved"
                    by_disk[where] = by_disk.get(where, 0) + 1
                else:
                    print(
                        f"{label} trial {i}: k={trial.k} delay={trial.delay_ms}ms FAILED: {'; '.join(trial.problems)}"
                    )
                    if args.keep:
                        shutil.copytree(
                            root,
                            Path(args.keep) / f"{label}-trial-{i}",
                            ignore=shutil.ignore_patterns("*.sock"),
                        )
            finally:
                shutil.rmtree(root, ignore_errors=True)
        elapsed = time.perf_counter() - started
        failed += count - survived
        print(f"{label} kills: {count}  survived: {survived}  failed: {count - survived}  ({elapsed:.1f} s)")
        print(f"  where the kill landed: {by_disk}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main())

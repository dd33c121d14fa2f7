"""The installed ``mockinterview`` command in a real terminal (tmux): start, start an
interview, answer, see the feedback, retry a question from it, see the practice plan on
home, quit; the transcript on disk holds the answer and the retry beside it."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
SCRIPT = Path(sys.executable).with_name("mockinterview")
ANSWER = "Overfitting means the model memorises noise; I compare training and validation error."
RETRY = (
    "Overfitting is fitting noise: I watch the gap between training and validation error, then regularise."
)

pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)"),
    pytest.mark.skipif(not SCRIPT.exists(), reason=f"console script {SCRIPT} is not installed"),
]


class Tmux:
    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(
            [TMUX, "-S", str(self.socket), *args], capture_output=True, text=True, check=True, timeout=20
        ).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "smoke")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")


def test_installed_command_runs_an_interview_in_tmux(tmp_path, isolated_dirs):
    data, config = isolated_dirs["data"], isolated_dirs["config"]
    config.mkdir(parents=True, exist_ok=True)
    # One basic question keeps the run short; the home form reads these defaults.
    (config / "config.toml").write_text('[interview]\nrounds = ["basic"]\nquestions_per_round = 1\n')
    command = " ".join(
        [
            "env",
            f"MOCKINTERVIEW_DATA_DIR={shlex.quote(str(data))}",
            f"MOCKINTERVIEW_CONFIG_DIR={shlex.quote(str(config))}",
            "TERM=tmux-256color",
            shlex.quote(str(SCRIPT)),
        ]
    )
    tmux = Tmux(tmp_path / "tmux.sock")
    tmux.run("-f", "/dev/null", "new-session", "-d", "-s", "smoke", "-x", "100", "-y", "30", command)
    try:
        tmux.wait_for("New interview")
        tmux.run("send-keys", "-t", "smoke", "C-n")
        tmux.wait_for("Q 1/1")
        answered = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            shown = tmux.screen()
            if "session feedback" in shown:
                break
            if "Your answer" in shown and "Interviewer is speaking" not in shown:
                tmux.run(
                    "send-keys",
                    "-t",
                    "smoke",
                    "-l",
                    ANSWER if answered == 0 else "I would add early stopping.",
                )
                tmux.run("send-keys", "-t", "smoke", "C-s")
                answered += 1
                time.sleep(0.5)
            time.sleep(0.2)
        shown = tmux.wait_for("session feedback")
        assert "Three things to fix" in shown and "You said" in shown  # the summary leads with them
        # Retry the question right from the feedback: graded, kept beside the first attempt.
        tmux.run("send-keys", "-t", "smoke", "t")
        tmux.wait_for("Your new answer")
        tmux.run("send-keys", "-t", "smoke", "-l", RETRY)
        tmux.run("send-keys", "-t", "smoke", "C-s")
        shown = tmux.wait_for("This attempt")
        assert "first attempt" in shown
        tmux.run("send-keys", "-t", "smoke", "Escape")
        tmux.wait_for("session feedback")
        tmux.run("send-keys", "-t", "smoke", "Escape")
        tmux.wait_for("New interview")
        tmux.wait_for("Practice plan")  # the home screen now plans the next practice
        tmux.run("send-keys", "-t", "smoke", "C-q")
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline
            and "smoke"
            in subprocess.run([TMUX, "-S", str(tmux.socket), "ls"], capture_output=True, text=True).stdout
        ):
            time.sleep(0.1)
    finally:
        subprocess.run([TMUX, "-S", str(tmux.socket), "kill-server"], capture_output=True)

    sessions = list((data / "sessions").glob("*.json"))
    assert len(sessions) == 1
    saved = json.loads(sessions[0].read_text())
    answers = [t["text"] for t in saved["turns"] if t["kind"] == "answer"]
    assert answers[0] == ANSWER
    assert saved["meta"]["status"] == "completed"
    assert saved["grades"]
    (retry,) = saved["retries"]
    assert retry["text"] == RETRY and retry["grade"]["score"] >= 1.0
    assert retry["first_turn_id"] in {g["turn_id"] for g in saved["grades"]}

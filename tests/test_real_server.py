"""A headless interview against a real OpenAI-compatible server: llama-cpp-python's,
serving the base Gemma 3 270M, from the kit in ``../shared/llm`` (read from there at run
time, never copied into the repository; ``MOCKINTERVIEW_LLM_KIT`` points elsewhere).

The model is a base model that echoes prompts, so this checks what a real server does to
the product - transport, streaming without usage, a ``json_schema`` it answers with HTTP
500, grammar-constrained JSON, timing - not interview quality: one question, small token
caps, the bank question on screen, a grade (ok or the offline fallback), every call
recorded, and ``replay --model replay`` exact.

The server's virtualenv is kept in ``.venv-llm`` at the repository root (git-ignored), so
only the first run on a machine pays for creating it (about a minute).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KIT = Path(os.environ.get("MOCKINTERVIEW_LLM_KIT") or ROOT.parent / "shared" / "llm")
START = KIT / "start-server.sh"
SERVED = "gemma3-270m"
ANSWER = (
    "Data leakage is when information that would not be available at prediction time, such as "
    "future values or the label itself, reaches training, so validation scores look too good. "
    "I prevent it by splitting by time first and fitting preprocessing on the training data only."
)

pytestmark = [
    pytest.mark.real_server,
    pytest.mark.timeout(900),
    pytest.mark.skipif(not START.is_file(), reason=f"no real-server kit at {KIT} (../shared/llm is absent)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(pid: int) -> None:
    """Stop the server this test started (its own process group: start-server.sh uses setsid)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)


@pytest.fixture(scope="module")
def real_server():
    port = _free_port()
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(START), str(ROOT / ".venv-llm"), str(port)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"the real server did not start: {done.stderr.strip().splitlines()[-1:]}")
    pid = int(done.stdout.strip().splitlines()[-1])
    print(f"\nreal server up on port {port} in {time.monotonic() - started:.1f} s (pid {pid})")
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        _stop(pid)


def _run(argv: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockinterview", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_headless_interview_on_a_real_server_completes_and_replays_exactly(real_server, tmp_path):
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    config_dir.mkdir()
    # Small caps: the model only echoes; what is tested is the path, not the words.
    (config_dir / "config.toml").write_text(
        "[openai]\nmax_output_tokens = 40\nmax_retries = 0\ntimeout_s = 300\nmax_total_s = 600\n"
    )
    env = {
        **os.environ,
        "OPENAI_BASE_URL": real_server,
        "MOCKINTERVIEW_CONFIG_DIR": str(config_dir),
        "MOCKINTERVIEW_DATA_DIR": str(data_dir),
    }
    env.pop("OPENAI_API_KEY", None)
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWER + "\n")
    spec = f"openai:{SERVED}"
    started = time.monotonic()
    done = _run(
        ["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "1",
         "--max-follow-ups", "0", "--model", spec, "--grader", spec, "--format", "json"],
        env,
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    print(f"headless interview on the real server: {took:.1f} s, {result['model_calls']} calls")

    assert result["status"] == "completed"
    transcript = json.loads(Path(result["path"]).read_text())
    from mockinterview.packs.loader import load_pack

    pack = load_pack()
    questions = [t for t in transcript["turns"] if t["kind"] == "question"]
    assert questions and all(pack.question(t["question_id"]).text in t["text"] for t in questions)

    (grade,) = transcript["grades"]
    assert grade["grade"]["status"] in ("ok", "fallback")
    if grade["grade"]["status"] == "fallback":
        assert grade["grade"]["fallback_reason"]
    print(
        f"grade: {grade['grade']['status']} {grade['grade']['score']} ({grade['grade']['fallback_reason']})"
    )

    calls = transcript["model_calls"]
    by_id = {c["id"]: c for c in calls}
    # What a strict chat template needs, and bounded steps: one system message, first; the
    # candidate's answer sent once per request, as delimited data in a user message.
    for c in calls:
        messages = c["request"]["messages"]
        assert [m["role"] for m in messages[1:]].count("system") == 0
        # (The model's own replies may quote it; what we send holds it once.)
        holding = [m for m in messages if m["role"] != "assistant" and ANSWER[:60] in m["content"]]
        assert len(holding) <= 1 and all(
            m["role"] == "user" and "<candidate_answer>" in m["content"] for m in holding
        )
        if c["purpose"] == "interviewer":
            assert c["request"]["max_tokens"] <= 140 and c["request"]["stop"]
    # A reply whose kept paragraph was cut at the token limit is marked; a question turn
    # shows nothing cut, and ends with the bank question.
    from mockinterview.conversation import first_paragraph

    for turn in (t for t in transcript["turns"] if t["speaker"] == "interviewer"):
        said = by_id[turn["model_call_ids"][-1]]["response"]
        cut = bool(said) and first_paragraph(said["text"], said["finish_reason"] == "length")[1]
        if turn["kind"] == "question":
            assert turn["text"].endswith(pack.question(turn["question_id"]).text) and not turn["cut_off"]
        else:
            assert turn["cut_off"] == cut and (not cut or turn["text"].endswith("[…]"))
    for c in calls:
        print(
            f"  {c['id']} {c['purpose']:<11} {c['ladder_step'] or '':<18} {c['latency_ms'] / 1000:6.1f} s "
            f"{c['usage']['prompt_tokens']:>5} + {c['usage']['completion_tokens']:>3} tokens {c['error_type'] or ''}"
        )
    assert {c["id"] for c in calls} >= set(grade["model_call_ids"]) and grade["model_call_ids"]
    assert all(c["request_hash"] and c["latency_ms"] > 0 for c in calls)
    # Every call went to the server, but for a step the offline interviewer took over
    # after a fault the transcript notes (a base model can say nothing at all).
    faults = [t for t in transcript["turns"] if t["kind"] == "note" and t["text"].startswith("Model error")]
    stood_in = [c for c in calls if c["model"] != spec]
    assert all(c["model"] == "stub" and c["purpose"] == "interviewer" for c in stood_in)
    assert len(stood_in) == len(faults)
    # The server answers json_schema with HTTP 500: asked once, then never again.
    grading = [c for c in calls if c["purpose"] == "grade"]
    rejected = [c for c in grading if c["error_type"] == "UnsupportedFormat"]
    assert len(rejected) == 1 and rejected[0]["ladder_step"] == "json_schema" and rejected[0]["attempts"] == 1
    assert "json_object" in rejected[0]["error"]
    assert all(c["ladder_step"] != "json_schema" for c in grading if c is not rejected[0])
    # No usage chunk in its streams: the interviewer's tokens were counted locally.
    spoken = [c for c in calls if c["model"] == spec and c["response"] and c["response"]["text"]]
    assert spoken and all(c["usage"]["completion_tokens"] > 0 for c in spoken)
    assert result["tokens"]["prompt_tokens"] > 0

    replay = _run(["replay", result["path"], "--model", "replay", "--format", "json"], env, timeout=120)
    assert replay.returncode == 0, replay.stderr
    (replayed,) = json.loads(replay.stdout)
    assert replayed["answers"] == replayed["identical"] == 1 and replayed["misses"] == 0


def test_a_model_name_the_real_server_does_not_list_is_reported(real_server, tmp_path):
    """The server answers any model name; /v1/models names the one it serves, so a typo
    is reported - a note in the transcript, shown by every UI - and the interview runs on."""
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(
        "[openai]\nmax_output_tokens = 8\nmax_retries = 0\ntimeout_s = 300\n"
    )
    env = {**os.environ, "OPENAI_BASE_URL": real_server, "MOCKINTERVIEW_CONFIG_DIR": str(config_dir),
           "MOCKINTERVIEW_DATA_DIR": str(data_dir)}  # fmt: skip
    env.pop("OPENAI_API_KEY", None)
    answers = tmp_path / "answers.txt"
    answers.write_text("/end\n")
    done = _run(
        ["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "1",
         "--model", "openai:gemma3-207m", "--grader", "stub", "--format", "json"],
        env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "ended-early"
    notes = [t["text"] for t in json.loads(Path(result["path"]).read_text())["turns"] if t["kind"] == "note"]
    assert any(f"model 'gemma3-207m' is not among those {real_server} lists ({SERVED})" in n for n in notes)

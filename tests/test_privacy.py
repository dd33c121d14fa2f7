"""Privacy: private file modes, the API key never written or shown, complete deletion, exports
without the model-call log.

Sessions run as real subprocesses against the local fake OpenAI server with a recognisable
key, including servers that echo the key back in their error messages.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAIServer, Reply

from mockinterview.reports import save_report
from mockinterview.storage.config import load_settings, save_settings
from mockinterview.storage.transcripts import load_transcript

LEAK_KEY = "sk-test-LEAKCHECK-1234"
MARKER = "zebra-quartz-7731"  # a word only the candidate typed, to find their answers on disk
ANSWER = f"I would first check how the data was collected ({MARKER}) and compare against a baseline."


@pytest.fixture
def leaky_server(monkeypatch, isolated_dirs):
    """A fake server that wants LEAK_KEY, with settings pointing at it (short timeouts)."""
    with FakeOpenAIServer(models=("fake-model",), api_key=LEAK_KEY) as server:
        monkeypatch.setenv("OPENAI_API_KEY", LEAK_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        settings = load_settings()
        settings.openai.timeout_s = 2.0
        settings.openai.max_retries = 1
        settings.openai.max_total_s = 8.0
        settings.openai.backoff_base_s = 0.01
        settings.openai.backoff_max_s = 0.02
        save_settings(settings)
        yield server


def _cli(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockinterview", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=env or dict(os.environ),
    )


def _interview(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    answers = tmp_path / "answers.txt"
    answers.write_text(f"{ANSWER}\n---\n{ANSWER}\n---\n{ANSWER}\n", encoding="utf-8")
    return _cli(
        "interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "2", *extra
    )


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def _assert_key_nowhere(texts: dict[str, str], roots: list[Path]) -> None:
    for where, text in texts.items():
        assert LEAK_KEY not in text, f"the key appears in {where}"
    leaked = [p for p in _files(*roots) if LEAK_KEY.encode() in p.read_bytes()]
    assert leaked == [], f"the key was written to {leaked}"


def test_session_against_a_server_keeps_the_key_out_of_every_file_and_output(
    tmp_path, leaky_server, isolated_dirs
):
    done = _interview(tmp_path, "--model", "openai:fake-model", "--grader", "openai:fake-model")
    assert done.returncode == 0, done.stderr
    assert leaky_server.chat_requests(), "the session never reached the server"
    assert leaky_server.chat_requests()[0].headers["authorization"] == f"Bearer {LEAK_KEY}"
    path = done.stdout.strip().splitlines()[-1]
    outputs = {"interview stdout": done.stdout, "interview stderr": done.stderr}
    for name, argv in {
        "export md": ["export", path, "--format", "md", "--model-calls"],
        "export html": ["export", path, "--format", "html", "--model-calls"],
        "history": ["history", "--format", "json"],
        "replay": ["replay", path, "--format", "json"],
    }.items():
        run = _cli(*argv)
        outputs[f"{name} stdout"], outputs[f"{name} stderr"] = run.stdout, run.stderr
    save_report(load_transcript(path), "html", include_model_calls=True)
    _assert_key_nowhere(outputs, [isolated_dirs["data"], isolated_dirs["config"]])


@pytest.mark.parametrize(
    "reply",
    [
        Reply.unauthorized(LEAK_KEY),  # 401 that echoes the key it was sent
        Reply.api_error(400, f"Invalid request from key {LEAK_KEY}: bad parameter", "invalid_request"),
        Reply.api_error(503, f"upstream refused {LEAK_KEY}"),
    ],
    ids=["401-echo", "400-echo", "503-echo"],
)
def test_server_errors_that_echo_the_key_are_redacted_everywhere(
    tmp_path, leaky_server, isolated_dirs, reply
):
    leaky_server.default_reply = reply  # every request fails the same way: the session stops
    done = _interview(tmp_path, "--model", "openai:fake-model")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.strip(), "a failed session must say why"
    sessions = list((isolated_dirs["data"] / "sessions").glob("*.json"))
    assert len(sessions) == 1  # the session is saved for --resume
    _assert_key_nowhere(
        {"stdout": done.stdout, "stderr": done.stderr}, [isolated_dirs["data"], isolated_dirs["config"]]
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_and_config_files_are_0600_in_0700_dirs(tmp_path, isolated_dirs):
    done = _interview(tmp_path)
    assert done.returncode == 0, done.stderr
    path = done.stdout.strip().splitlines()[-1]
    save_settings(load_settings())
    save_report(load_transcript(path), "md")
    exported = tmp_path / "out" / "report.html"
    assert _cli("export", path, "--format", "html", "-o", str(exported)).returncode == 0
    roots = [isolated_dirs["data"], isolated_dirs["config"]]
    files = _files(*roots)
    assert {p.suffix for p in files} >= {".json", ".toml", ".md"}
    assert {str(p): oct(_mode(p)) for p in files if _mode(p) != 0o600} == {}
    dirs = [r for r in roots] + [p for r in roots for p in r.rglob("*") if p.is_dir()]
    assert {str(d): oct(_mode(d)) for d in dirs if _mode(d) != 0o700} == {}
    assert _mode(exported) == 0o600


def test_exports_leave_out_the_model_call_log_by_default(tmp_path):
    done = _interview(tmp_path)
    path = done.stdout.strip().splitlines()[-1]
    t = load_transcript(path)
    call_ids = [c.id for c in t.model_calls]
    assert call_ids
    for fmt in ("md", "html"):
        without = _cli("export", path, "--format", fmt).stdout
        with_calls = _cli("export", path, "--format", fmt, "--model-calls").stdout
        last = call_ids[-1]  # e.g. "call-8": listed in the model-call table only
        assert last not in without
        assert last in with_calls
        assert MARKER in without  # the report itself is there


def _mentions(roots: list[Path], needle: str) -> list[Path]:
    return [p for p in _files(*roots) if needle.encode() in p.read_bytes()]


def test_history_delete_removes_the_transcript(tmp_path, isolated_dirs):
    done = _interview(tmp_path)
    session_id = Path(done.stdout.strip().splitlines()[-1]).stem
    deleted = _cli("history", "--delete", session_id)
    assert deleted.returncode == 0, deleted.stderr
    assert _mentions([isolated_dirs["data"]], MARKER) == []
    listed = json.loads(_cli("history", "--format", "json").stdout)
    assert session_id not in {s["id"] for s in listed}
    again = _cli("history", "--delete", session_id)
    assert again.returncode != 0 and len(again.stderr.strip().splitlines()) == 1


def test_history_delete_also_removes_reports_saved_in_the_data_dir(tmp_path, isolated_dirs):
    done = _interview(tmp_path)
    path = Path(done.stdout.strip().splitlines()[-1])
    t = load_transcript(path)
    save_report(t, "html")  # what the TUI's feedback/review screens do on "export"
    save_report(t, "md")
    assert _cli("history", "--delete", t.meta.id).returncode == 0
    assert _mentions([isolated_dirs["data"]], MARKER) == []

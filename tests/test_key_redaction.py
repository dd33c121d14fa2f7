"""The configured API key is redacted whatever its length (exact match): pasted into an answer
it is in no saved transcript, export or output; echoed in a normal (200) model reply, streamed
or not, it is never printed or saved."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAIServer, Reply
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockinterview.reports import export
from mockinterview.storage.config import load_settings, save_settings
from mockinterview.storage.transcripts import REDACTED_KEY, load_transcript, save_transcript

SHORT_KEY = "tok-abc123"  # shorter than the 12 characters the old check needed


def _cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockinterview", *argv], capture_output=True, text=True, timeout=120,
        env=dict(os.environ),
    )  # fmt: skip


def test_a_short_key_pasted_into_an_answer_is_nowhere(tmp_path, isolated_dirs, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SHORT_KEY)
    answers = tmp_path / "answers.txt"
    answers.write_text(f"my key is {SHORT_KEY} - overfitting is learning noise\n---\n/end\n", encoding="utf-8")
    done = _cli("interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "1")
    assert done.returncode == 0, done.stderr
    path = done.stdout.strip().splitlines()[-1]
    outputs = [done.stdout, done.stderr]
    for fmt in ("md", "html"):
        outputs.append(_cli("export", path, "--format", fmt, "--model-calls").stdout)
    assert all(SHORT_KEY not in o for o in outputs)
    on_disk = Path(path).read_text(encoding="utf-8")
    assert SHORT_KEY not in on_disk and REDACTED_KEY in on_disk


key_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEF0123456789-_.", min_size=1, max_size=40)


@given(key=key_text, before=st.text(max_size=20), after=st.text(max_size=20))
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_any_key_in_an_in_memory_transcript_is_neither_saved_nor_exported(tmp_path, key, before, after):
    from tui_sample import sample_transcript

    t = sample_transcript()
    answer = next(turn for turn in t.turns if turn.kind == "answer")
    answer.text = f"{before}{key}{after}"
    t.review.comments.clear()
    old = os.environ.get("OPENAI_API_KEY")
    os.environ["OPENAI_API_KEY"] = key
    try:
        path = save_transcript(t, tmp_path / "s.json")
        saved = path.read_text(encoding="utf-8")
        loaded = load_transcript(path)  # still a valid transcript, whatever the key collided with
        assert key not in next(x for x in loaded.turns if x.kind == "answer").text
        if len(key) >= 8:  # a longer key cannot be part of the template's own words
            assert key not in saved
            for fmt in ("md", "html"):
                assert key not in export(t, fmt, include_model_calls=True)
    finally:
        if old is None:
            os.environ.pop("OPENAI_API_KEY", None)
        else:
            os.environ["OPENAI_API_KEY"] = old


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_a_key_echoed_in_a_normal_reply_is_never_shown_or_saved(tmp_path, isolated_dirs, monkeypatch, stream):
    from mockinterview.models.base import ChatMessage, ChatRequest, StreamProgress
    from mockinterview.models.openai_provider import OpenAIProvider

    with FakeOpenAIServer(models=("fake-model",), api_key=SHORT_KEY) as server:
        monkeypatch.setenv("OPENAI_API_KEY", SHORT_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        # Split over SSE chunks of 3 characters: the key arrives in pieces.
        server.default_reply = Reply.ok(f"Your key {SHORT_KEY} works; {SHORT_KEY}!", chunk_chars=3)
        settings_ = load_settings()
        save_settings(settings_)
        provider = OpenAIProvider("fake-model", load_settings())
        shown: list[str] = []
        request = ChatRequest(messages=[ChatMessage(role="user", content="hi")], purpose="interviewer")

        async def go():
            try:
                return await provider.send(request, shown.append if stream else None, StreamProgress())
            finally:
                await provider.aclose()

        response = asyncio.run(go())
    assert SHORT_KEY not in response.text and "[redacted]" in response.text
    if stream:
        assert SHORT_KEY not in "".join(shown) and "".join(shown) == response.text

    # And through the product: a headless interview whose interviewer echoes the key.
    with FakeOpenAIServer(models=("fake-model",), api_key=SHORT_KEY) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        server.default_reply = Reply.ok(f"Tell me about overfitting ({SHORT_KEY}).", chunk_chars=4)
        answers = tmp_path / "answers.txt"
        answers.write_text("It is learning noise.\n---\n/end\n", encoding="utf-8")
        done = _cli(
            "interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "1",
            "--model", "openai:fake-model",
        )  # fmt: skip
        assert server.chat_requests()
    assert SHORT_KEY not in done.stdout + done.stderr
    for p in (isolated_dirs["data"]).rglob("*.json"):
        assert SHORT_KEY.encode() not in p.read_bytes()

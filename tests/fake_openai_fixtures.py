"""Fixtures for tests that talk to the local fake OpenAI server through the real SDK.

Import them into a test module with ``from fake_openai_fixtures import *``. The
settings are written to the (per-test, isolated) config file and the key and base
URL are set in the environment, so code that loads its own settings - ``get_model``,
the engine - finds the fake server exactly as a user's setup would be found.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAIServer, Reply  # noqa: F401 - re-exported for tests

from mockinterview.storage.config import Settings, load_settings, save_settings

FAKE_MODEL = "fake-model"
TEST_KEY = "sk-test-fake-key-000000"  # the fake server's default key


@pytest.fixture
def fake_openai():
    with FakeOpenAIServer(models=(FAKE_MODEL, "o4-mini"), api_key=TEST_KEY) as server:
        yield server


@pytest.fixture
def openai_settings(fake_openai, monkeypatch) -> Settings:
    """Fast settings pointed at the fake server: short timeouts, tiny backoff."""
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    settings = load_settings()
    cfg = settings.openai
    cfg.timeout_s = 2.0
    cfg.max_retries = 3
    cfg.max_total_s = 10.0
    cfg.backoff_base_s = 0.01
    cfg.backoff_max_s = 0.05
    save_settings(settings)
    return load_settings()


class SleepRecorder:
    """Stands in for asyncio.sleep so retry waits are observed, not spent."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def files_containing(secret: str, *roots: Path) -> list[Path]:
    """Every file under ``roots`` whose bytes contain ``secret``."""
    hits = []
    needle = secret.encode()
    for root in roots:
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                path = Path(dirpath) / name
                try:
                    if needle in path.read_bytes():
                        hits.append(path)
                except OSError:
                    pass
    return hits

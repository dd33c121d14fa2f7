"""Shared fixtures. Every test runs with private, empty data and config dirs and no
OpenAI credentials, so nothing touches the real user's files or the network."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    data = tmp_path / "data"
    config = tmp_path / "config"
    monkeypatch.setenv("MOCKINTERVIEW_DATA_DIR", str(data))
    monkeypatch.setenv("MOCKINTERVIEW_CONFIG_DIR", str(config))
    monkeypatch.setenv("MOCKINTERVIEW_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MOCKINTERVIEW_MATCHER", raising=False)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(var, raising=False)
    return {"data": data, "config": config}

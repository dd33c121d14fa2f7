"""Where mockinterview keeps its files: the user's data and config dirs (platformdirs).

``MOCKINTERVIEW_DATA_DIR`` / ``MOCKINTERVIEW_CONFIG_DIR`` override them (tests, portable
installs). Directories are created 0700: transcripts hold what the candidate said.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "mockinterview"


def _ensure_private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError:
        pass  # not ours to change (e.g. a shared mount); reading still works
    return path


def data_dir(create: bool = True) -> Path:
    override = os.environ.get("MOCKINTERVIEW_DATA_DIR")
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    return _ensure_private_dir(path) if create else path


def config_dir(create: bool = True) -> Path:
    override = os.environ.get("MOCKINTERVIEW_CONFIG_DIR")
    path = Path(override) if override else user_config_path(APP_NAME, appauthor=False)
    return _ensure_private_dir(path) if create else path


def sessions_dir(create: bool = True) -> Path:
    path = data_dir(create) / "sessions"
    return _ensure_private_dir(path) if create else path


def config_file() -> Path:
    return config_dir(create=False) / "config.toml"

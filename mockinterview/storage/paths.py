"""Where mockinterview keeps its files: the user's data and config dirs (platformdirs).

``MOCKINTERVIEW_DATA_DIR`` / ``MOCKINTERVIEW_CONFIG_DIR`` override them (tests, portable
installs). Directories are created 0700: transcripts hold what the candidate said.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from mockinterview.domain.ids import is_safe_id

APP_NAME = "mockinterview"


class UnsafePathError(OSError):
    """A file name built from data (a session id, a report name) that is not a safe id or
    would leave its folder. An OSError, so writers that report I/O failures in one line
    report this one too."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def path_in(folder: Path, name: str, suffix: str = "") -> Path:
    """``folder / (name + suffix)`` for a ``name`` that comes from data, or UnsafePathError.

    The one place every path built from data is made (transcripts, reports, exports from
    the review screen): ``name`` must be a safe id (domain.ids: no separator, no ``..``, no
    leading dot), and the result, with the folder's symlinks resolved, must still be
    directly inside the folder."""
    if not isinstance(name, str) or not is_safe_id(name):
        raise UnsafePathError(f"{name!r} cannot name a file (letters, digits, '_', '-' and inner dots only)")
    folder = Path(folder)
    candidate = folder / f"{name}{suffix}"
    if candidate.name != f"{name}{suffix}" or candidate.parent != folder:
        raise UnsafePathError(f"{name!r} cannot name a file in {folder}")
    real_folder = Path(os.path.realpath(folder))
    real_parent = Path(os.path.realpath(candidate.parent))
    if real_parent != real_folder:  # pragma: no cover - the checks above already keep it in
        raise UnsafePathError(f"{name!r} would leave {folder}")
    return candidate


def make_private_dirs(path: Path) -> Path:
    """Create ``path`` and every missing parent 0700, whatever the umask: ``mkdir(mode=)``
    is masked by it for the leaf and ignored for the parents (``umask 000`` made
    ``~/.local/share`` and the config dir 0777). Folders that exist are left as they are."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:
            continue  # made meanwhile by another process: its mode is its maker's
        os.chmod(folder, 0o700)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)  # raises the right OSError (not a directory ...)
    return path


def _ensure_private_dir(path: Path) -> Path:
    make_private_dirs(path)
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


def reports_dir(create: bool = True) -> Path:
    """``<data dir>/reports``: reports saved without a path (the review screen's export)."""
    path = data_dir(create) / "reports"
    return _ensure_private_dir(path) if create else path

"""Where the prompt templates and rubric packs live.

An installed wheel carries them in ``mockinterview/_data``; an editable checkout
reads them from the repository root, so both layouts work without copying.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"mockinterview data directory {name!r} is missing from the installation")


def prompts_dir() -> Path:
    return _data_dir("prompts")


def rubrics_dir() -> Path:
    return _data_dir("rubrics")


def pack_dirs(root: Path | None = None) -> list[Path]:
    """The rubric pack directories under ``root`` (default: the bundled packs), by name.

    Here rather than in ``packs.loader`` so that listing packs (the home screen does it
    right after its first paint) does not import pydantic and the pack models."""
    root = root or rubrics_dir()
    return sorted(p for p in root.iterdir() if (p / "pack.toml").is_file())

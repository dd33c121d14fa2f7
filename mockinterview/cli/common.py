"""Helpers several commands share."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from mockinterview.cli.errors import CliError

if TYPE_CHECKING:
    from mockinterview.domain.pack import RolePack


def load_pack_or_fail(pack_ref: str | None) -> RolePack:
    """The pack by id or path, or a one-line CliError naming its first problem."""
    # deferred: start-up time (every command module loads at start)
    from mockinterview.packs.loader import PackLoadError, load_pack

    try:
        return load_pack(pack_ref)
    except PackLoadError as exc:
        raise CliError(exc.one_line()) from None


def open_input(path: Path, expected: str) -> BinaryIO:
    """Open a user-given input file for reading, or a one-line CliError saying why not."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, expected {expected}") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot read ({exc.strerror or exc})") from None


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number of at least ``minimum``, or a one-line usage error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more")
        return value

    return parse

"""Helpers several commands share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockinterview.cli.errors import CliError

if TYPE_CHECKING:
    from mockinterview.domain.pack import RolePack


def load_pack_or_fail(pack_ref: str | None) -> RolePack:
    """The pack by id or path, or a one-line CliError naming its first problem."""
    from mockinterview.packs.loader import PackLoadError, load_pack

    try:
        return load_pack(pack_ref)
    except PackLoadError as exc:
        raise CliError(exc.one_line()) from None

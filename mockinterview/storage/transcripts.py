"""Transcripts on disk: one JSON file per session, written atomically, readable only by the user.

A save writes a temp file in the same directory, fsyncs it, renames it over the
old file and fsyncs the directory, so a crash at any moment leaves either the old
or the new transcript - never a torn one. Loading turns every kind of bad file
(too big, not JSON, wrong schema, from a newer version) into a ``TranscriptError``
with a one-line reason naming the file.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mockinterview import files
from mockinterview.domain.transcript import SCHEMA_VERSION, GradeRecord, Transcript
from mockinterview.storage.config import configured_key
from mockinterview.storage.locks import is_locked_by_another, lock_path
from mockinterview.storage.paths import (
    UnsafePathError,
    make_private_dirs,
    path_in,
    reports_dir,
    sessions_dir,
)

MAX_TRANSCRIPT_BYTES = 50_000_000
SUFFIX = ".json"


class TranscriptError(Exception):
    """A transcript cannot be read, found or written. ``str(exc)`` is one line."""


class TranscriptSaveError(TranscriptError, OSError):
    """Writing the transcript failed (disk full, file too large, permissions). The
    file on disk still holds the last complete save. An OSError too, for callers
    that handle I/O errors generically."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        OSError.__init__(self, errno, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cycle collector off while a transcript's objects are built (loading it, a
    report of it, the review's rows): they hold no reference cycles, and every full
    collection walks each object already built - at 28 MB, a third of an export's time.
    Restored on the way out (left off if it was off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# schema_version N -> function upgrading the raw JSON of version N to N + 1.
# Add an entry here whenever SCHEMA_VERSION is bumped; old files keep loading.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(data: dict[str, Any], source: str = "transcript") -> dict[str, Any]:
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TranscriptError(f"{source}: schema_version must be a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise TranscriptError(
            f"{source}: written by a newer mockinterview (schema {version}, this version reads up to {SCHEMA_VERSION})"
        )
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise TranscriptError(f"{source}: no migration from schema {version}")
        data = step(dict(data))
        version += 1
        data["schema_version"] = version
    return data


# ---------------------------------------------------------------------------------
# Saving


def default_path(t: Transcript, directory: Path | None = None) -> Path:
    # The id names the file: one that could climb out of the sessions dir is refused.
    try:
        return path_in(directory or sessions_dir(), t.meta.id, SUFFIX)
    except UnsafePathError:
        raise TranscriptError(f"session id {t.meta.id!r} cannot name a file (letters, digits, . _ - only)") from None


REDACTED_KEY = "[redacted: OPENAI_API_KEY]"


# Values the schema checks (ids, rounds, kinds, statuses, dates): never where a key is pasted
# or echoed, and a very short key could otherwise turn "basic" into an invalid round.
_STRUCTURAL = frozenset(
    ["schema_version", "id", "turn_id", "reply_to", "round", "rounds", "kind", "speaker", "status", "question_id", "question_plan", "pack_id", "pack_version", "pack_hash", "created_at", "updated_at", "started_at", "ended_at", "model_call_ids", "interviewer_model", "grader_model", "purpose", "model", "request_hash", "matched_question_id", "runner_up_question_id"]
)


def _redact_tree(node: Any, key: str, *, keep_structure: bool = False) -> Any:
    if isinstance(node, str):
        return node.replace(key, REDACTED_KEY)
    if isinstance(node, dict):
        return {
            (k if keep_structure else _redact_tree(k, key)): (
                v if keep_structure and k in _STRUCTURAL else _redact_tree(v, key, keep_structure=keep_structure)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_redact_tree(v, key, keep_structure=keep_structure) for v in node]
    return node


def _redacted_data(t: Transcript, key: str) -> dict[str, Any]:
    """``t`` as JSON data with the key replaced in every string; if that breaks a checked
    value (a key as short as a round name), in every free-text value only."""
    data = t.model_dump(mode="json")
    redacted = _redact_tree(data, key)
    try:
        Transcript.model_validate(redacted)
    except ValidationError:
        redacted = _redact_tree(data, key, keep_structure=True)
    return redacted


def _serialised_without_secret(t: Transcript) -> str:
    """The transcript as saved (JSON, indent 1) with the API key's value blanked out.

    The key must never reach disk, whatever path it took into the data (a candidate may
    paste it into an answer, a server may echo it in an error). Redacting rather than
    refusing the save keeps the rest of the session safe. The configured key is matched
    exactly whatever its length, inside string values only (so a short key cannot break
    the JSON around it).
    """
    blob = t.model_dump_json(indent=1)
    key = configured_key()
    if not key or (key not in blob and json.dumps(key, ensure_ascii=False)[1:-1] not in blob):
        return blob  # the usual case: one fast pydantic dump
    return json.dumps(_redacted_data(t, key), ensure_ascii=False, indent=1)


def without_secret(t: Transcript) -> Transcript:
    """``t`` itself, or a copy with the configured API key replaced in every string (for
    exports of an in-memory session)."""
    key = configured_key()
    if not key or key not in t.model_dump_json():
        return t
    try:
        return Transcript.model_validate(_redacted_data(t, key))
    except ValidationError:  # the key collides with a checked value: callers redact their output
        return t


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported on this platform / filesystem
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_transcript(t: Transcript, path: Path | None = None) -> Path:
    """Write ``t`` atomically (temp file, fsync, rename, fsync dir) with mode 0600."""
    path = Path(path) if path is not None else default_path(t)
    # pydantic's serializer is ~15x faster than model_dump + json.dumps; this runs after every turn.
    blob = _serialised_without_secret(t).encode("utf-8")
    directory = path.parent
    make_private_dirs(directory)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise TranscriptSaveError(
            f"cannot save transcript {path}: {exc.strerror or exc}", exc.errno
        ) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise TranscriptSaveError(f"cannot save transcript {path}: {reason}", exc.errno) from None
        raise
    _fsync_dir(directory)
    return path


# ---------------------------------------------------------------------------------
# Loading and finding


def load_transcript(path: str | Path) -> Transcript:
    path = Path(path)
    try:
        raw = files.read_bytes(path, MAX_TRANSCRIPT_BYTES)  # a FIFO or /dev/zero is refused, not read
    except files.FileTooLarge as exc:
        raise TranscriptError(f"{path}: file is too large for a transcript ({exc.size} bytes)") from None
    except FileNotFoundError:
        raise TranscriptError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TranscriptError(f"{path}: is a directory, not a transcript") from None
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read ({exc.strerror or exc})") from None
    with collection_paused():  # ~20 objects a turn, none in a cycle
        fast = _validated_in_one_pass(raw)
        return fast if fast is not None else _validated_the_long_way(raw, path)


def _validated_the_long_way(raw: bytes, path: Path) -> Transcript:
    """Any file the one pass does not take (not JSON, an older or newer schema, a value
    only the lax check accepts): a Transcript, or a TranscriptError saying what is wrong."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise TranscriptError(f"{path}: not a transcript (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise TranscriptError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise TranscriptError(f"{path}: JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise TranscriptError(f"{path}: not a transcript (top level is not a JSON object)")
    data = migrate(data, str(path))
    try:
        return Transcript.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise TranscriptError(f"{path}: invalid transcript at {loc}: {err['msg'].removeprefix('Value error, ')}{more}") from None
    except RecursionError:
        raise TranscriptError(f"{path}: JSON nested too deeply") from None


def _validated_in_one_pass(raw: bytes) -> Transcript | None:
    """The usual file (this version's schema, every value of its JSON type) validated
    straight from its bytes; None for any other file, which then goes the long way.

    pydantic parses and validates the JSON in one pass, without the Python objects
    ``json.loads`` builds for ``model_validate`` to walk again (a 28 MB transcript: 0.24
    against 0.34 CPU s, the collector paused). Strict, so a value only the lax check accepts
    (``"schema_version": "1"``, a number in a string) goes the long way and meets the same
    checks and messages as before; where the one pass accepts, both give the same transcript
    (test_fuzz_transcripts)."""
    try:
        t = Transcript.model_validate_json(raw, strict=True)
    except (ValidationError, ValueError, RecursionError):
        return None
    return t if t.schema_version == SCHEMA_VERSION else None


def find_session(id_or_path: str | Path, directory: Path | None = None) -> Path:
    """A transcript path from a path, a session id, or a unique prefix of an id."""
    text = str(id_or_path).strip()
    if not text:
        raise TranscriptError("no session id or path given")
    candidate = Path(text).expanduser()
    if candidate.is_file():
        return candidate
    root = directory or sessions_dir()
    if os.sep not in text and "/" not in text:
        exact = root / (text if text.endswith(SUFFIX) else text + SUFFIX)
        if exact.is_file():
            return exact
        matches = sorted(root.glob(f"{_glob_escape(text)}*{SUFFIX}")) if root.is_dir() else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(m.stem for m in matches[:3])
            raise TranscriptError(f"session id {text!r} is ambiguous ({len(matches)} matches: {names} ...)")
    raise TranscriptError(f"no such session or transcript file: {text}")


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def latest_session(directory: Path | None = None, *, status: str | None = None) -> Path | None:
    """The most recently updated session (optionally with a given status)."""
    best: tuple[datetime, Path] | None = None
    for summary in list_sessions(directory):
        if summary.error or (status and summary.status != status):
            continue
        if best is None or summary.updated > best[0]:
            best = (summary.updated, summary.path)
    return best[1] if best else None


# A save's temp file (".<id>.json.<random>.tmp") lives for milliseconds; one older than this
# was left by a process killed mid-save. It holds the whole transcript.
STALE_TEMP_SECONDS = 60.0


def _temps_of(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{_glob_escape(path.name)}.*.tmp"))


def clean_stale_temps(directory: Path | None = None, *, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the save temps a killed process left in the sessions dir (``kill -9`` mid-save
    leaves a full copy of the transcript there); those younger than ``older_than`` seconds
    may belong to a save in progress and stay. Returns what was removed."""
    root = Path(directory) if directory is not None else sessions_dir(create=False)
    if not root.is_dir():
        return []
    now = time.time()
    removed = []
    for tmp in root.glob(f".*{SUFFIX}.*.tmp"):
        try:
            st = tmp.lstat()
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime >= older_than:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed


def delete_session(id_or_path: str | Path, directory: Path | None = None) -> None:
    """Delete a session's transcript, its save temps and lock, and the reports saved for it
    in the data dir (``<data dir>/reports/<id>.*``): they quote the candidate's answers too.

    Only a transcript in the sessions dir is deleted: ``history --delete PATH`` is not a way
    to remove any file."""
    path = find_session(id_or_path, directory)
    root = Path(directory) if directory is not None else sessions_dir(create=False)
    inside = os.path.realpath(path.parent) == os.path.realpath(root)
    if not inside or path.suffix != SUFFIX or path.name.startswith("."):
        raise TranscriptError(f"{path}: not a saved session in {root}; only those are deleted")
    held = is_locked_by_another(path)
    if held is not None:  # its process would write it back at its next save
        raise TranscriptError(str(held).replace("; finish or quit it there first", "; quit it there before deleting"))
    try:
        path.unlink()
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot delete ({exc.strerror or exc})") from None
    for leftover in [*_temps_of(path), lock_path(path)]:
        with contextlib.suppress(OSError):
            leftover.unlink()
    reports = reports_dir(create=False)
    if reports.is_dir():
        for report in reports.glob(f"{_glob_escape(path.stem)}.*"):
            with contextlib.suppress(OSError):
                report.unlink()


# ---------------------------------------------------------------------------------
# Summaries


def final_grades(t: Transcript) -> list[GradeRecord]:
    """One grade per question: the last one recorded (a follow-up answer regrades the
    question with everything the candidate said), in the order questions were asked."""
    latest: dict[str, GradeRecord] = {}
    for record in t.grades:
        key = record.question_id or f"turn-{record.turn_id}"
        latest.pop(key, None)  # keep the order of the most recent grade
        latest[key] = record
    order = {r.turn_id: i for i, r in enumerate(t.grades)}
    return sorted(latest.values(), key=lambda r: order[r.turn_id])


# What a question asked and left without an answer scores in the round and session means:
# the floor of the scale, so a hard question cannot be dodged for free (README, "Scores").
UNANSWERED_SCORE = 1.0


@dataclass(frozen=True)
class QuestionOutcome:
    """One question the session asked: its final grade (None when it has no answer), its
    effective score (mentor overrides win; ``UNANSWERED_SCORE`` when unanswered), and how
    it ended without one: "skipped", "unanswered" (the round or session ended while it was
    open), or "" when answered."""

    question_id: str
    round: str | None
    record: GradeRecord | None
    score: float | None  # None: still open in an in-progress session
    unanswered: str = ""


def question_outcomes(t: Transcript) -> list[QuestionOutcome]:
    """Every question asked, in the order asked, with what counts toward the scores."""
    finals = {r.question_id or f"turn-{r.turn_id}": r for r in final_grades(t)}
    scores = t.effective_scores()  # one pass, not a scan of every grade per question
    asked: dict[str, str | None] = {}
    skipped: set[str] = set()
    for turn in t.turns:
        if turn.kind == "question" and turn.question_id:
            asked.setdefault(turn.question_id, turn.round)
        elif turn.kind == "skip" and turn.question_id:
            skipped.add(turn.question_id)
    out: list[QuestionOutcome] = []
    for qid, round_id in asked.items():
        record = finals.pop(qid, None)
        if record is not None:
            out.append(QuestionOutcome(qid, record.round or round_id, record, scores.get(record.turn_id)))
        elif qid in skipped:
            out.append(QuestionOutcome(qid, round_id, None, UNANSWERED_SCORE, "skipped"))
        elif t.meta.status != "in-progress" or _question_closed(t, qid):
            out.append(QuestionOutcome(qid, round_id, None, UNANSWERED_SCORE, "unanswered"))
        else:
            out.append(QuestionOutcome(qid, round_id, None, None))
    for record in finals.values():  # a grade without a question turn (hand-written files)
        out.append(QuestionOutcome(record.question_id or "", record.round, record, scores.get(record.turn_id)))
    return out


def _question_closed(t: Transcript, question_id: str) -> bool:
    """Whether the session moved past ``question_id`` (a later question or round began)."""
    seen = False
    for turn in t.turns:
        if turn.kind == "question" and turn.question_id == question_id:
            seen = True
        elif seen and turn.kind in ("question", "round-intro", "closing"):
            return True
    return False


def round_scores(t: Transcript) -> tuple[dict[str, float], float | None]:
    """Mean score per round, and overall, over every question asked: an answered one
    counts its effective score (mentor overrides win), a skipped or unanswered one counts
    ``UNANSWERED_SCORE``; a question still open in an in-progress session does not count yet."""
    per_round: dict[str, list[float]] = {}
    all_scores: list[float] = []
    for outcome in question_outcomes(t):
        if outcome.score is None:
            continue
        per_round.setdefault(outcome.round or "?", []).append(outcome.score)
        all_scores.append(outcome.score)
    means = {r: round(sum(v) / len(v), 2) for r, v in per_round.items()}
    overall = round(sum(all_scores) / len(all_scores), 2) if all_scores else None
    return means, overall


@dataclass
class SessionSummary:
    id: str
    path: Path
    created: datetime | None = None
    updated: datetime | None = None
    rounds: list[str] = field(default_factory=list)
    model: str = ""
    grader: str = ""
    status: str = ""
    answers: int = 0
    round_scores: dict[str, float] = field(default_factory=dict)
    overall: float | None = None
    # Rounds whose score includes a mentor's override (the grader's own score differs).
    overridden_rounds: list[str] = field(default_factory=list)
    error: str | None = None  # set when the file could not be read
    pack_id: str = ""
    # The questions asked, in order, with what each scored (None: still open).
    question_scores: dict[str, float | None] = field(default_factory=dict)

    @property
    def overridden(self) -> bool:
        return bool(self.overridden_rounds)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": str(self.path),
            "created": self.created.isoformat() if self.created else None,
            "updated": self.updated.isoformat() if self.updated else None,
            "rounds": self.rounds,
            "model": self.model,
            "grader": self.grader,
            "status": self.status,
            "answers": self.answers,
            "round_scores": self.round_scores,
            "overall": self.overall,
            "overridden_rounds": self.overridden_rounds,
            "error": self.error,
        }


def overridden_rounds(t: Transcript) -> list[str]:
    """The rounds in which a mentor overrode a grade that counts toward the score."""
    overridden = {o.turn_id for o in t.review.overrides}
    out: list[str] = []
    for record in final_grades(t):
        round_id = record.round or "?"
        if record.turn_id in overridden and round_id not in out:
            out.append(round_id)
    return out


def summarize(t: Transcript, path: Path) -> SessionSummary:
    scores, overall = round_scores(t)
    return SessionSummary(
        id=t.meta.id,
        path=path,
        created=t.meta.created_at,
        updated=t.meta.updated_at,
        rounds=list(t.meta.rounds),
        model=t.meta.interviewer_model,
        grader=t.meta.grader_model,
        status=t.meta.status,
        answers=sum(1 for turn in t.turns if turn.kind == "answer"),
        round_scores=scores,
        overall=overall,
        overridden_rounds=overridden_rounds(t),
        pack_id=t.meta.pack_id,
        question_scores={o.question_id: o.score for o in question_outcomes(t)},
    )


# path -> ((inode, mtime_ns, size), summary): the history screen re-lists often; unchanged
# files are not parsed again. Every save replaces the file, so its stamp changes.
_SUMMARY_CACHE: dict[Path, tuple[tuple[int, int, int], SessionSummary]] = {}


def list_sessions(directory: Path | None = None) -> list[SessionSummary]:
    """Every transcript in the sessions dir, oldest first; unreadable files are listed
    with ``error`` set rather than hidden or crashing the listing."""
    root = Path(directory) if directory is not None else sessions_dir()
    if not root.is_dir():
        return []
    clean_stale_temps(root)  # every start lists the sessions: history, the TUI, --resume
    out: list[SessionSummary] = []
    for path in sorted(root.glob(f"*{SUFFIX}")):
        if path.name.startswith("."):
            continue
        try:
            st = path.stat()
        except OSError:
            continue  # deleted while listing
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)  # each save is a new file (new inode)
        cached = _SUMMARY_CACHE.get(path)
        if cached is not None and cached[0] == stamp:
            out.append(cached[1])
            continue
        try:
            summary = summarize(load_transcript(path), path)
        except TranscriptError as exc:
            summary = SessionSummary(id=path.stem, path=path, error=str(exc))
        except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
            # A file that loads but cannot be summed up is one unreadable row, never the
            # end of the listing (history, the TUI's start and --resume all list).
            reason = f"{path}: cannot summarise ({type(exc).__name__}: {exc})".splitlines()[0]
            summary = SessionSummary(id=path.stem, path=path, error=reason)
        _SUMMARY_CACHE[path] = (stamp, summary)
        out.append(summary)
    out.sort(key=lambda s: (s.created is None, s.created or datetime.min, s.id))
    return out

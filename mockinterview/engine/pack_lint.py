"""Rubric pack checks: the service behind ``mockinterview rubrics lint`` and ``rubrics list``.

``lint_pack`` validates one pack directory and returns every problem with its file and
location (loading errors, and examples the offline grader gets wrong), and warnings for
content the offline grader will handle badly: a phrase with no words to match, or a
reference answer that its own key points do not recognise. ``pack_summary`` describes a
pack for listing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockinterview import files
from mockinterview.domain.pack import RolePack
from mockinterview.errors import OneLineError
from mockinterview.grading import grade_answer
from mockinterview.grading.matching import compile_phrase
from mockinterview.grading.pack_check import example_problems, pack_warnings
from mockinterview.packs.loader import MAX_PACK_FILE_BYTES, PackLoadError, load_pack_dir
from mockinterview.resources import pack_dirs, rubrics_dir

# A reference answer graded below this by its own key points deserves a look.
REFERENCE_SELF_SCORE_WARNING = 3.5


@dataclass
class LintFinding:
    pack: str
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.pack}/{self.file}" if self.file else self.pack
        if self.location:
            where += f": {self.location}"
        return f"{where}: {self.message}"


def find_pack_dirs(path: str | None) -> list[Path]:
    """The pack directory at ``path``, or every pack under it (default: the bundled packs)."""
    root = Path(path) if path is not None else rubrics_dir()
    if not root.exists():
        raise OneLineError(f"{root}: no such directory")
    if not root.is_dir():
        raise OneLineError(f"{root}: not a directory (expected a pack directory with pack.toml)")
    if (root / "pack.toml").exists() or (root / "pack.toml").is_symlink():
        return [root]  # even when it cannot be read: the lint says why
    found = pack_dirs(root)
    if not found:
        raise OneLineError(f"{root}: no rubric pack here (no pack.toml in it or in its subdirectories)")
    return found


def _question_locations(pack_dir: Path) -> dict[str, tuple[str, str]]:
    """question id -> (file, "questions[i]"), read straight from the TOML files."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted((pack_dir / "questions").glob("*.toml")):
        try:
            data = tomllib.loads(files.read_text(path, MAX_PACK_FILE_BYTES))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        items = data.get("questions")
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                out.setdefault(item["id"], (path.relative_to(pack_dir).as_posix(), f"questions[{i}]"))
    return out


def _grader_warnings(pack: RolePack, pack_dir: Path) -> list[LintFinding]:
    name = pack_dir.name
    warnings = [LintFinding(name, w.file, w.location, w.message) for w in pack_warnings(pack)]

    def unmatchable(file: str, location: str, phrases: list[str]) -> list[LintFinding]:
        return [
            LintFinding(name, file, f"{location}[{j}]", "phrase has no words to match")
            for j, phrase in enumerate(phrases)
            if compile_phrase(phrase) is None
        ]

    locations = _question_locations(pack_dir)
    for q in pack.questions:
        file, loc = locations.get(q.id, ("questions/", f"question {q.id}"))
        for k, kp in enumerate(q.key_points):
            for field in ("expressions", "misconceptions"):
                warnings += unmatchable(file, f"{loc}.key_points[{k}].{field}", getattr(kp, field))
        grade = grade_answer(q.reference_answer, q, pack)
        if grade.score < REFERENCE_SELF_SCORE_WARNING:
            missed = ", ".join(kp.id for kp in grade.missed) or "none"
            warnings.append(
                LintFinding(
                    name,
                    file,
                    f"{loc}.reference_answer",
                    f"the offline grader scores the reference answer {grade.score} (missed key points: {missed}); "
                    "add expressions the reference actually uses",
                )
            )
    return warnings


def lint_pack(pack_dir: Path) -> tuple[list[LintFinding], list[LintFinding], RolePack | None]:
    """(problems, warnings, pack or None) for one pack directory."""
    try:
        pack = load_pack_dir(pack_dir)
    except PackLoadError as exc:
        problems = [LintFinding(pack_dir.name, p.file, p.location, p.message) for p in exc.problems]
        return problems or [LintFinding(pack_dir.name, "", "", "cannot be loaded")], [], None
    # Every example runs: one the grader gets wrong is a broken promise, so an error.
    problems = [LintFinding(pack_dir.name, p.file, p.location, p.message) for p in example_problems(pack)]
    return problems, _grader_warnings(pack, pack_dir), pack


def pack_summary(pack_dir: Path) -> dict[str, Any]:
    """Id, name, version, content hash, rounds with question counts (or ``error``)."""
    try:
        pack = load_pack_dir(pack_dir)
    except PackLoadError as exc:
        return {
            "id": pack_dir.name,
            "path": str(pack_dir),
            "error": f"{len(exc.problems)} problem(s); run lint",
        }
    rounds = [
        {
            "id": r.id,
            "title": r.title,
            "questions": len(pack.questions_for(r.id)),
            "question_ids": [q.id for q in pack.questions_for(r.id)],
            "default_questions": r.default_questions,
        }
        for r in pack.meta.rounds
    ]
    return {
        "id": pack.id,
        "name": pack.meta.name,
        "path": str(pack_dir),
        "version": pack.version,
        "content_hash": pack.content_hash,
        "questions": len(pack.questions),
        "mistakes": len(pack.mistakes),
        "rounds": rounds,
    }

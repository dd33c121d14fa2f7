"""Load and validate role packs from ``rubrics/<role>/``.

Layout of a pack directory::

    pack.toml            PackMeta: id, name, version, description, role_summary, [[rounds]]
    mistakes.toml        [[mistakes]] entries (the common-mistake list)
    questions/*.toml     [[questions]] entries, any number of files

Every problem is reported with its file and location (``questions/basic.toml:
questions[3].key_points[0].expressions: Field required``), all at once, so a mentor
can fix a pack in one pass.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mockinterview import files
from mockinterview.domain.ids import is_safe_id
from mockinterview.domain.pack import Mistake, PackLexicon, PackMeta, Question, RolePack
from mockinterview.domain.rounds import DEFAULT_PACK_ID  # noqa: F401  (re-exported)
from mockinterview.resources import pack_dirs, rubrics_dir  # noqa: F401  (pack_dirs: re-exported)

MAX_PACK_FILE_BYTES = 2_000_000


@dataclass
class PackProblem:
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.location}" if self.location else self.file
        return f"{where}: {self.message}"


@dataclass
class PackLoadError(Exception):
    pack_dir: Path
    problems: list[PackProblem] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"rubric pack {self.pack_dir} has {len(self.problems)} problem(s)"
        return head + "".join(f"\n  {p}" for p in self.problems)

    def one_line(self) -> str:
        """The first problem and how many more: what a command prints before it exits."""
        first = str(self.problems[0]) if self.problems else "cannot be loaded"
        more = len(self.problems) - 1
        hint = f" (+{more} more; run `mockinterview rubrics lint`)" if more > 0 else ""
        return f"rubric pack {self.pack_dir}: {first}{hint}"


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _read_toml(path: Path, rel: str, problems: list[PackProblem]) -> dict[str, Any] | None:
    try:
        raw = files.read_bytes(path, MAX_PACK_FILE_BYTES)  # a FIFO or /dev/zero is refused, not read
    except files.FileTooLarge as exc:
        problems.append(PackProblem(rel, "", f"file is too large ({exc.size} bytes)"))
        return None
    except OSError as exc:
        problems.append(PackProblem(rel, "", f"cannot read file: {exc.strerror or exc}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(PackProblem(rel, f"byte {exc.start}", "file is not valid UTF-8"))
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(PackProblem(rel, "", f"invalid TOML: {exc}"))
        return None


def _validate_list(
    data: dict[str, Any], key: str, model: type, rel: str, problems: list[PackProblem]
) -> list[Any]:
    items = data.get(key, [])
    if not isinstance(items, list):
        problems.append(PackProblem(rel, key, f"must be an array of tables ([[{key}]])"))
        return []
    extra = sorted(set(data) - {key})
    if extra:
        problems.append(PackProblem(rel, extra[0], f"unexpected top-level key (expected only [[{key}]])"))
    out = []
    for i, item in enumerate(items):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(PackProblem(rel, _loc((key, i, *err["loc"])), err["msg"]))
    return out


def _undeclared_rounds(data: dict[str, Any], meta: PackMeta, rel: str) -> list[PackProblem]:
    """Questions whose round pack.toml does not declare (found even in a question that
    fails validation for another reason, so every problem is reported at once)."""
    declared = [r.id for r in meta.rounds]
    items = data.get("questions")
    out = []
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and isinstance(item.get("round"), str) and item["round"] not in declared:
            out.append(
                PackProblem(
                    rel,
                    f"questions[{i}].round",
                    f"round {item['round']!r} is not declared in pack.toml (rounds: {', '.join(declared)})",
                )
            )
    return out


def content_hash(pack_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in pack_dir.rglob("*.toml") if p.is_file()):
        digest.update(path.relative_to(pack_dir).as_posix().encode())
        digest.update(b"\0")
        try:
            digest.update(files.read_bytes(path, MAX_PACK_FILE_BYTES))
        except OSError as exc:  # hashed as its error: never read past the cap
            digest.update(f"unreadable: {exc.strerror or exc}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


def load_pack_dir(pack_dir: Path) -> RolePack:
    """Load one pack directory; raise PackLoadError listing every problem."""
    pack_dir = Path(pack_dir)
    problems: list[PackProblem] = []
    if not pack_dir.is_dir():
        raise PackLoadError(pack_dir, [PackProblem(str(pack_dir), "", "not a directory")])

    meta = None
    meta_data = _read_toml(pack_dir / "pack.toml", "pack.toml", problems)
    if meta_data is not None:
        try:
            meta = PackMeta.model_validate(meta_data)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(PackProblem("pack.toml", _loc(err["loc"]), err["msg"]))

    mistakes: list[Mistake] = []
    mistakes_data = _read_toml(pack_dir / "mistakes.toml", "mistakes.toml", problems)
    if mistakes_data is not None:
        mistakes = _validate_list(mistakes_data, "mistakes", Mistake, "mistakes.toml", problems)

    questions: list[Question] = []
    question_files = sorted((pack_dir / "questions").glob("*.toml"))
    if not question_files:
        problems.append(PackProblem("questions/", "", "no question files (questions/*.toml)"))
    for path in question_files:
        rel = path.relative_to(pack_dir).as_posix()
        data = _read_toml(path, rel, problems)
        if data is not None:
            questions.extend(_validate_list(data, "questions", Question, rel, problems))
            if meta is not None:
                problems += _undeclared_rounds(data, meta, rel)

    lexicon = PackLexicon()
    lexicon_file = pack_dir / "lexicon.toml"
    if lexicon_file.exists() or lexicon_file.is_symlink():  # optional; when there, it must be readable
        lexicon_data = _read_toml(pack_dir / "lexicon.toml", "lexicon.toml", problems)
        if lexicon_data is not None:
            try:
                lexicon = PackLexicon.model_validate(lexicon_data)
            except ValidationError as exc:
                for err in exc.errors():
                    problems.append(PackProblem("lexicon.toml", _loc(err["loc"]), err["msg"]))

    if problems or meta is None:
        raise PackLoadError(pack_dir, problems)
    try:
        return RolePack(
            meta=meta,
            mistakes=mistakes,
            questions=questions,
            lexicon=lexicon,
            content_hash=content_hash(pack_dir),
        )
    except ValidationError as exc:
        for err in exc.errors():
            for msg in str(err["msg"]).removeprefix("Value error, ").split("; "):
                problems.append(PackProblem("(pack)", _loc(err["loc"]), msg))
        raise PackLoadError(pack_dir, problems) from None


def resolve_pack_dir(pack: str | Path | None) -> Path:
    """A pack id (``data-scientist``) or a path to a pack directory."""
    if pack is None:
        pack = DEFAULT_PACK_ID
    candidate = Path(pack)
    if candidate.is_dir():
        return candidate
    # Only an id names a bundled pack: "../x" or "/x" must not reach past rubrics/.
    bundled = rubrics_dir() / str(pack) if is_safe_id(str(pack)) else None
    if bundled is not None and bundled.is_dir():
        return bundled
    raise PackLoadError(
        candidate, [PackProblem(str(pack), "", "no such rubric pack (not a pack id or directory)")]
    )


@lru_cache(maxsize=8)
def _load_cached(path: str, stamp: tuple[tuple[str, float, int], ...]) -> RolePack:
    return load_pack_dir(Path(path))


def load_pack(pack: str | Path | None = None) -> RolePack:
    """Load a pack by id or directory; cached until one of its files changes."""
    pack_dir = resolve_pack_dir(pack).resolve()
    stamp = tuple(
        (p.as_posix(), p.stat().st_mtime, p.stat().st_size) for p in sorted(pack_dir.rglob("*.toml"))
    )
    return _load_cached(str(pack_dir), stamp)


COMMON_DIR = "common"  # rubrics/common: language data every pack shares (not a pack itself)


@lru_cache(maxsize=8)
def _load_common_cached(name: str, model: type, path: str, stamp: tuple[float, int]) -> Any:
    problems: list[PackProblem] = []
    rel = f"{COMMON_DIR}/{name}.toml"
    data = _read_toml(Path(path), rel, problems)
    if data is not None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(PackProblem(rel, _loc(err["loc"]), err["msg"]))
    raise PackLoadError(Path(path).parent, problems)


def load_common(name: str, model: type) -> Any:
    """``rubrics/common/<name>.toml`` validated by ``model``; read once per process (the
    grader asks for it on every answer, and the shared language data does not change
    while a process runs)."""
    hit = _COMMON.get((name, model))
    if hit is not None:
        return hit
    path = rubrics_dir() / COMMON_DIR / f"{name}.toml"
    try:
        st = path.stat()
    except OSError as exc:
        raise PackLoadError(path.parent, [PackProblem(f"{COMMON_DIR}/{name}.toml", "", str(exc.strerror))]) from None
    loaded = _load_common_cached(name, model, str(path), (st.st_mtime, st.st_size))
    _COMMON[(name, model)] = loaded
    return loaded


_COMMON: dict[tuple[str, type], Any] = {}

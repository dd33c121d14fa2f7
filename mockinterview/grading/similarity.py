"""TF-IDF cosine similarity over stemmed content words (stdlib only).

Used to match a free-text question to the bank and to tell whether an answer is about
the question at all.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    if dot == 0.0:
        return 0.0
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb)


def bag_cosine(a: Iterable[str], b: Iterable[str]) -> float:
    """Plain bag-of-words cosine (raw counts)."""
    return cosine(dict(Counter(a)), dict(Counter(b)))


class TfidfIndex:
    """A small in-memory index of documents given as stem lists.

    Vectors are stored unit-length, so similarity with an indexed document is one sparse
    dot product.
    """

    def __init__(self, docs: list[list[str]] | list[tuple[str, ...]]) -> None:
        n = len(docs)
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        # Smoothed idf: a term in every document still weighs a little.
        self.idf = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
        self.default_idf = math.log(n + 1) + 1.0
        self.vectors = [self.unit_vector(doc) for doc in docs]

    def vector(self, stems: Iterable[str]) -> dict[str, float]:
        tf = Counter(stems)
        return {t: (1.0 + math.log(c)) * self.idf.get(t, self.default_idf) for t, c in tf.items()}

    def unit_vector(self, stems: Iterable[str]) -> dict[str, float]:
        v = self.vector(stems)
        norm = math.sqrt(sum(w * w for w in v.values()))
        return {t: w / norm for t, w in v.items()} if norm else {}

    def similarity(self, stems: Iterable[str], unit: dict[str, float]) -> float:
        """Cosine between a stem list and an already unit-length vector."""
        return _dot(self.unit_vector(stems), unit)

    def similarity_to(self, unit_a: dict[str, float], unit_b: dict[str, float]) -> float:
        """Cosine between two unit-length vectors."""
        return _dot(unit_a, unit_b)

    def ranked(self, stems: Iterable[str]) -> list[tuple[int, float]]:
        q = self.unit_vector(stems)
        scores = [(i, _dot(q, v)) for i, v in enumerate(self.vectors)]
        return sorted(scores, key=lambda p: (-p[1], p[0]))


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())

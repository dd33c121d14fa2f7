"""Question matching: top-1 accuracy, false-match rate and speed of each matcher.

    python bench/question_matching.py [--split heldout|tune|all] [--show-errors]

Runs on tests/data/question_paraphrases.jsonl: paraphrases of every bank question (a
paraphrase counts as right only when it matches its own question) and questions outside the
bank (any match is a false match). Matchers, in one run:

- ``tfidf-old``: the matcher before question_match.py (TF-IDF cosine of the question against
  its text x2, topic and key point texts; threshold 0.3), rebuilt here as the baseline;
- ``tfidf``: the default matcher (grading/question_match.py);
- ``semantic``: the embedding matcher, when ``mockinterview[semantic]`` is installed.

Speed is matches per second on distinct question texts with the per-text cache bypassed
(the bank's matcher is built before timing; its build time is printed on its own). Thresholds
were tuned on the ``tune`` split only; ``heldout`` is the measurement.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "question_paraphrases.jsonl"


def load_rows(split: str) -> list[dict]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows if split == "all" else [r for r in rows if r["split"] == split]


class OldTfidf:
    """The pre-v2 matcher: cosine against question text (twice), topic and key point texts."""

    name = "tfidf-old"
    threshold = 0.3

    def __init__(self, pack) -> None:
        from mockinterview.grading.similarity import TfidfIndex
        from mockinterview.grading.text import content_stems

        self._stems = content_stems
        self.questions = list(pack.questions)
        self.index = TfidfIndex(
            [
                content_stems(" ".join([q.text, q.text, q.topic, *(kp.text for kp in q.key_points)]))
                for q in self.questions
            ]
        )

    def match(self, text: str) -> str | None:
        stems = self._stems(text)
        if not stems:
            return None
        best, sim = self.index.ranked(stems)[0]
        return self.questions[best].id if round(sim, 3) >= self.threshold else None


class Current:
    def __init__(self, pack, name: str) -> None:
        from mockinterview.grading.question_match import _rank, matcher_for

        self.name = name
        self._rank = _rank
        self.matcher = matcher_for(pack, name)

    def match(self, text: str) -> str | None:
        found = self._rank(self.matcher, text)  # uncached: speed is measured per distinct text
        return found.question.id if found.question else None


def measure(m, rows: list[dict], show_errors: bool) -> dict:
    right = positives = false = negatives = 0
    t0 = time.perf_counter()
    got = [m.match(r["question"]) for r in rows]
    dt = time.perf_counter() - t0
    for r, g in zip(rows, got, strict=True):
        if r["expected"]:
            positives += 1
            right += g == r["expected"]
            if show_errors and g != r["expected"]:
                print(f"    miss  {r['id']:45s} -> {g}")
        else:
            negatives += 1
            false += g is not None
            if show_errors and g is not None:
                print(f"    false {r['id']:45s} -> {g}  ({r['question']})")
    return {
        "accuracy": right / positives if positives else float("nan"),
        "right": right,
        "positives": positives,
        "false_rate": false / negatives if negatives else float("nan"),
        "false": false,
        "negatives": negatives,
        "per_s": len(rows) / dt if dt else float("inf"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("heldout", "tune", "all"), default="heldout")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()

    from mockinterview.grading import semantic
    from mockinterview.grading.question_match import TFIDF_DECISION
    from mockinterview.packs.loader import load_pack

    pack = load_pack()
    rows = load_rows(args.split)
    print(
        f"{DATA.name} split {args.split}: {sum(1 for r in rows if r['expected'])} paraphrases, "
        f"{sum(1 for r in rows if not r['expected'])} questions outside the bank; pack {pack.id} "
        f"({len(pack.questions)} questions)"
    )
    matchers = []
    t0 = time.perf_counter()
    matchers.append((OldTfidf(pack), "cosine >= 0.3", time.perf_counter() - t0))
    t0 = time.perf_counter()
    matchers.append((Current(pack, "tfidf"), _describe(TFIDF_DECISION), time.perf_counter() - t0))
    reason = semantic.unavailable_reason()
    if reason is None:
        t0 = time.perf_counter()
        current = Current(pack, "semantic")
        matchers.append((current, _describe(semantic.SEMANTIC_DECISION), time.perf_counter() - t0))
    for m, rule, build_s in matchers:
        result = measure(m, rows, args.show_errors)
        print(
            f"{m.name:10s} top-1 {result['accuracy']:.3f} ({result['right']}/{result['positives']})  "
            f"false matches {result['false_rate']:.3f} ({result['false']}/{result['negatives']})  "
            f"{result['per_s']:8.0f} matches/s  build {build_s * 1000:7.1f} ms  [{rule}]"
        )
    if reason is not None:
        print(f"semantic   not measured: {reason}")


def _describe(decision) -> str:
    return f"score >= {decision.threshold}, or >= {decision.floor} with margin >= {decision.margin}"


if __name__ == "__main__":
    main()

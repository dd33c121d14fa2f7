"""The offline grader on the public Mohler et al. (2011) short-answer benchmark.

    python bench/mohler.py [PATH] [--all]

Every student answer is graded against its question's reference answer with
``grade_free_text(answer, question, pack, reference=reference)`` - the same path as
``mockinterview grade --question ... --reference ...`` - and the scores are compared with
the human average. In the same run it computes a bag-of-words cosine baseline (answer vs
reference, raw counts of lower-cased non-stop words) and the agreement between the two
human graders, so the three figures are comparable.

The dataset has no licence and is never copied into this repository: it is read from
PATH, or $MOCKINTERVIEW_MOHLER_DIR, or ../shared/datasets/mohler2011_unt_v2.0 next to
the checkout. If it is not there, the script says so and exits 0. By default only the
2,273 answers of the published set are used (``--all`` adds the 6 excluded questions).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "mohler2011_unt_v2.0"
FLAT_CSV = "mohler2011_flat.csv"


def find_dataset(arg: str | None) -> Path | None:
    """The flat CSV from the first place given: PATH, then the variable, then the default."""
    candidate = arg or os.environ.get("MOCKINTERVIEW_MOHLER_DIR") or str(DEFAULT_DIR)
    path = Path(candidate)
    if path.is_file():
        return path
    if (path / FLAT_CSV).is_file():
        return path / FLAT_CSV
    return None


def read_rows(path: Path, include_all: bool) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    rows = list(csv.DictReader(text.splitlines()))
    return [r for r in rows if include_all or r.get("in_published_set") == "1"]


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(a: list[float], b: list[float]) -> float:
    return statistics.correlation(ranks(a), ranks(b))


def main() -> int:
    parser = argparse.ArgumentParser(description="Grade the Mohler 2011 answers and report agreement.")
    parser.add_argument("path", nargs="?", help="dataset directory or its mohler2011_flat.csv")
    parser.add_argument(
        "--all", action="store_true", help="include the 6 questions excluded from published work"
    )
    args = parser.parse_args()

    path = find_dataset(args.path)
    if path is None:
        where = args.path or os.environ.get("MOCKINTERVIEW_MOHLER_DIR") or DEFAULT_DIR
        print(f"Mohler 2011 dataset not found at {where} (no {FLAT_CSV}); nothing to measure.")
        return 0

    from mockinterview.grading import grade_free_text
    from mockinterview.grading.similarity import bag_cosine
    from mockinterview.grading.text import tokenize
    from mockinterview.packs.loader import load_pack

    rows = read_rows(path, args.all)
    if not rows:
        print(f"{path}: no rows")
        return 0
    pack = load_pack()

    def words(text: str) -> list[str]:
        return [t.text for t in tokenize(text) if t.content]

    human = [float(r["score_avg"]) for r in rows]
    scale = [float(r["raw_scale_max"]) / 5.0 for r in rows]
    grader_me = [float(r["score_me_raw"]) / s for r, s in zip(rows, scale, strict=True)]
    grader_other = [float(r["score_other_raw"]) / s for r, s in zip(rows, scale, strict=True)]

    t0 = time.process_time()
    grades = [
        grade_free_text(r["student_answer"], r["question"], pack, reference=r["reference_answer"])
        for r in rows
    ]
    cpu = time.process_time() - t0
    ours = [g.score for g in grades]
    bow = [bag_cosine(words(r["student_answer"]), words(r["reference_answer"])) for r in rows]

    flagged = sum(1 for g in grades if g.flags)
    print(f"Mohler 2011 ({path}): {len(rows)} answers, {len({r['qid'] for r in rows})} questions")
    print(f"{'':34s} {'Pearson':>8s} {'Spearman':>9s}")
    print(
        f"{'offline grader (grade_free_text)':34s} {statistics.correlation(ours, human):8.3f} {spearman(ours, human):9.3f}"
    )
    print(
        f"{'bag-of-words cosine baseline':34s} {statistics.correlation(bow, human):8.3f} {spearman(bow, human):9.3f}"
    )
    print(
        f"{'human grader 1 vs grader 2':34s} {statistics.correlation(grader_me, grader_other):8.3f} "
        f"{spearman(grader_me, grader_other):9.3f}"
    )
    mean_abs = sum(abs(a - b) for a, b in zip(ours, human, strict=True)) / len(rows)
    print(
        f"mean grader score {statistics.fmean(ours):.2f} (human {statistics.fmean(human):.2f}); "
        f"MAE {mean_abs:.2f}; answers with a flag: {flagged}; "
        f"{len(rows) / cpu if cpu > 0 else math.inf:.0f} answers per CPU-second"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

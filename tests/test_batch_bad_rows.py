"""One bad row never aborts a batch: a deeply nested JSON row, a lone surrogate (escaped or
raw), C1 and bidi characters, random JSON - each is graded or becomes an error line for that
row, and every other row is graded, with one process or several workers. The output stays
valid UTF-8 JSON lines, one per input row."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOOD = json.dumps({"id": "good", "question_id": "overfitting", "answer": "It memorises noise; use validation."})
BAD_ROWS = [
    "[" * 100_000 + "]" * 100_000,  # RecursionError in json.loads
    '{"id": "deep", "answer": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"id": "s1", "question_id": "overfitting", "answer": "lone \\ud800 surrogate"}',
    '{"id": "s2", "question": "What is \\udfff?", "answer": "\\ud800\\ud800"}',
    '{"id": "\\ud800", "question_id": "overfitting", "answer": "x"}',
    '{"id": "c1", "question": "bidi \u202e and \x9b31m", "answer": "\u2067x\u2069 \x85"}',
]
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["id", "answer", "question", "question_id"]), c, max_size=4),
    max_leaves=8,
)  # fmt: skip
surrogate_text = st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.characters(), max_size=8)
row = st.one_of(
    st.sampled_from(BAD_ROWS),
    json_value.map(json.dumps),
    st.builds(lambda a, q: json.dumps({"id": "h", "question": q or "What is overfitting?", "answer": a}), surrogate_text, surrogate_text),
)  # fmt: skip


def _run(tmp_path, lines: list[str], workers: int) -> subprocess.CompletedProcess:
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    return subprocess.run(
        [sys.executable, "-m", "mockinterview", "grade", "--batch", str(path), "--workers", str(workers)],
        capture_output=True, timeout=300,
    )  # fmt: skip


def _check(done: subprocess.CompletedProcess, lines: list[str]) -> list[dict]:
    err = done.stderr.decode("utf-8")
    assert "Traceback" not in err and "RecursionError" not in err.replace("nested too deeply", "")
    out = done.stdout.decode("utf-8")  # valid UTF-8: no raw surrogate reached the output
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len([x for x in lines if x.strip()]), "one output line per row"
    return results


def test_the_rows_that_aborted_a_batch_are_error_lines_and_the_rest_are_graded(tmp_path):
    lines = [GOOD, *BAD_ROWS, GOOD]
    for workers in (1, 2):
        done = _run(tmp_path, lines, workers)
        results = _check(done, lines)
        assert "score" in results[0] and "score" in results[-1], done.stderr.decode()
        assert "nested too deeply" in results[1]["error"]
        assert done.returncode == 1


@given(st.lists(row, min_size=5, max_size=15))
@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_any_row_mix_grades_every_good_row(tmp_path, rows):
    lines = [GOOD, *rows, GOOD]
    done = _run(tmp_path, lines, 2)
    results = _check(done, lines)
    assert "score" in results[0] and "score" in results[-1]

"""Calibration statistics on hand-checked inputs, the labelled dev set's integrity, and the
``calibrate`` command (with a stand-in grader for input handling, the real one on the dev set)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mockinterview.cli.main import main
from mockinterview.domain.grade import Grade, MistakeFinding
from mockinterview.engine import calibrate as calibrate_service
from mockinterview.grading.calibration import (
    METRIC_NAMES,
    LabelRowError,
    ScoredRow,
    UndefinedStatistic,
    average_ranks,
    build_report,
    macro_f1,
    mean_absolute_error,
    mistake_agreement,
    parse_label_line,
    pearson,
    spearman,
    within_one,
    worst_disagreements,
)
from mockinterview.packs.loader import load_pack

DEV_SET = Path(__file__).parent / "data" / "labelled_dev.jsonl"

# --------------------------------------------------------------------------- statistics


def test_average_ranks_share_tied_positions():
    assert average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    assert average_ranks([3, 1, 3, 2]) == [3.5, 1.0, 3.5, 2.0]
    assert average_ranks([5, 5, 5]) == [2.0, 2.0, 2.0]
    assert average_ranks([]) == []


def test_spearman_with_ties_matches_hand_computation():
    # ranks [1, 2.5, 2.5, 4] vs [1, 2, 3, 4]: r = 4.5 / sqrt(4.5 * 5) = sqrt(0.9)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(math.sqrt(0.9))


def test_spearman_sees_only_order_pearson_sees_linearity():
    xs, ys = [1, 2, 3, 4], [1, 4, 9, 100]
    assert spearman(xs, ys) == pytest.approx(1.0)
    assert pearson(xs, ys) < 0.9
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_pearson_matches_hand_computation():
    # dx = (-1, 0, 1), dy = (-7/3, -1/3, 8/3): r = 5 / sqrt(2 * 114/9)
    assert pearson([1, 2, 3], [2, 4, 7]) == pytest.approx(5 / math.sqrt(2 * 114 / 9))


@pytest.mark.parametrize("func", [pearson, spearman])
def test_constant_or_tiny_input_is_undefined_not_a_crash(func):
    with pytest.raises(UndefinedStatistic, match="constant"):
        func([3, 3, 3], [1, 2, 3])
    with pytest.raises(UndefinedStatistic, match="constant"):
        func([1, 2, 3], [4, 4, 4])
    with pytest.raises(UndefinedStatistic, match="two rows"):
        func([1], [2])


def test_within_one_and_mae():
    assert within_one([3.0, 4.0, 1.0], [4, 2, 1]) == pytest.approx(2 / 3)
    # 3.1 - 2.1 is 1.0000000000000002 in floating point: still within one.
    assert within_one([3.1], [2.1]) == 1.0
    assert within_one([3.2], [2.1]) == 0.0
    assert mean_absolute_error([3, 4, 1], [4, 2, 1]) == pytest.approx(1.0)
    with pytest.raises(UndefinedStatistic):
        within_one([], [])


def test_mistake_agreement_per_id_and_macro_f1():
    gold = [{"a"}, {"a", "b"}, set()]
    pred = [{"a"}, {"b"}, {"c"}]
    by_id = {m.id: m for m in mistake_agreement(gold, pred)}
    assert sorted(by_id) == ["a", "b", "c"]
    a, b, c = by_id["a"], by_id["b"], by_id["c"]
    assert (a.true_positives, a.false_positives, a.false_negatives) == (1, 0, 1)
    assert (a.precision, a.recall, a.f1) == (1.0, 0.5, pytest.approx(2 / 3))
    assert (b.precision, b.recall, b.f1) == (1.0, 1.0, 1.0)
    # Predicted but never labelled: precision 0, recall undefined, F1 0.
    assert (c.precision, c.recall, c.f1) == (0.0, None, 0.0)
    assert macro_f1(list(by_id.values())) == pytest.approx(5 / 9)
    with pytest.raises(UndefinedStatistic):
        macro_f1([])


def _row(i: int, human: float, predicted: float, answer: str = "word", **kw) -> ScoredRow:
    return ScoredRow(
        id=f"r{i}",
        question="q",
        answer=answer,
        human=human,
        predicted=predicted,
        human_mistakes=kw.get("human_mistakes", frozenset()),
        predicted_mistakes=kw.get("predicted_mistakes", frozenset()),
        tags=kw.get("tags", ()),
    )


def test_worst_disagreements_are_largest_absolute_errors_stably_ordered():
    rows = [_row(1, 5, 1), _row(2, 1, 4), _row(3, 3, 3), _row(4, 1, 5), _row(5, 2, 1)]
    assert [r.id for r in worst_disagreements(rows, 3)] == ["r1", "r4", "r2"]
    assert worst_disagreements(rows, 0) == []


def test_report_marks_undefined_figures_with_a_reason():
    rows = [_row(1, 3, 2), _row(2, 3, 4), _row(3, 3, 5)]  # human scores all 3
    report = build_report(rows)
    assert report.metrics["spearman"] is None and report.metrics["pearson"] is None
    assert "human scores are constant" in report.undefined["spearman"]
    assert report.metrics["within_one"] == pytest.approx(2 / 3)
    assert report.metrics["mistake_macro_f1"] is None  # nothing labelled or predicted
    assert set(report.to_dict()) >= set(METRIC_NAMES)


def test_report_length_baseline_and_unlabelled_rows():
    rows = [
        _row(1, 1, 2, "short", human_mistakes=frozenset({"x"}), predicted_mistakes=frozenset({"x"})),
        _row(2, 3, 1, "a bit longer answer", human_mistakes=None, predicted_mistakes=frozenset({"y"})),
        _row(3, 5, 4, "the longest answer of the three here", tags=("good",)),
    ]
    report = build_report(rows, worst=1)
    assert report.metrics["length_baseline_spearman"] == pytest.approx(1.0)
    # Row 2 carries no mistake labels, so its "y" prediction is not counted as a false positive.
    assert report.mistake_rows == 2
    assert [m.id for m in report.mistakes] == ["x"]
    assert report.metrics["mistake_macro_f1"] == 1.0
    assert report.metrics["canonical_mistake_macro_f1"] is None  # "x" is not one of the six
    assert [r.id for r in report.worst] == ["r2"]
    assert report.by_tag["good"]["rows"] == 1
    assert report.by_tag["good"]["spearman"] is None  # one row: undefined, not a crash


def test_canonical_macro_f1_ignores_pack_specific_ids():
    rows = [
        _row(1, 1, 1, human_mistakes=frozenset({"leakage-unchecked"}), predicted_mistakes=frozenset()),
        _row(
            2,
            2,
            2,
            human_mistakes=frozenset({"missing-result"}),
            predicted_mistakes=frozenset({"missing-result"}),
        ),
    ]
    metrics = build_report(rows).metrics
    assert metrics["mistake_macro_f1"] == 0.5
    assert metrics["canonical_mistake_macro_f1"] == 0.0


def test_group_summaries_by_round():
    rows = [
        ScoredRow("a", "q", "x", 1, 2, frozenset(), frozenset(), round="basic"),
        ScoredRow("b", "q", "x", 4, 3, frozenset(), frozenset(), round="basic"),
        ScoredRow("c", "q", "x", 5, 5, frozenset(), frozenset(), round="behavioral"),
    ]
    by_round = build_report(rows).by_round
    assert list(by_round) == ["basic", "behavioral"]
    assert by_round["basic"]["rows"] == 2 and by_round["basic"]["mean_absolute_error"] == 1.0
    assert by_round["basic"]["spearman"] == 1.0


# --------------------------------------------------------------------------- label rows


def test_label_rows_accept_documented_variants():
    row = parse_label_line(
        '{"id": 7, "question_id": "q1", "answer": "a", "human_score": 4, "mistakes": [{"id": "leakage-unchecked"}]}'
    )
    assert (row.id, row.score, row.mistakes) == ("7", 4.0, ["leakage-unchecked"])
    row = parse_label_line('{"question": "What is X?", "reference": "X is Y.", "answer": "a", "score": 2.5}')
    assert row.question_label == "What is X?" and row.mistakes is None
    row = parse_label_line(
        '{"question_id": "q", "answer": "", "score": 1, "rater": "ana", "tags": "hostile"}'
    )
    assert row.answer == "" and row.tags == ["hostile"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"question_id": "q", "answer": "a", "score": 6}', "score"),
        ('{"question_id": "q", "answer": "a", "score": "4"}', "score: must be a number"),
        ('{"question_id": "q", "answer": "a"}', "score"),
        ('{"answer": "a", "score": 3}', "question_id"),
        ('{"question_id": "q", "score": 3}', "answer"),
        ('{"question_id": "q", "answer": "a", "score": 3, "mistakes": "leakage"}', "mistakes"),
        ('{"question_id": "q", "answer": "a", "score": 3, "mistakes": [{"name": "x"}]}', "mistakes"),
        ("[1, 2]", "JSON object"),
        ('{"question_id": "q", "answer": ', "invalid JSON"),
    ],
)
def test_bad_label_rows_give_one_line_reasons(line, expected):
    with pytest.raises(LabelRowError) as info:
        parse_label_line(line)
    message = str(info.value)
    assert expected in message and "\n" not in message


# --------------------------------------------------------------------------- the command


def _stand_in_grader(row, pack):
    """Scores by length and flags 'AUC' as metrics-without-impact: simple enough to check by hand."""
    words = len(row.answer.split())
    mistakes = [MistakeFinding(id="metrics-without-impact", evidence="AUC")] if "AUC" in row.answer else []
    return Grade(
        question_id=row.question_id, score=min(5.0, 1.0 + words / 5), mistakes=mistakes, grader="stand-in"
    )


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(calibrate_service, "offline_row_grader", lambda: _stand_in_grader)


def _write(tmp_path: Path, rows: list[dict | str]) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


GOOD_ROWS = [
    {"id": "a", "question_id": "when-ml-is-justified", "answer": "AUC", "score": 1, "mistakes": []},
    {"id": "b", "question_id": "when-ml-is-justified", "answer": "one two three four five six", "score": 3},
    {
        "id": "c",
        "question": "What is the bias-variance trade-off?",
        "reference": "Bias comes from simple assumptions; variance from sensitivity to the sample.",
        "answer": "[bold]AUC[/] {{ config }} " + " ".join(["word"] * 20),
        "score": 2,
        "mistakes": ["metrics-without-impact"],
    },
]


def test_calibrate_file_with_stand_in_grader_computes_by_hand_figures(tmp_path):
    path = _write(tmp_path, GOOD_ROWS)
    rows = calibrate_service.parse_label_rows(path.read_bytes(), str(path))
    report = calibrate_service.calibrate(
        rows, load_pack(), source=str(path), grade_row=_stand_in_grader, worst=2
    )
    # predicted 1.2, 2.2, 5.0 vs human 1, 3, 2
    assert report.rows == 3
    assert report.metrics["within_one"] == pytest.approx(2 / 3)
    assert report.metrics["mean_absolute_error"] == pytest.approx((0.2 + 0.8 + 3.0) / 3)
    assert report.metrics["spearman"] == pytest.approx(0.5)
    # Row b has no mistake labels; a and c do: one false positive (a), one hit (c).
    (m,) = report.mistakes
    assert (m.true_positives, m.false_positives, m.false_negatives) == (1, 1, 0)
    assert report.worst[0].id == "c"


def test_text_output_shows_every_figure_and_treats_answers_as_plain_text(tmp_path, capsys, stand_in):
    assert main(["calibrate", str(_write(tmp_path, GOOD_ROWS)), "--worst", "3"]) == 0
    out = capsys.readouterr().out
    for label in (
        "Spearman",
        "Pearson",
        "Within-one",
        "Mean absolute error",
        "Length baseline",
        "macro-F1",
        "metrics-without-impact",
        "Worst 3 disagreements",
    ):
        assert label in out
    assert "[bold]AUC[/]" in out  # printed literally, not interpreted as markup


def test_the_per_tag_table_is_readable_at_80_columns(tmp_path, capsys, stand_in, monkeypatch):
    long_tag = "wrong-but-fluent-answers-with-a-long-descriptive-tag"
    rows = [{**row, "tags": [long_tag, "short"]} for row in GOOD_ROWS]
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["calibrate", str(_write(tmp_path, rows)), "--worst", "0"]) == 0
    out = capsys.readouterr().out
    by_tag = out[out.index("By tag") :]
    assert "…" not in by_tag  # no score cut to "2…"
    assert max(len(line) for line in out.splitlines()) <= 80
    assert long_tag in "".join(line.strip("│ ").split("│")[0].strip() for line in by_tag.splitlines())
    for heading in ("rows", "human", "grader", "MAE", "Spearman"):
        assert heading in by_tag


def test_json_output(tmp_path, capsys, stand_in):
    assert main(["calibrate", str(_write(tmp_path, GOOD_ROWS)), "--format", "json", "--worst", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == 3 and data["pack"] == "data-scientist"
    assert set(METRIC_NAMES) <= set(data)
    assert [w["id"] for w in data["worst"]] == ["c"]
    assert data["mistakes"][0]["id"] == "metrics-without-impact"
    assert set(data["by_round"]) == {"basic", "free-text"}


def _run_expecting_error(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return code, lines[0]


def test_missing_file_is_one_line_exit_2(tmp_path, capsys, stand_in):
    code, line = _run_expecting_error(["calibrate", str(tmp_path / "nope.jsonl")], capsys)
    assert code == 2 and "no such file" in line


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([GOOD_ROWS[0], "", '{"question_id": "q", "answer": "x", "score": 9}'], "line 3: score"),
        ([GOOD_ROWS[0], "{not json"], "line 2: invalid JSON"),
        ([GOOD_ROWS[0], {**GOOD_ROWS[1], "question_id": "no-such-question"}], "line 2: unknown question_id 'no-such-question'"),
        ([GOOD_ROWS[0], GOOD_ROWS[0]], "line 2: duplicate id 'a'"),
        ([GOOD_ROWS[0], "[" * 100_000 + "]" * 100_000], "line 2: JSON nested too deeply"),
        ([GOOD_ROWS[0], '{"id": "s", "question_id": "when-ml-is-justified", "answer": "x \\ud800 y", "score": 2}'], None),
    ],
)  # fmt: skip
def test_a_bad_row_is_an_error_line_and_the_rest_are_graded(tmp_path, capsys, stand_in, rows, expected):
    code = main(["calibrate", str(_write(tmp_path, rows)), "--format", "json"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)  # the report covers the good rows
    assert report["rows"] >= 1
    if expected is None:  # a lone surrogate is an ordinary (odd) answer: graded, printable
        assert code == 0 and report["rows"] == 2
        return
    errors = captured.err.strip().splitlines()
    assert code == 1 and len(errors) == 1 and expected in errors[0] and "Traceback" not in captured.err


def test_a_file_without_rows_is_one_line_exit_2(tmp_path, capsys, stand_in):
    code, line = _run_expecting_error(["calibrate", str(_write(tmp_path, [""]))], capsys)
    assert code == 2 and "no labelled rows" in line


def test_binary_data_names_the_line(tmp_path, capsys, stand_in):
    path = tmp_path / "bin.jsonl"
    path.write_bytes(json.dumps(GOOD_ROWS[0]).encode() + b"\n\xff\xfe\x00\x81garbage\n")
    code = main(["calibrate", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "line 2: not UTF-8" in err


def test_a_grader_crash_is_reported_against_its_row(tmp_path, capsys, monkeypatch):
    def broken(row, pack):
        if row.id == "b":
            raise RuntimeError("boom\nsecond line")
        return _stand_in_grader(row, pack)

    monkeypatch.setattr(calibrate_service, "offline_row_grader", lambda: broken)
    code = main(["calibrate", str(_write(tmp_path, GOOD_ROWS)), "--format", "json"])
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert code == 1 and len(errors) == 1
    assert "line 2: the grader failed" in errors[0] and "boom" in errors[0]
    assert json.loads(captured.out)["rows"] == len(GOOD_ROWS) - 1


def test_models_it_cannot_measure_are_refused_rather_than_silently_ignored(tmp_path, capsys, stand_in):
    code, line = _run_expecting_error(
        ["--model", "replay", "calibrate", str(_write(tmp_path, GOOD_ROWS))], capsys
    )
    assert code == 2 and "offline grader or openai:NAME" in line


def test_unknown_pack_is_one_line(tmp_path, capsys, stand_in):
    code, line = _run_expecting_error(
        ["calibrate", str(_write(tmp_path, GOOD_ROWS)), "--pack", str(tmp_path / "missing")], capsys
    )
    assert code == 2 and "no such rubric pack" in line


# --------------------------------------------------------------------------- the dev set


def _dev_rows():
    return [parse_label_line(line) for line in DEV_SET.read_text().splitlines() if line.strip()]


def test_dev_set_is_valid_against_the_bundled_pack():
    rows = _dev_rows()
    pack = load_pack()
    mistake_ids = {m.id for m in pack.mistakes}
    assert len(rows) >= 60
    assert len({r.id for r in rows}) == len(rows)
    rounds = set()
    for r in rows:
        assert r.id, "every dev row has an id"
        assert r.mistakes is not None, f"{r.id}: dev rows are all labelled for mistakes"
        assert set(r.mistakes) <= mistake_ids, f"{r.id}: unknown mistake id"
        if r.question_id:
            rounds.add(pack.question(r.question_id).round)
    assert rounds == {"basic", "technical", "advanced", "behavioral"}
    hostile = [r for r in rows if "hostile" in r.tags]
    assert len(hostile) >= 8 and all(r.score == 1 for r in hostile)
    assert any(r.reference and not r.question_id for r in rows)
    assert len({r.score for r in rows}) == 5  # the whole scale is used


def test_calibrate_runs_on_the_dev_set_with_the_real_grader(capsys):
    assert main(["calibrate", str(DEV_SET), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"] == len(_dev_rows())
    # Sanity only: these are measurements, reported by the command, not targets asserted here.
    for name in ("spearman", "pearson", "length_baseline_spearman"):
        assert data[name] is None or -1.0 <= data[name] <= 1.0
    assert 0.0 <= data["within_one"] <= 1.0
    assert 0.0 <= data["mean_absolute_error"] <= 4.0
    assert data["mistakes"] and len(data["worst"]) == 10

"""``mockinterview calibrate LABELLED.jsonl``: how well the grader agrees with human labels.

Parses the arguments, runs ``engine.calibrate`` (rows graded one at a time, with a progress
bar on a terminal; Ctrl-C reports on the rows graded so far and exits 130) and renders the
report. With
``--model openai:NAME`` bank-question rows are graded by that model through the model
grader (guards, fallback), and the report adds the grades' uncertainty: how many rows
came out "insufficient evidence", the mean agreement with the offline grader, and the
agreement with humans on the rows that had enough evidence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mockinterview.cli.common import load_pack_or_fail, open_input, whole_number
from mockinterview.cli.errors import CliError
from mockinterview.cli.grade_cmd import grading_service, report_summary
from mockinterview.cli.progress import progress
from mockinterview.domain.rounds import DEFAULT_PACK_ID
from mockinterview.terminal import json_terminal_safe, terminal_safe

if TYPE_CHECKING:
    from mockinterview.domain.pack import RolePack
    from mockinterview.grading.calibration import CalibrationReport


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calibrate",
        help="measure the grader against human-labelled answers",
        description=(
            "Grade every row of a labelled JSONL file with the offline grader and report agreement with "
            "the human labels: Spearman, Pearson, within-one accuracy, mean absolute error, the "
            "answer-length baseline, per-mistake precision/recall/F1 and the worst disagreements."
        ),
        epilog=(
            'Each line: {"id", "question_id" | "question", "reference"?, "answer", "score": 1-5 '
            '(or "human_score"), "mistakes": ["mistake-id", ...] (or [{"id": ...}]), "tags"?: [...]}. '
            "Rows without a mistakes key are left out of the mistake figures."
        ),
    )
    parser.add_argument("labelled", metavar="LABELLED.jsonl", help="one labelled answer per line")
    parser.add_argument("--pack", default=None, help=f"rubric pack id or directory (default: {DEFAULT_PACK_ID})")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    # SUPPRESS: do not overwrite a `mockinterview --model X calibrate` given before the command.
    parser.add_argument(
        "--model", default=argparse.SUPPRESS, help="grader: stub (default, offline) or openai:NAME"
    )
    parser.add_argument(
        "--worst", type=whole_number(0), default=10, metavar="N", help="list the N worst disagreements"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Here, not at the top: the grader and the statistics are not needed for `--help`.
    from mockinterview.engine.calibrate import (
        CalibrationRun,
        model_row_grader,
        offline_row_grader,
        parse_label_rows,
    )

    model = (getattr(args, "model", None) or "stub").strip()
    if model != "stub" and not model.startswith("openai:"):
        # Silently measuring the stub while the user asked for another model would mislead.
        raise CliError(f"calibrate measures the offline grader or openai:NAME, not --model {model}")
    pack = load_pack_or_fail(args.pack)
    path = Path(args.labelled)
    problems: list[str] = []  # one line per bad row: reported, the rest graded
    with open_input(path, "a JSONL file") as fh:
        rows = parse_label_rows(fh.read(), str(path), problems)
    if model == "stub":
        grade_row, closer = offline_row_grader(), None
    else:
        service = grading_service(pack, model)
        grade_row, closer = model_row_grader(service), lambda: report_summary(service.close())
    calibration = CalibrationRun(rows, pack, source=str(path), grade_row=grade_row)
    interrupted = False
    try:
        with progress(calibration.total, "grading", "rows") as advance:
            for _ in calibration.grade():
                advance(1)
    except KeyboardInterrupt:  # report on the rows graded so far
        interrupted = True
    finally:
        if closer is not None:
            closer()
    problems += calibration.problems
    for problem in problems:
        print(f"mockinterview: error: {terminal_safe(problem, one_line=True)}", file=sys.stderr)
    if interrupted and not calibration.graded:
        print("mockinterview: interrupted before any row was graded", file=sys.stderr)
        return 130
    report = calibration.report(args.worst)
    uncertainty = calibration.uncertainty() if model != "stub" else None
    if args.format == "json":
        payload = {"file": str(args.labelled), "pack": pack.id, "pack_version": pack.version, "grader": model}
        payload.update(report.to_dict())
        if uncertainty is not None:
            payload["uncertainty"] = uncertainty
        print(json_terminal_safe(json.dumps(payload, indent=2, ensure_ascii=False)))
    else:
        print_report(report, source=str(args.labelled), pack=pack, grader=model, uncertainty=uncertainty)
    if interrupted:
        print(
            f"mockinterview: interrupted after {len(calibration.graded)} of {calibration.total} rows; "
            "the report covers those",
            file=sys.stderr,
        )
        return 130
    return 1 if problems else 0


# --------------------------------------------------------------------------- text output

_METRIC_LABELS = {
    "spearman": ("Spearman (grader vs human)", "rank agreement; ties get average ranks"),
    "pearson": ("Pearson (grader vs human)", "linear agreement"),
    "within_one": ("Within-one accuracy", "share of rows with |grader − human| ≤ 1"),
    "mean_absolute_error": ("Mean absolute error", "points on the 1–5 scale"),
    "length_baseline_spearman": (
        "Length baseline Spearman",
        "answer word count vs human; beat it",
    ),
    "mistake_macro_f1": ("Mistake macro-F1", "mean F1 over mistake ids seen"),
    "canonical_mistake_macro_f1": ("Canonical mistake macro-F1", "the same over the six canonical ids"),
}


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _group_table(title: str, groups: dict[str, dict]):
    from rich.table import Table  # deferred: start-up time (every command module loads at start)
    from rich.text import Text

    table = Table(title=title, title_justify="left")
    # A long tag folds; a number never wraps or is cut (headings take two lines instead).
    table.add_column("group", overflow="fold")
    for column in ("rows", "mean\nhuman", "mean\ngrader", "max\ngrader", "MAE", "Spearman"):
        table.add_column(column, justify="right", no_wrap=True)
    for name, stats in groups.items():
        table.add_row(
            Text(terminal_safe(name, one_line=True)),
            str(stats["rows"]),
            _fmt(stats["mean_human"], 2),
            _fmt(stats["mean_predicted"], 2),
            _fmt(stats["max_predicted"], 1),
            _fmt(stats["mean_absolute_error"], 2),
            _fmt(stats["spearman"], 2),
        )
    return table


def print_report(
    report: CalibrationReport,
    *,
    source: str,
    pack: RolePack,
    grader: str = "stub",
    uncertainty: dict | None = None,
) -> None:
    # deferred: start-up time (every command module loads at start)
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    # deferred: start-up time (every command module loads at start)
    from mockinterview.cli.tables import text_console

    console = text_console()

    def ts(text: object) -> str:  # from the labelled file, the pack or a model: no raw escape
        return terminal_safe(text, one_line=True)

    who = "the offline grader" if grader == "stub" else escape(ts(grader))
    console.print(
        f"[bold]Calibration[/bold] of {who} on [cyan]{escape(ts(source))}[/cyan] "
        f"({report.rows} rows, pack {escape(ts(pack.id))} {escape(ts(pack.version))})"
    )

    summary = Table(title="Agreement with human scores", title_justify="left")
    summary.add_column("figure")
    summary.add_column("value", justify="right")
    summary.add_column("meaning", style="dim")
    for name, (label, meaning) in _METRIC_LABELS.items():
        value = report.metrics.get(name)
        shown = (
            _fmt(value)
            if value is not None
            else f"[yellow]undefined[/yellow] ({escape(ts(report.undefined.get(name, '')))})"
        )
        summary.add_row(label, shown, meaning)
    console.print(summary)

    mistakes = Table(
        title=f"Mistake detection ({report.mistake_rows} rows carry mistake labels)", title_justify="left"
    )
    mistakes.add_column("mistake", no_wrap=True, min_width=22)
    # "human": rows labelled with the mistake; "grader": rows where the grader reported it.
    for column in ("human", "grader", "hits", "precision", "recall", "F1"):
        mistakes.add_column(column, justify="right")
    for m in report.mistakes:
        mistakes.add_row(
            Text(ts(m.id)),
            str(m.labelled),
            str(m.predicted),
            str(m.true_positives),
            _fmt(m.precision, 2),
            _fmt(m.recall, 2),
            _fmt(m.f1, 2),
        )
    if not report.mistakes:
        mistakes.add_row("(none labelled or predicted)", "", "", "", "", "", "")
    console.print(mistakes)

    if uncertainty is not None:
        u = uncertainty
        table = Table(title="Uncertainty of the model grades", title_justify="left")
        table.add_column("figure")
        table.add_column("value", justify="right")
        table.add_row("insufficient evidence", f"{u['insufficient_evidence']} of {u['rows']} rows")
        table.add_row("graded offline (fallback)", f"{u['fallback']} of {u['rows']} rows")
        table.add_row("mean agreement with the offline grader", _fmt(u["mean_agreement_with_offline"], 2))
        table.add_row(
            f"Spearman on the {u['sufficient_rows']} rows with enough evidence",
            _fmt(u["spearman_sufficient"]),
        )
        table.add_row("within-one on those rows", _fmt(u["within_one_sufficient"]))
        console.print(table)

    for title, groups in (("By round", report.by_round), ("By tag", report.by_tag)):
        if groups:
            console.print(_group_table(title, groups))

    if report.worst:
        # deferred: start-up time (every command module loads at start)
        from mockinterview.grading.calibration import snippet

        worst = Table(title=f"Worst {len(report.worst)} disagreements", title_justify="left")
        worst.add_column("id", overflow="fold")
        worst.add_column("question", overflow="fold", max_width=24)
        worst.add_column("human", justify="right")
        worst.add_column("grader", justify="right")
        worst.add_column("mistakes", overflow="fold", min_width=16)
        worst.add_column("answer", ratio=1)
        for r in report.worst:
            human_m = (
                "not labelled"
                if r.human_mistakes is None
                else (", ".join(sorted(r.human_mistakes)) or "none")
            )
            pred_m = ", ".join(sorted(r.predicted_mistakes)) or "none"
            # Candidate text is data, never markup: a hostile answer may contain "[bold]" or "[/]".
            worst.add_row(
                Text(ts(r.id)),
                Text(terminal_safe(snippet(r.question, 60))),
                f"{r.human:g}",
                f"{r.predicted:g}",
                Text(f"human: {ts(human_m)}\ngrader: {ts(pred_m)}"),
                Text(terminal_safe(snippet(r.answer, 70))),
            )
        console.print(worst)

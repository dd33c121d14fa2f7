"""``mockinterview grade``: one answer (text and JSON) and --batch with bad rows."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from fake_openai_fixtures import *  # noqa: F403 - fixtures for the model-grader test
from fake_openai_fixtures import FAKE_MODEL, Reply

from mockinterview.cli.main import main

ANSWER = (
    "I'd only use ML if the pattern is too complex for rules and a model beats a simple baseline such as "
    "the current rules. We deployed a model once and did not monitor it, which I would not repeat."
)


class _Stdin(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def feed_stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(io.BytesIO(data), encoding="utf-8"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_json_for_a_bank_question_from_a_file(tmp_path, capsys):
    f = tmp_path / "answer.txt"
    f.write_text(ANSWER, encoding="utf-8")
    code, out, _ = run(
        capsys, "grade", "--question-id", "when-ml-is-justified", "--answer-file", str(f), "--format", "json"
    )
    assert code == 0
    grade = json.loads(out)
    assert grade["question_id"] == "when-ml-is-justified" and 1.0 <= grade["score"] <= 5.0
    assert grade["grader"] == "stub"
    nm = [m for m in grade["mistakes"] if m["id"] == "no-monitoring"]
    assert nm and nm[0]["evidence"] in ANSWER


def test_text_report_from_stdin_shows_the_findings_and_never_interprets_markup(monkeypatch, capsys):
    answer = ANSWER + " [bold red]not markup[/bold red] {{ 1234 * 5678 }}"
    feed_stdin(monkeypatch, answer.encode())
    code, out, _ = run(capsys, "grade", "--question-id", "when-ml-is-justified")
    assert code == 0
    assert "/ 5" in out and "Key points" in out and "Deploy and forget" in out
    assert "did not monitor it" in out and "how to fix" in out
    assert "template-syntax" in out
    assert "7006652" not in out


def test_free_text_question_reports_its_match(monkeypatch, capsys):
    feed_stdin(monkeypatch, b"Only when rules cannot capture the pattern and a baseline is beaten.")
    code, out, _ = run(
        capsys, "grade", "--question", "When does a problem really need machine learning?", "--format", "json"
    )
    assert code == 0
    grade = json.loads(out)
    assert grade["matched_question_id"] == "when-ml-is-justified" and grade["match_similarity"] >= 0.3


def test_reference_for_a_question_outside_the_bank(monkeypatch, capsys):
    feed_stdin(monkeypatch, b"Each node points to the next node.")
    code, out, _ = run(
        capsys,
        "grade",
        "--question",
        "What is a linked list?",
        "--reference",
        "A sequence of nodes, each pointing to the next node.",
        "--format",
        "json",
    )
    assert code == 0
    grade = json.loads(out)
    assert grade["matched_question_id"] is None and grade["key_points"][0]["id"] == "ref-1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["grade", "--question-id", "no-such-question", "--answer-file", "ANSWER"], "unknown question id"),
        (["grade", "--question-id", "when-ml-is-justified", "--answer-file", "missing.txt"], "no such file"),
        (["grade", "--answer-file", "ANSWER"], "say which question"),
        (
            ["grade", "--question-id", "when-ml-is-justified", "--reference", "x", "--answer-file", "ANSWER"],
            "--reference",
        ),
        (["grade", "--question-id", "when-ml-is-justified", "--answer-file", "BINARY"], "binary"),
        (
            ["grade", "--question-id", "when-ml-is-justified", "--answer-file", "ANSWER", "--pack", "nope"],
            "no such rubric pack",
        ),
        (["grade", "--batch", "missing.jsonl"], "no such file"),
        (["grade", "--batch", "ROWS", "--question-id", "when-ml-is-justified"], "--batch"),
        (
            ["grade", "--question-id", "when-ml-is-justified", "--answer-file", "ANSWER", "--model", "bogus"],
            "bogus",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ANSWER").write_text(ANSWER)
    (tmp_path / "BINARY").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "ROWS").write_text("{}\n")
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_batch_streams_rows_and_reports_bad_ones(tmp_path, capsys):
    rows = tmp_path / "rows.jsonl"
    good = [
        {"id": "a", "question_id": "when-ml-is-justified", "answer": ANSWER},
        {
            "id": 2,
            "question": "When does a problem really need machine learning?",
            "answer": "Use a baseline.",
        },
        {
            "id": "c",
            "question": "What is a linked list?",
            "answer": "Nodes.",
            "reference": "Nodes that point on.",
        },
    ]
    lines = [json.dumps(r).encode() for r in good]
    lines[1:1] = [
        b'{"id": "broken", "answer": ',  # line 2: malformed JSON
        b'{"id": "unknown", "question_id": "nope", "answer": "x"}',  # line 3
        b'{"id": "noanswer", "question_id": "when-ml-is-justified"}',  # line 4
        b"\x00\x01\x02binary\xff",  # line 5
        b'{"id": "types", "question_id": "when-ml-is-justified", "answer": 42}',  # line 6
        b"[1, 2, 3]",  # line 7
        b"",  # line 8: blank, skipped
    ]
    rows.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = run(capsys, "grade", "--batch", str(rows))
    assert code == 1
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 9
    ok = [r for r in results if "error" not in r]
    assert [r["id"] for r in ok] == ["a", 2, "c"]
    for r in ok:
        assert set(r) >= {
            "id",
            "score",
            "mistakes",
            "key_points",
            "matched_question_id",
            "match_similarity",
            "flags",
            "grader",
            "rubric_version",
        }
        assert set(r["key_points"]) == {"covered", "missed"}
        assert all(set(m) == {"id", "evidence"} for m in r["mistakes"])
    assert ok[1]["matched_question_id"] == "when-ml-is-justified"
    errors = {r["error"].split(":")[0]: r for r in results if "error" in r}
    assert set(errors) == {"line 2", "line 3", "line 4", "line 5", "line 6", "line 7"}
    assert "malformed JSON" in errors["line 2"]["error"]
    assert errors["line 3"]["id"] == "unknown" and "unknown question id" in errors["line 3"]["error"]
    assert "missing" in errors["line 4"]["error"]
    assert "binary" in errors["line 5"]["error"]
    assert '"answer" must be a string' in errors["line 6"]["error"]
    assert "JSON object" in errors["line 7"]["error"]
    assert len(err.strip().splitlines()) == 6 and all("line " in e for e in err.strip().splitlines())


def test_batch_flushes_each_row_through_the_real_entry_point(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "\n".join(
            json.dumps({"id": i, "question_id": "when-ml-is-justified", "answer": ANSWER}) for i in range(50)
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "mockinterview", "grade", "--batch", str(rows)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in out] == list(range(50))
    assert len({r["score"] for r in out}) == 1  # deterministic


def _model_argv(tmp_path) -> list[str]:
    f = tmp_path / "answer.txt"
    f.write_text(ANSWER, encoding="utf-8")
    return ["grade", "--question-id", "when-ml-is-justified", "--answer-file", str(f), "--format", "json"]


def test_model_output_that_stays_invalid_falls_back_to_the_offline_grade(
    tmp_path, capsys, openai_settings, fake_openai
):
    fake_openai.enqueue(*[Reply.invalid_json()] * 6)
    code, out, _ = run(capsys, *_model_argv(tmp_path), "--model", f"openai:{FAKE_MODEL}")
    assert code == 0
    grade = json.loads(out)
    assert grade["status"] == "fallback" and grade["fallback_reason"] and grade["score"] >= 1.0


def test_a_model_fault_grades_offline_and_says_why(tmp_path, capsys, openai_settings, fake_openai):
    fake_openai.enqueue(*[Reply.unauthorized()] * 6)
    code, out, err = run(capsys, *_model_argv(tmp_path), "--model", f"openai:{FAKE_MODEL}")
    assert code == 0
    grade = json.loads(out)
    assert grade["status"] == "fallback" and "API key was rejected (401)" in grade["fallback_reason"]
    assert "graded offline" in err and len(err.strip().splitlines()) <= 2  # the warning, the call count


def test_text_report_never_sends_terminal_control_characters(monkeypatch, capsys):
    escapes = "Clear \x1b[2J screen, copy \x1b]52;c;ZXZpbA==\x07 clipboard, \u202eevil"
    feed_stdin(monkeypatch, (escapes + " I would use regularization and cross-validation.").encode())
    code, out, _ = run(capsys, "grade", "--question-id", "overfitting")
    assert code == 0
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e]", out)
    assert "\\x1b[2J" in out  # shown escaped, so the candidate still sees what was quoted


def test_batch_skips_an_oversized_line_without_reading_it_whole(tmp_path, capsys, monkeypatch):
    from mockinterview.engine import grade

    monkeypatch.setattr(grade, "MAX_LINE_BYTES", 1000)
    good = json.dumps({"id": "ok", "question_id": "when-ml-is-justified", "answer": ANSWER})
    rows = tmp_path / "rows.jsonl"
    rows.write_text(good + "\n" + '{"id": "huge", "answer": "' + "x" * 5000 + '"}\n' + good + "\n")
    code, out, err = run(capsys, "grade", "--batch", str(rows))
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r.get("id") for r in results] == ["ok", None, "ok"]
    assert "line 2: line is longer than 1000 bytes" in results[1]["error"]


def test_a_model_grade_reports_its_calls_tokens_and_estimated_cost(
    tmp_path, capsys, openai_settings, fake_openai
):
    from mockinterview.storage.config import PriceSettings, load_settings, save_settings

    # A server that rejects json_schema, like llama-cpp-python's: two calls, one of them free.
    fake_openai.reject_json_schema = True

    def checklist(body):  # every item judged "missing"/"absent": a valid, dull checklist
        schema = body["response_format"]["schema"]["properties"]
        no = {"verdict": "absent", "quote": ""}
        return Reply.json_reply(
            {
                "key_points": {
                    k: {"verdict": "missing", "quote": ""} for k in schema["key_points"]["required"]
                },
                "mistakes": {m: no for m in schema["mistakes"]["required"]},
                "feedback": "",
            }
        )

    fake_openai.responder = checklist
    openai_settings.prices[FAKE_MODEL] = PriceSettings(input_per_mtok=1000.0, output_per_mtok=3000.0)
    save_settings(openai_settings)
    assert load_settings().prices[FAKE_MODEL].output_per_mtok == 3000.0
    code, out, err = run(capsys, *_model_argv(tmp_path), "--model", f"openai:{FAKE_MODEL}")
    assert code == 0
    asked = [r.body["response_format"] for r in fake_openai.chat_requests()]
    # json_schema, refused at once; then llama-cpp-python's json_object + schema, accepted.
    assert [f["type"] for f in asked] == ["json_schema", "json_object"] and "schema" in asked[1]
    assert json.loads(out)["status"] == "ok"
    line = next(x for x in err.splitlines() if x.startswith(f"openai:{FAKE_MODEL}:"))
    m = re.search(
        r"2 model calls · ([\d,]+) tokens \(([\d,]+) prompt \+ ([\d,]+) completion\) · est\. \$(\d+\.\d+)",
        line,
    )
    assert m, line
    total, prompt, completion = (int(g.replace(",", "")) for g in m.groups()[:3])
    assert total == prompt + completion > 0
    assert float(m.group(4)) == pytest.approx((prompt * 1000 + completion * 3000) / 1e6, abs=1e-4)

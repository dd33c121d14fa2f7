"""``mockinterview rubrics lint|list``."""

from __future__ import annotations

import json
import shutil

import pytest

from mockinterview.cli.main import main
from mockinterview.resources import rubrics_dir


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def pack_copy(tmp_path):
    target = tmp_path / "data-scientist"
    shutil.copytree(rubrics_dir() / "data-scientist", target)
    return target


def test_lint_passes_on_the_bundled_packs(capsys):
    code, out, _ = run(capsys, "rubrics", "lint")
    assert code == 0
    assert "data-scientist: ok" in out and "error:" not in out


def test_lint_reports_every_problem_with_file_and_location(pack_copy, capsys):
    mistakes = pack_copy / "mistakes.toml"
    mistakes.write_text(mistakes.read_text().replace('id = "no-monitoring"', 'id = "No Monitoring"', 1))
    (pack_copy / "questions" / "zz_broken.toml").write_text(
        '[[questions]]\nid = "broken"\nround = "lunch"\ntopic = "x"\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "rubrics", "lint", str(pack_copy))
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert any("data-scientist/mistakes.toml: mistakes[" in e and "].id:" in e for e in errors)
    assert any("questions/zz_broken.toml: questions[0].round:" in e for e in errors)
    assert any("questions/zz_broken.toml: questions[0].key_points: Field required" in e for e in errors)
    assert len(errors) >= 6


def test_lint_reports_invalid_toml_and_json_output(pack_copy, capsys):
    (pack_copy / "questions" / "zz_bad.toml").write_text("[[questions]\nid = ", encoding="utf-8")
    code, out, _ = run(capsys, "rubrics", "lint", str(pack_copy), "--format", "json")
    assert code == 1
    (report,) = json.loads(out)
    assert report["ok"] is False
    assert any(
        p["file"] == "questions/zz_bad.toml" and "invalid TOML" in p["message"] for p in report["problems"]
    )


def test_lint_warns_about_an_unmatchable_phrase_without_failing(pack_copy, capsys):
    mistakes = pack_copy / "mistakes.toml"
    mistakes.write_text(
        mistakes.read_text().replace('id = "metrics-without-impact"\n', 'id = "metrics-without-impact"\ncounter_cues = ["!!!"]\n', 1)
    )
    code, out, _ = run(capsys, "rubrics", "lint", str(pack_copy))
    assert code == 0
    assert "warning: data-scientist/mistakes.toml: mistakes[0].counter_cues[0]: phrase has no words to match" in out


def test_lint_of_a_missing_path_is_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "rubrics", "lint", str(tmp_path / "nope"))
    assert code == 2 and "no such directory" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "rubrics", "lint", str(tmp_path))
    assert code == 2 and "no rubric pack" in err


def test_list_shows_rounds_counts_version_and_hash(capsys):
    code, out, _ = run(capsys, "rubrics", "list", "--format", "json")
    assert code == 0
    (pack,) = [p for p in json.loads(out) if p["id"] == "data-scientist"]
    assert pack["version"] and len(pack["content_hash"]) == 64
    assert [r["id"] for r in pack["rounds"]] == ["basic", "technical", "advanced", "behavioral"]
    assert sum(r["questions"] for r in pack["rounds"]) == pack["questions"] > 0

    code, out, _ = run(capsys, "rubrics", "list")
    assert code == 0
    assert "data-scientist" in out and "behavioral" in out and pack["content_hash"][:16] in out


def test_list_names_every_question_id_readably_at_80_columns(capsys, monkeypatch):
    code, out, _ = run(capsys, "rubrics", "list", "--format", "json")
    (pack,) = [p for p in json.loads(out) if p["id"] == "data-scientist"]
    ids = [q for r in pack["rounds"] for q in r["question_ids"]]
    assert len(ids) == pack["questions"] and "data-leakage" in ids
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run(capsys, "rubrics", "list")
    assert code == 0 and "…" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    shown = " ".join(out.split())  # an id may wrap only after its comma
    for question_id in ids:
        assert question_id in shown, question_id
    assert "--question-id" in out


def test_lint_runs_every_example_and_an_example_the_grader_gets_wrong_is_an_error(pack_copy, capsys):
    mistakes = pack_copy / "mistakes.toml"
    text = mistakes.read_text()
    # A "positive" example that makes no mistake at all, and a "negative" one that makes it.
    text = text.replace(
        "[[mistakes.positive_examples]]\n",
        '[[mistakes.positive_examples]]\nanswer = "Shipping the model only after a four-week test against the old '
        'process, which cut churn by two points, was what mattered."\n\n[[mistakes.positive_examples]]\n',
        1,
    )
    mistakes.write_text(text)
    code, out, _ = run(capsys, "rubrics", "lint", str(pack_copy))
    assert code == 1
    assert "error: data-scientist/mistakes.toml: mistakes[0].positive_examples[0]" in out
    assert "does not find 'metrics-without-impact'" in out


def test_a_mistake_with_no_way_to_be_found_is_a_warning_and_its_examples_errors(pack_copy, capsys):
    mistakes = pack_copy / "mistakes.toml"
    story = mistakes.read_text()
    start = story.index('id = "no-ownership"')
    detectors = story.index("[[mistakes.detectors]]", start)
    after = story.index("[[mistakes.positive_examples]]", detectors)
    mistakes.write_text(story[:detectors] + story[after:])  # no detectors left for it
    code, out, _ = run(capsys, "rubrics", "lint", str(pack_copy))
    assert "'no-ownership' has no detectors and no cues: the offline grader never finds it" in out
    # its positive example can no longer pass either, which is an error
    assert code == 1 and "does not find 'no-ownership'" in out

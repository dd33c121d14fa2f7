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
        mistakes.read_text().replace('cues = [\n    "auc",', 'cues = [\n    "!!!",\n    "auc",', 1)
    )
    code, out, _ = run(capsys, "rubrics", "lint", str(pack_copy))
    assert code == 0
    assert "warning: data-scientist/mistakes.toml: mistakes[0].cues[0]: phrase has no words to match" in out


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

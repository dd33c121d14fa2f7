"""Reports: content of the Markdown and HTML exports, the export command, and the HTML
rendered by a real headless Chromium to a PNG."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess

import pytest
from tui_sample import HOSTILE, sample_transcript

from mockinterview.cli.main import main
from mockinterview.engine.review import add_comment, override_grade
from mockinterview.reports import export
from mockinterview.storage.transcripts import save_transcript

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.fixture
def reviewed():
    t = sample_transcript()
    add_comment(t, 5, "Ask about <b>leakage</b> next time")
    override_grade(t, 5, 1.5, "Missed the red flag")
    return t


def test_markdown_report_shows_scores_override_mistakes_and_comments(reviewed):
    md = export(reviewed, "md")
    assert "**Overall score: 3.0 / 5** (with mentor overrides; grader: 3.2)" in md
    # the override is shown beside the grader's score, with its reason
    assert "**Score: 1.5 / 5** (set by mentor, the grader gave 2.1: Missed the red flag)" in md
    assert "- ✅ Defines overfitting as fitting noise: “memorises noise”" in md
    assert "- ❌ Mentions early stopping or more data" in md
    assert "you said “AUC 0.99”" in md
    assert "&lt;b&gt;leakage&lt;/b&gt;" in md  # the mentor's text is not markup either
    assert "| Fundamentals | 2 | 2.5 | 2.8 |" in md
    assert "\n\n\n" not in md


def test_markdown_escapes_candidate_text(reviewed):
    md = export(reviewed, "md")
    assert "<script>" not in md
    assert r"&lt;script&gt;alert('x')&lt;/script&gt; and \*\*AUC 0.99\*\* \| done" in md


def test_reference_answers_are_folded_when_the_pack_is_installed():
    from mockinterview.packs.loader import load_pack

    pack = load_pack("data-scientist")
    question = pack.questions[0]
    t = sample_transcript()
    t.grades[0].grade.question_id = question.id
    t.grades[0].question_id = question.id
    md = export(t, "md", pack=pack)
    assert "<details><summary>Reference answer</summary>" in md
    html = export(t, "html", pack=pack)
    assert "<details><summary>Reference answer</summary>" in html


def test_html_is_self_contained_escaped_and_has_a_chart_per_round(reviewed):
    html = export(reviewed, "html")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html  # the candidate's script tag is escaped, and we ship none
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # no external assets
    assert "@import" not in html and "url(" not in html
    assert html.count('<svg class="chart"') == 3  # overall + one per round
    assert 'class="was"' in html and ">2.1<" in html  # original beside the override
    assert "Missed the red flag" in html
    assert "&lt;b&gt;leakage&lt;/b&gt;" in html


def test_model_calls_only_when_asked(reviewed):
    assert "Model calls" not in export(reviewed, "md")
    assert "| `m1` | interviewer | stub | 150 |" in export(reviewed, "md", include_model_calls=True)
    assert 'id="model-calls"' in export(reviewed, "html", include_model_calls=True)


def test_unknown_format_is_refused(reviewed):
    with pytest.raises(ValueError, match="unknown report format"):
        export(reviewed, "pdf")


def test_export_command_writes_a_private_file(tmp_path, reviewed, capsys):
    path = save_transcript(reviewed, tmp_path / "s.json")
    out = tmp_path / "out" / "report.html"
    assert main(["export", str(path), "--format", "html", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert out.stat().st_mode & 0o777 == 0o600
    assert capsys.readouterr().out.strip() == str(out)
    # by session id, to stdout
    assert main(["export", reviewed.meta.id[:8], "--format", "md"]) != 0  # not in the sessions dir
    save_transcript(reviewed)
    assert main(["export", reviewed.meta.id[:8], "--format", "md", "--model-calls"]) == 0
    assert "## Model calls" in capsys.readouterr().out


def test_export_command_bad_input_is_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.json"), "--format", "md"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mockinterview: error:") and err.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["export", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", str(bad), "--format", "pdf"])


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_report_renders_in_headless_chromium(tmp_path, reviewed):
    report = tmp_path / "report.html"
    report.write_text(export(reviewed, "html", include_model_calls=True), encoding="utf-8")
    png = tmp_path / "report.png"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}", "--window-size=1000,2400",
        report.as_uri(),
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _png_size(png) == (1000, 2400)
    # A blank page compresses to almost nothing; a rendered report does not.
    assert png.stat().st_size > 50_000
    keep = os.environ.get("MOCKINTERVIEW_SCREENSHOT_DIR")
    if keep:
        shutil.copy(png, os.path.join(keep, "report.png"))


def test_hostile_sample_really_is_hostile():
    assert "<script>" in HOSTILE  # guards the escaping tests above against a tame sample


def test_control_characters_never_reach_a_report():
    t = sample_transcript()
    evil = "ok \x1b]52;c;ZXZpbA==\x07 and \x1b[31mred\x1b[0m\x9b2J end"
    t.turns[2].text = evil
    t.grades[0].grade.key_points[0].evidence = evil
    add_comment(t, 3, evil)
    for fmt in ("md", "html"):
        out = export(t, fmt)
        assert not any(ch in out for ch in "\x1b\x07\x9b"), fmt
        assert "ZXZpbA==" in out  # the text itself is kept, only made inert

"""Every string printed from data goes through ``terminal_safe``: no terminal escape (CSI,
OSC 52, BEL, C1), no bidi override and no lone surrogate reaches the terminal from
``history``, ``replay``, ``rubrics list|lint``, ``grade``, ``calibrate`` or an error line.

The hostile strings are hypothesis-built (derandomized) and put into the fields of a real
transcript, a pack copy, a labelled file: whatever field and whatever bytes, stdout and
stderr stay free of what a terminal obeys.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mockinterview.cli.main import main
from mockinterview.resources import rubrics_dir
from mockinterview.terminal import json_terminal_safe, terminal_safe

# What a terminal obeys (or what makes the encoder raise): C0 but tab/newline, DEL, C1,
# bidi embeddings/overrides/isolates and marks, lone surrogates.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
ATTACKS = [
    "\x1b[2J\x1b[H",  # clear screen
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52 clipboard write
    "\x1b]0;pwned\x1b\\",  # window title
    "\x9b31m",  # C1 CSI
    "\r\x1b[Kforged line",
    "\u202eevil\u202c",  # right-to-left override
    "\u2067isolate\u2069",
    "\x07\x08\x7f",
    "[bold red]markup[/]",
    "[/]",
    "\ud800",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(ATTACKS), st.text(max_size=4)), min_size=1, max_size=4
).map("".join)

SETTINGS = dict(
    max_examples=6,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # each example runs whole commands: no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_safe(*outputs: str) -> None:
    for text in outputs:
        found = UNSAFE.search(text)
        assert found is None, f"raw {found.group()!r} printed: {text[max(0, found.start() - 60):found.end() + 20]!r}"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# --------------------------------------------------------------------------- the function


@given(st.text())
@settings(max_examples=300, derandomize=True)
def test_terminal_safe_leaves_nothing_a_terminal_obeys(text):
    assert_safe(terminal_safe(text))
    one = terminal_safe(text, one_line=True)
    assert_safe(one)
    assert "\n" not in one and "\t" not in one
    # Plain text is left alone.
    if not UNSAFE.search(text):
        assert terminal_safe(text) == text


@given(st.recursive(st.none() | st.text() | st.integers(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)))
@settings(max_examples=100, derandomize=True)
def test_json_terminal_safe_is_the_same_json_value(value):
    dumped = json.dumps(value, ensure_ascii=False)
    safe = json_terminal_safe(dumped)
    assert_safe(safe)
    assert json.loads(safe) == value


def test_escapes_stay_visible():
    assert terminal_safe("a\x1b[2Jb\u202ec") == "a\\x1b[2Jb\\u202ec"
    assert terminal_safe("one\ntwo\tthree", one_line=True) == "one\\ntwo\\tthree"
    assert terminal_safe("one\ntwo") == "one\ntwo"


# --------------------------------------------------------------------------- transcripts


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A real session's transcript (stub model), recorded once."""
    import os

    base = tmp_path_factory.mktemp("recorded")
    old = {k: os.environ.get(k) for k in ("MOCKINTERVIEW_DATA_DIR", "MOCKINTERVIEW_CONFIG_DIR")}
    os.environ["MOCKINTERVIEW_DATA_DIR"] = str(base / "data")
    os.environ["MOCKINTERVIEW_CONFIG_DIR"] = str(base / "config")
    try:
        answers = base / "answers.txt"
        answers.write_text(
            "Overfitting is when a model learns noise; use a validation set and regularisation.\n---\n"
            "I would check for leakage and compare with a simple baseline first.\n---\n/end\n",
            encoding="utf-8",
        )
        assert main(["interview", "--no-tui", "--answers", str(answers), "--rounds", "basic", "--questions", "2"]) == 0
        (path,) = (base / "data" / "sessions").glob("*.json")
        return json.loads(path.read_text(encoding="utf-8"))
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _string_slots(node, path=()):
    """Every string leaf of a JSON document, as a path."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _string_slots(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _string_slots(v, (*path, i))
    elif isinstance(node, str):
        yield path


def _set(doc, path, value):
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


# Fields printed by history / replay: ids, model, the grade's ids and feedback ...
PRINTED = re.compile(r"^(meta\.(id|model|pack_id|pack_version)|turns\.\d+\.(question_id|text)|"
                     r"grades\.\d+\.grade\.(feedback|grader|mistakes\.\d+\.(id|evidence)|flags\.\d+))$")


@given(data=st.data())
@settings(**SETTINGS)
def test_history_and_replay_print_no_escape_from_any_transcript_field(recorded, isolated_dirs, capsys, data):
    doc = json.loads(json.dumps(recorded))
    slots = list(_string_slots(doc))
    preferred = [p for p in slots if PRINTED.match(".".join(map(str, p)))]
    chosen = data.draw(st.lists(st.sampled_from(preferred or slots), min_size=1, max_size=3, unique=True))
    chosen += data.draw(st.lists(st.sampled_from(slots), max_size=2, unique=True))
    for path in chosen:
        _set(doc, path, data.draw(hostile_text))
    sessions = isolated_dirs["data"] / "sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    target = sessions / "20260101-000000-fuzz.json"
    target.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8", errors="surrogatepass")
    for argv in (
        ("history",),
        ("history", "--format", "json"),
        ("replay", str(target)),
        ("replay", str(target), "--format", "json"),
        ("replay", str(target), "--model", "replay"),
        ("export", str(target), "--format", "md"),
    ):
        code, out, err = run(capsys, *argv)
        assert_safe(out, err)


def test_an_error_naming_hostile_data_is_one_safe_line(tmp_path, capsys):
    name = tmp_path / "x\x1b]52;c;ZXZpbA==\x07\u202e\nfake.json"
    code, out, err = run(capsys, "replay", str(name))
    assert code != 0
    assert_safe(out, err)
    assert err.count("\n") == 1 and "\\x1b]52" in err


# --------------------------------------------------------------------------- packs, grade, calibrate


@pytest.fixture
def pack_copy(tmp_path):
    target = tmp_path / "packs" / "analytics-engineer"
    shutil.copytree(rubrics_dir() / "analytics-engineer", target)
    return target


def _toml_string(text: str) -> str:
    """A TOML basic string holding ``text`` (controls as \\u escapes, which TOML accepts)."""
    return json.dumps(text.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))


@given(evil=hostile_text)
@settings(**SETTINGS)
def test_rubrics_list_and_lint_print_no_escape_from_a_pack(pack_copy, capsys, evil):
    pack = pack_copy / "pack.toml"
    original = (rubrics_dir() / "analytics-engineer" / "pack.toml").read_text(encoding="utf-8")
    text = original.replace('name = "Analytics Engineer"', f"name = {_toml_string(evil)}", 1)
    text = text.replace('title = "SQL and warehouse modelling"', f"title = {_toml_string(evil)}", 1)
    pack.write_text(text, encoding="utf-8")
    for argv in (("rubrics", "list", str(pack_copy.parent)), ("rubrics", "list", str(pack_copy.parent), "--format", "json")):
        _, out, err = run(capsys, *argv)
        assert_safe(out, err)
    # A pack whose id is hostile does not load: the lint error names it, safely.
    pack.write_text(original.replace('id = "analytics-engineer"', f"id = {_toml_string(evil)}", 1), encoding="utf-8")
    for argv in (("rubrics", "list", str(pack_copy.parent)), ("rubrics", "lint", str(pack_copy), "--format", "json")):
        _, out, err = run(capsys, *argv)
        assert_safe(out, err)


def test_rubrics_lint_text_prints_no_escape(pack_copy, capsys):
    pack = pack_copy / "pack.toml"
    original = pack.read_text(encoding="utf-8")
    evil = "\x1b[2J\u202e\x1b]52;c;ZXZpbA==\x07"
    pack.write_text(original.replace('id = "analytics-engineer"', f"id = {_toml_string(evil)}", 1), encoding="utf-8")
    code, out, err = run(capsys, "rubrics", "lint", str(pack_copy))
    assert code == 1 and "error:" in out
    assert_safe(out, err)


@given(evil=hostile_text)
@settings(**SETTINGS)
def test_grade_prints_no_escape_from_the_question_or_answer(capsys, evil):
    for argv in (
        ("grade", "--question", f"What is overfitting? {evil}", "--answer", f"It is noise {evil}"),
        ("grade", "--question", f"What is overfitting? {evil}", "--answer", evil, "--format", "json"),
        ("grade", "--question-id", evil, "--answer", "x"),
    ):
        _, out, err = run(capsys, *argv)
        assert_safe(out, err)


@given(evil=hostile_text)
@settings(**SETTINGS)
def test_calibrate_prints_no_escape_from_a_labelled_file(tmp_path, capsys, evil):
    rows = [
        {"id": f"r{i}{evil}", "question": f"What is overfitting? {evil}", "answer": f"noise {evil} " * (i + 1),
         "score": 1 + i % 5, "tags": [f"round:{evil}"]}
        for i in range(4)
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    for argv in (("calibrate", str(path), "--worst", "4"), ("calibrate", str(path), "--format", "json")):
        _, out, err = run(capsys, *argv)
        assert_safe(out, err)

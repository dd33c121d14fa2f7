"""The Markdown export escapes everything that is not the product's own markup.

Hypothesis puts hostile Markdown and HTML (raw tags, remote images, links, autolinks, code-span
and table breakers, terminal escapes) into every field that reaches the report - the session
id, mistake ids and evidence, model-call ids, quotes, comments, overrides, feedback, turn
text - and renders the export with a real GFM renderer (markdown-it-py, tables and linkify on,
raw HTML allowed as a viewer would). The rendered page may hold only the tags the template
writes, with no attribute, no link and no image.
"""

from __future__ import annotations

import itertools
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from tui_sample import sample_transcript

from mockinterview.domain.grade import MistakeFinding
from mockinterview.domain.transcript import GradeOverride, ReviewComment
from mockinterview.reports import export

# The template's own markup, rendered.
ALLOWED = {
    "h1", "h2", "h3", "p", "strong", "em", "code", "table", "thead", "tbody", "tr", "th", "td",
    "ul", "li", "blockquote", "hr", "details", "summary", "br",
}  # fmt: skip
ATTACKS = [
    '<img src="https://evil.example/x.png">',
    "![pixel](https://evil.example/p.png)",
    "[click](javascript:alert(1))",
    "<title>pwned</title>",
    "<script>alert(1)</script>",
    "<a href='https://evil.example'>x</a>",
    "https://evil.example/login",
    "www.evil.example",
    "victim@evil.example",
    "<https://evil.example>",
    "`code` ``",
    "| a | b |",
    "\n- list\n1. item\n> quote\n=====\n",
    "[ref]: https://evil.example",
    "[ref]",
    "&lt;img src=x&gt;",
    "\x1b]52;c;ZXZpbA==\x07\u202e",
    "<!-- comment -->",
    "</details><details open>",
]
hostile = st.lists(st.one_of(st.sampled_from(ATTACKS), st.text(max_size=6)), min_size=1, max_size=4).map("".join)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        aligned = tag in ("th", "td") and attrs in ([], [("style", "text-align:right")])
        if tag not in ALLOWED or (attrs and not aligned):
            self.bad.append(f"<{tag} {attrs}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data):
        self.bad.append(f"<!--{data}-->")


def rendered_problems(md: str) -> list[str]:
    html = MarkdownIt("gfm-like", {"html": True, "linkify": True}).render(md)
    parser = Tags()
    parser.feed(html)
    return parser.bad


def hostile_transcript(values: list[str]):
    t = sample_transcript()
    v = itertools.cycle(values)
    t.meta.id = next(v)
    t.meta.pack_id = next(v)
    t.meta.interviewer_model = next(v)
    for turn in t.turns:
        turn.text = next(v)
    for record in t.grades:
        g = record.grade
        g.feedback = next(v)
        # Ids are checked where files are loaded; built in memory (model_construct), the
        # export must still escape them.
        g.mistakes = [MistakeFinding.model_construct(id=next(v), evidence=next(v), note=next(v))]
        for kp in g.key_points:
            kp.text, kp.evidence = next(v), next(v)
        g.flags = [next(v)]
    for call in t.model_calls:
        call.id, call.purpose, call.model, call.error = next(v), next(v), next(v), next(v)
    answer = next(r.turn_id for r in t.grades)
    t.review.comments.append(ReviewComment.model_construct(id="c1", turn_id=answer, author=next(v), text=next(v)))
    t.review.overrides.append(
        GradeOverride.model_construct(id="o1", turn_id=answer, score=2.0, reason=next(v) or "x", author=next(v))
    )
    return t


@given(values=st.lists(hostile, min_size=1, max_size=6))
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_markdown_export_renders_only_its_own_markup(values):
    md = export(hostile_transcript(values), "md", include_model_calls=True)
    assert rendered_problems(md) == []
    assert "://" not in md.replace("\\://", "")  # no bare URL a viewer would link
    assert "\x1b" not in md and "\u202e" not in md


def test_the_attacks_that_broke_the_markdown_export_are_escaped():
    md = export(hostile_transcript(['x` <img src="https://evil.example/x.png"> <title>pwned</title>']), "md",
                include_model_calls=True)  # fmt: skip
    assert "<img" not in md and "<title>" not in md
    assert rendered_problems(md) == []


def test_plain_ids_stay_code():
    t = sample_transcript()
    md = export(t, "md", include_model_calls=True)
    assert f"| Session | `{t.meta.id}` |" in md
    assert f"| `{t.model_calls[0].id}` |" in md

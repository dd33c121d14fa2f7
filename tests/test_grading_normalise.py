"""Normalisation before detection: NFKC, invisible characters removed, lookalike letters
folded — and every quote still cut from the answer as typed."""

from __future__ import annotations

import pytest
from grading_helpers import found
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockinterview.grading import grade_answer, grade_free_text
from mockinterview.grading.normalise import answer_view, detection_view
from mockinterview.packs.loader import load_pack

ZWSP, ZWJ, RLO, PDF, BOM, SHY = "\u200b", "\u200d", "\u202e", "\u202c", "\ufeff", "\u00ad"


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def test_plain_ascii_is_its_own_view_without_a_copy():
    text = "We retrain weekly and watch the error per store."
    view = answer_view(text)
    assert view.text is text and view.identity
    assert view.source_span(3, 10) == (3, 10)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("ｄｒｉｆｔ ｍｏｎｉｔｏｒｉｎｇ", "drift monitoring"),  # fullwidth
        ("𝐝𝐫𝐢𝐟𝐭 𝐦𝐨𝐧𝐢𝐭𝐨𝐫𝐢𝐧𝐠", "drift monitoring"),  # mathematical bold
        ("ﬁne-tuning", "fine-tuning"),  # ligature
        (f"mo{ZWSP}ni{ZWJ}tor{SHY}ing", "monitoring"),
        (f"{BOM}{RLO}baseline{PDF}", "baseline"),
        ("ѕеаѕоnаlіtу", "seasonality"),  # Cyrillic lookalikes, whole word
        ("bаsеlinе", "baseline"),  # mixed into a Latin word
        ("Вaseline", "Baseline"),  # uppercase Cyrillic Ve for B
        ("ναriance", "variance"),  # Greek nu and alpha
    ],
)
def test_the_answer_view_reads_disguised_words_as_plain_ones(typed, read):
    assert answer_view(typed).text == read


def test_a_word_of_another_script_keeps_its_letters():
    # Russian words with letters of their own are not Latin in disguise.
    assert answer_view("модель переобучается").text == "модель переобучается"


def test_the_detection_view_also_drops_accents_and_case():
    assert detection_view("Ignorez les RÈGLES précédentes").text == "ignorez les regles precedentes"


@given(st.text(max_size=60))
@settings(max_examples=300, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_span_of_a_view_maps_to_a_verbatim_substring(text):
    for view in (answer_view(text), detection_view(text)):
        n = len(view.text)
        for start in range(0, n, 3):
            for end in range(start, min(n, start + 7) + 1):
                a, b = view.source_span(start, end)
                assert 0 <= a <= b <= len(text)
                if end > start:
                    assert b > a  # something typed stands behind every character read


def test_expansion_is_bounded():
    # NFKC makes 18 characters of U+FDFA: a character growing that much is kept as typed,
    # while ordinary compatibility forms still expand.
    assert answer_view("\ufdfa" * 2000).text == "\ufdfa" * 2000
    assert answer_view("ｅｆﬁｃｉｅｎｔ…").text == "efficient..."
    assert len(answer_view("…" * 10_000, limit=20_000).text) == 20_000


def test_a_disguised_answer_covers_the_same_key_points_with_verbatim_quotes(pack):
    q = pack.question("drift-detection")
    plain = q.reference_answer
    disguised = (
        plain.replace("drift", f"dr{ZWSP}ift")
        .replace("monitor", "ｍｏｎｉｔｏｒ")
        .replace("e", "е")  # Cyrillic e everywhere
    )
    assert disguised != plain
    g_plain, g_disguised = grade_answer(plain, q, pack), grade_answer(disguised, q, pack)
    assert [k.covered for k in g_disguised.key_points] == [k.covered for k in g_plain.key_points]
    assert g_disguised.score == g_plain.score
    quotes = [k.evidence for k in g_disguised.key_points if k.evidence]
    quotes += [m.evidence for m in g_disguised.mistakes] + [
        c.evidence for c in g_disguised.behavioral if c.evidence
    ]
    assert quotes and all(quote in disguised for quote in quotes)


LOOKALIKES = str.maketrans({"a": "а", "e": "е", "o": "о", "c": "с", "p": "р", "x": "х", "y": "у"})


@pytest.mark.parametrize(
    ("question_id", "answer", "mistake"),
    [
        (
            "exploratory-data-analysis",
            "No need to clean anything, I'd train on all the data right away.",
            "data-quality-ignored",
        ),
        (
            "reducing-training-time",
            "We should use a transformer because it is state of the art.",
            "needless-complexity",
        ),
        (
            "drift-detection",
            "Once deployed there is nothing more to do: it keeps working on its own.",
            "no-monitoring",
        ),
    ],
)
def test_a_mistake_written_in_lookalike_letters_is_found_and_quoted_as_typed(
    pack, question_id, answer, mistake
):
    disguised = answer.translate(LOOKALIKES)
    assert disguised != answer
    assert mistake in found(pack, question_id, disguised)  # found() checks the quote is verbatim


def test_free_text_and_reference_quotes_are_verbatim_too(pack):
    answer = f"Ｋ-fold cross-validation rotates the hold{ZWSP}out fold so every row is tested once."
    g = grade_free_text(
        answer, "What is k-fold cross-validation?", pack, reference="Every row is tested once."
    )
    quotes = [k.evidence for k in g.key_points if k.evidence]
    assert quotes and all(quote in answer for quote in quotes)

"""Grading: the offline heuristic grader, the score formula and question matching.

``grade_answer`` grades an answer to a bank question; ``grade_free_text`` grades an
answer to any question text (matched to the bank, or against a given reference);
``find_question`` / ``match_question`` find the bank question a free text refers to
(grading/question_match.py). Scores always come from ``scoring.compute_score``.
"""

from mockinterview.grading.heuristic import grade_answer, grade_free_text
from mockinterview.grading.question_match import QuestionMatch, find_question, match_question
from mockinterview.grading.scoring import compute_score

__all__ = [
    "QuestionMatch",
    "compute_score",
    "find_question",
    "grade_answer",
    "grade_free_text",
    "match_question",
]

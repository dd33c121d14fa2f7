"""Which questions an interview asks: the session id, the seed and the question plan,
fixed when the session is created and recorded in its transcript."""

from __future__ import annotations

import random
import secrets

from mockinterview.domain.pack import RolePack, RoundId
from mockinterview.domain.transcript import utcnow
from mockinterview.engine.config import EngineError
from mockinterview.engine.sessions import QuestionMemory


def new_session_id() -> str:
    return f"{utcnow():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def new_seed() -> int:
    """A fresh question-selection seed (recorded in the transcript)."""
    return secrets.randbelow(2**31)


def plan_questions(
    pack: RolePack,
    rounds: list[RoundId],
    per_round: int | None,
    seed: int,
    memory: QuestionMemory | None = None,
) -> dict[str, list[str]]:
    """Which questions each round asks, fixed at the start: same pack, seed and memory,
    same plan.

    Without ``memory`` (or with an empty one) it is a uniform draw. With it, questions asked in the last
    ``memory.recent`` sessions come last (the longest ago first among them), and within
    each of those tiers a question is more likely the lower the candidate's mean score on
    its topic: weight ``1 + max(0, 3.5 - mean)`` (weighted sampling without replacement,
    keys ``u ** (1 / weight)``)."""
    declared = {r.id: r for r in pack.meta.rounds}
    plan: dict[str, list[str]] = {}
    for round_id in rounds:
        if round_id not in declared:
            raise EngineError(f"round {round_id!r} is not in rubric pack {pack.id!r}")
        pool = pack.questions_for(round_id)
        if not pool:
            raise EngineError(f"rubric pack {pack.id!r} has no questions for round {round_id!r}")
        wanted = per_round or declared[round_id].default_questions
        rng = random.Random(f"{seed}:{pack.id}:{round_id}")
        if memory is None or memory.empty:
            plan[round_id] = [q.id for q in rng.sample(pool, min(wanted, len(pool)))]
            continue
        keyed = [(memory.tier(q.id), -(rng.random() ** (1.0 / memory.weight(q.topic))), q.id) for q in pool]
        plan[round_id] = [qid for _, _, qid in sorted(keyed)[:wanted]]
    return plan

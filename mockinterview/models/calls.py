"""Where model calls are recorded: one ``ModelCall`` per request sent, with its reply or
error, usage, latency and estimated cost (like simonw/llm's logged responses).

A session's log (``TranscriptLog``) writes straight into its transcript's ``model_calls``
and keeps the transcript's token and cost totals; ``grade --model``, ``calibrate`` and
``replay`` keep a log of their own and report its totals. Every ``Model`` records into
exactly one log, whatever the provider, so interviewer, grader, batch grading and replay
are accounted the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from mockinterview.domain.transcript import ModelCall, TokenUsage, Transcript

Totals = Callable[[TokenUsage, float], None]


class CallLog:
    def __init__(
        self, calls: list[ModelCall] | None = None, *, on_record: Callable[[ModelCall], None] | None = None
    ) -> None:
        # The list is shared, not copied: a session passes its transcript's model_calls.
        self.calls: list[ModelCall] = calls if calls is not None else []
        self.on_record = on_record
        self._seen = len(self.calls)  # calls recorded before this log existed are not counted below
        self.usage = TokenUsage()
        self.cost_usd = 0.0
        self.recorded = 0

    def next_id(self) -> str:
        return f"call-{len(self.calls) + 1}"

    def record(self, call: ModelCall) -> ModelCall:
        self.calls.append(call)
        self.recorded += 1
        self.usage = TokenUsage(
            prompt_tokens=self.usage.prompt_tokens + call.usage.prompt_tokens,
            completion_tokens=self.usage.completion_tokens + call.usage.completion_tokens,
        )
        self.cost_usd += call.cost_usd
        if self.on_record is not None:
            self.on_record(call)
        return call

    def since(self, mark: int) -> list[ModelCall]:
        """Calls recorded after ``len(log.calls)`` was ``mark``."""
        return self.calls[mark:]

    def summary_line(self) -> str:
        """'3 model calls · 1,234 tokens (1,000 prompt + 234 completion) · est. $0.0012'."""
        n = self.recorded
        usage = self.usage
        return (
            f"{n} model call{'s' if n != 1 else ''} · {usage.total:,} tokens "
            f"({usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} completion) · est. ${self.cost_usd:.4f}"
        )

    def rejected_formats(self, model_name: str) -> dict[str, str]:
        """The structured-output modes ``model_name``'s server rejected in the calls of this
        log (mode -> the server's complaint): not to be asked again in the same session."""
        rejected: dict[str, str] = {}
        for call in self.calls:
            mode = (call.request or {}).get("structured_mode")
            if call.error_type == "UnsupportedFormat" and call.model == model_name and mode:
                rejected[mode] = call.error or ""
        return rejected


class TranscriptLog(CallLog):
    """A session's log: each call goes into the transcript's ``model_calls`` and is added
    to its running totals (``tokens``, ``estimated_cost_usd``, which survive a resume);
    ``on_totals`` hears the new totals after every call that used tokens or cost money."""

    def __init__(self, transcript: Transcript, *, on_totals: Totals | None = None) -> None:
        super().__init__(transcript.model_calls)
        self.transcript = transcript
        self.on_totals = on_totals

    def record(self, call: ModelCall) -> ModelCall:
        super().record(call)
        if call.usage.total or call.cost_usd:
            t = self.transcript
            t.tokens = TokenUsage(
                prompt_tokens=t.tokens.prompt_tokens + call.usage.prompt_tokens,
                completion_tokens=t.tokens.completion_tokens + call.usage.completion_tokens,
            )
            t.estimated_cost_usd += call.cost_usd
            if self.on_totals is not None:
                self.on_totals(t.tokens, t.estimated_cost_usd)
        return call

"""The one wrapper every provider runs behind (inspect_ai's ``Model`` around a
``ModelAPI`` is the pattern).

``Model`` owns what must be the same for every provider and every caller - the
interviewer, the grader, ``grade --model``, ``calibrate`` and ``replay``:

- retries with exponential backoff and jitter on transient faults, honouring
  ``Retry-After``, inside one bounded total time per call (the provider's ``policy``);
  a stream that dies before its first character is asked once more without streaming,
  so the server's own error (often "context length exceeded") is what the user sees;
- a limit on calls in flight at once;
- recording every request sent - reply or error, usage, latency, cost - in its
  ``CallLog`` (a session's log is its transcript);
- the structured-output ladder (``structured``), with what the endpoint rejected
  remembered for as long as this model lives;
- what the endpoint says about itself (``/v1/models``): the model name is checked once
  and a mismatch reported through ``on_notice``; a context window it names, or one a
  context-length error names, is kept in ``context_window`` for budgeting.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import time
from collections.abc import Callable
from typing import Any

from mockinterview.domain.transcript import ModelCall, utcnow
from mockinterview.models.base import (
    ChatRequest,
    ChatResponse,
    ChunkCallback,
    ContextTooLong,
    EndpointInfo,
    ModelError,
    ModelTimeout,
    Provider,
    StreamBroken,
    StreamProgress,
)
from mockinterview.models.calls import CallLog

Notice = Callable[[str], None]


class _Shared:
    """State shared by every ``Model`` bound to the same provider (``bind``)."""

    def __init__(self, provider: Provider) -> None:
        self.slots = asyncio.Semaphore(max(1, provider.policy.max_concurrency))
        self.rejected_modes: dict[str, str] = {}  # structured mode -> the server's complaint
        self.info: EndpointInfo | None = None
        self.context_window: int | None = None
        self.probe_lock = asyncio.Lock()
        self.notices: list[str] = []


class Model:
    def __init__(
        self,
        provider: Provider,
        *,
        log: CallLog | None = None,
        sleep: Callable[[float], Any] = asyncio.sleep,
        on_notice: Notice | None = None,
        _shared: _Shared | None = None,
    ) -> None:
        self.provider = provider
        self.log = log if log is not None else CallLog()
        self._sleep = sleep  # injectable so tests see the waits without taking them
        self.on_notice = on_notice
        self._shared = _shared or _Shared(provider)
        self.retries = 0  # retries across all calls, for tests and diagnostics
        self.last_waits: list[float] = []  # the waits before each retry of the latest call

    @property
    def name(self) -> str:
        return self.provider.name

    @property
    def settings(self) -> Any:
        """The provider's settings (openai models carry their endpoint's config)."""
        return getattr(self.provider, "settings", None)

    def bind(self, log: CallLog, *, on_notice: Notice | None = None) -> Model:
        """The same provider and endpoint memory, recording into ``log``. A format the
        endpoint rejected in the calls ``log`` already holds (a session resumed from its
        transcript) is remembered too: the process forgot it, the recording did not."""
        for mode, message in log.rejected_formats(self.name).items():
            self.remember_rejected(mode, message)
        return Model(
            self.provider,
            log=log,
            sleep=self._sleep,
            on_notice=on_notice or self.on_notice,
            _shared=self._shared,
        )

    async def aclose(self) -> None:
        await self.provider.aclose()

    # -- what the endpoint says -----------------------------------------------------
    @property
    def context_window(self) -> int | None:
        return self._shared.context_window

    @property
    def rejected_modes(self) -> dict[str, str]:
        return self._shared.rejected_modes

    def prompt_budget(self, max_output: int, configured: int | None = None) -> int:
        """Prompt tokens to send: the configured budget (or the provider's default),
        kept below the context window once known - with room for the reply and a tenth
        spare, because our local count (tiktoken) and the server's tokenizer differ."""
        budget = configured or getattr(self.provider, "context_budget", None) or 6000
        window = self._shared.context_window
        if window:
            budget = min(budget, int(window * 0.9) - max_output)
        return max(256, budget)

    def remember_rejected(self, mode: str, message: str) -> None:
        self._shared.rejected_modes[mode] = message

    def structured_modes(self) -> list[str]:
        """The provider's structured-output modes, minus those the endpoint rejected."""
        modes = [m for m in self.provider.structured_modes if m not in self._shared.rejected_modes]
        return modes or [self.provider.structured_modes[-1]]

    async def endpoint_info(self) -> EndpointInfo:
        shared = self._shared
        if shared.info is not None:
            return shared.info
        async with shared.probe_lock:
            if shared.info is None:
                info = await self.provider.describe()
                shared.info = info
                if info.context_window and not shared.context_window:
                    shared.context_window = info.context_window
                wanted = getattr(self.provider, "model_id", None)
                if wanted and info.models and wanted not in info.models:
                    listed = ", ".join(info.models[:5]) + (" ..." if len(info.models) > 5 else "")
                    where = getattr(self.provider, "base_url", self.name)
                    self._notice(
                        f"model '{wanted}' is not among those {where} lists ({listed}); "
                        "the server may be answering with another model - check the name"
                    )
        return shared.info

    def _notice(self, text: str) -> None:
        self._shared.notices.append(text)
        if self.on_notice is not None:
            self.on_notice(text)

    # -- calls --------------------------------------------------------------------------
    async def complete(
        self, request: ChatRequest, on_chunk: ChunkCallback | None = None, *, label: str | None = None
    ) -> ChatResponse:
        """One recorded call (retried on transient faults). ``label`` names the ladder
        step in the record. A ModelError raised here carries ``call_id``."""
        response, _ = await self.complete_recorded(request, on_chunk, label=label)
        return response

    async def complete_recorded(
        self, request: ChatRequest, on_chunk: ChunkCallback | None = None, *, label: str | None = None
    ) -> tuple[ChatResponse, ModelCall]:
        await self.endpoint_info()  # once per endpoint; also loads the client off the clock
        record = ModelCall(
            id="",
            request_hash=request.canonical_hash(self.name),
            purpose=request.purpose,
            model=self.name,
            request=request.model_dump(mode="json"),
            started_at=utcnow(),
            ladder_step=label or request.structured_mode,
        )
        t0 = time.perf_counter()
        async with self._shared.slots:
            try:
                response, attempts = await self._with_retries(request, on_chunk)
            except ModelError as exc:
                record.attempts = getattr(exc, "attempts", 1)
                record.error = exc.message.splitlines()[0] if exc.message else type(exc).__name__
                record.error_type = type(exc).__name__
                record.latency_ms = round((time.perf_counter() - t0) * 1000, 3)
                record.id = self.log.next_id()
                self.log.record(record)
                exc.call_id = record.id
                if isinstance(exc, ContextTooLong) and exc.window:
                    self._shared.context_window = min(exc.window, self._shared.context_window or exc.window)
                raise
        if label is not None or request.structured_mode is not None:
            response = response.model_copy(update={"ladder_step": label or request.structured_mode})
        record.response = response.model_dump(mode="json")
        record.usage = response.usage
        record.attempts = attempts
        record.latency_ms = round((time.perf_counter() - t0) * 1000, 3)
        record.cost_usd = self._cost(response)
        record.id = self.log.next_id()
        self.log.record(record)
        return response, record

    def _cost(self, response: ChatResponse) -> float:
        from mockinterview.models.tokens import estimate_cost

        if not response.usage.total:
            return 0.0
        return estimate_cost(response.usage, self.name, self.provider.price_table())

    async def _with_retries(
        self, request: ChatRequest, on_chunk: ChunkCallback | None
    ) -> tuple[ChatResponse, int]:
        policy = self.provider.policy
        started = time.monotonic()
        deadline = started + policy.max_total_s if policy.max_total_s is not None else None
        self.last_waits = []
        attempt = 0
        streaming = on_chunk is not None
        while True:
            progress = StreamProgress()
            try:
                if deadline is None:
                    response = await self.provider.send(request, on_chunk if streaming else None, progress)
                else:
                    async with asyncio.timeout(max(deadline - time.monotonic(), 0.001)) as budget:
                        response = await self.provider.send(
                            request, on_chunk if streaming else None, progress
                        )
            except TimeoutError:
                if deadline is None or not budget.expired():
                    raise
                where = f" (stopped after {progress.chars} characters)" if progress.chars else ""
                error = ModelTimeout(
                    f"no complete reply from {self._where()} within {policy.max_total_s:g} s{where}"
                    + _retried(attempt)
                )
                error.attempts = attempt + 1
                raise error from None
            except ModelError as error:
                if streaming and isinstance(error, StreamBroken) and not progress.chars:
                    # Nothing reached the caller: ask once more without streaming, which
                    # shows the server's real complaint (a stream cannot carry an HTTP error).
                    streaming = False
                    attempt += 1
                    self.retries += 1
                    continue
                wait = self._retry_wait(error, attempt, progress, deadline)
                if wait is None:
                    if error.retryable and attempt:
                        error.message = error.message + _retried(attempt)
                        error.args = (error.message,)
                    error.attempts = attempt + 1
                    raise error from None
                attempt += 1
                self.retries += 1
                self.last_waits.append(wait)
                await self._sleep(wait)
                continue
            if on_chunk is not None and not streaming and response.text:
                result = on_chunk(response.text)  # the whole reply at once
                if inspect.isawaitable(result):
                    await result
            response.latency_ms = round((time.monotonic() - started) * 1000, 1)
            return response, attempt + 1

    def _where(self) -> str:
        return getattr(self.provider, "base_url", None) or self.name

    def _retry_wait(
        self, error: ModelError, attempt: int, progress: StreamProgress, deadline: float | None
    ) -> float | None:
        """Seconds to wait before retrying, or None to give up now."""
        policy = self.provider.policy
        # Once text has reached the UI a silent retry would show it twice; the caller
        # (the engine's retry()) decides instead.
        if not error.retryable or attempt >= policy.max_retries or progress.chars:
            return None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            wait = retry_after
        else:
            backoff = min(policy.backoff_base_s * 2**attempt, policy.backoff_max_s)
            wait = backoff * (0.5 + random.random() / 2)  # jitter spreads clients apart
        if deadline is not None and time.monotonic() + wait >= deadline:
            if retry_after is not None:
                error.message = f"{error.message}; the server asks to wait {retry_after:g} s"
                error.args = (error.message,)
            return None
        return wait

    # -- structured output -------------------------------------------------------------
    async def structured(self, request: ChatRequest, validate):
        """The structured-output ladder for ``request`` (see models/structured.py)."""
        from mockinterview.models.structured import run_ladder

        return await run_ladder(self, request, validate)


def _retried(attempts: int) -> str:
    if not attempts:
        return ""
    return f"; retried {attempts} time" + ("" if attempts == 1 else "s")

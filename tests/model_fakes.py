"""Providers that misbehave on purpose, for engine and grader tests without HTTP.

``ScriptedProvider`` answers like the stub except where a test scripts otherwise: a
function of (request, call number) may return a ChatResponse, raise a ModelError, or
return None to let the stub answer. Wrap it in ``Model`` (or use ``scripted_model``) so
retries, recording and the structured-output ladder run exactly as for a real server.
"""

from __future__ import annotations

from collections.abc import Callable

from mockinterview.models.base import CallPolicy, ChatRequest, ChatResponse, EndpointInfo
from mockinterview.models.model import Model
from mockinterview.models.stub import StubProvider

Script = Callable[[ChatRequest, int], ChatResponse | None]


class ScriptedProvider:
    def __init__(
        self,
        script: Script,
        *,
        name: str = "stub",
        structured_modes: tuple[str, ...] = ("stub",),
        policy: CallPolicy | None = None,
    ) -> None:
        self.inner = StubProvider()
        self.script = script
        self.name = name
        self.structured_modes = structured_modes
        self.policy = policy or CallPolicy(max_retries=0, max_concurrency=8)
        self.context_budget = 6000
        self.calls = 0
        self.requests: list[ChatRequest] = []

    async def send(self, request, on_chunk, progress):
        self.calls += 1
        self.requests.append(request)
        scripted = self.script(request, self.calls)
        if scripted is not None:
            return scripted
        return await self.inner.send(request, on_chunk, progress)

    async def describe(self) -> EndpointInfo:
        return EndpointInfo()

    def price_table(self):
        return None

    async def aclose(self) -> None:
        return None


def scripted_model(script: Script, **kw) -> Model:
    return Model(ScriptedProvider(script, **kw))

"""A real, local OpenAI-compatible HTTP server for tests.

It listens on 127.0.0.1 (an ephemeral port) in a background thread and speaks enough
of the Chat Completions API for the official ``openai`` SDK: ``POST
/v1/chat/completions`` (plain JSON or server-sent events) and ``GET /v1/models``.

Each test scripts what the next requests get with ``server.enqueue(Reply...)``;
once the script is empty every request gets ``server.default_reply``. Faults are
produced the way real servers produce them (status codes and error bodies, a socket
closed mid-stream, a reply that never arrives ...), so the code under test sees
exactly what it would see in the field. Every request is recorded.

Server-wide modes reproduce what real local servers do (llama-cpp-python's, measured
with ``../shared/llm``), whatever is scripted:

- ``reject_json_schema``: ``response_format: json_schema`` gets HTTP 500 with
  llama-cpp-python's validation body ("Input should be 'text' or 'json_object'");
- ``stream_usage=False``: streams never carry a usage chunk, even when asked;
- ``accept_any_model``: any model name is answered (``/v1/models`` still lists one);
- ``context_window=N``: a prompt of more than N words (+ max_tokens) is an error - a
  400 ``context_length_exceeded`` naming N when not streamed, and a 200 stream that
  closes without a single event when streamed (what llama-cpp-python sends);
- ``honour_max_tokens``: a reply longer than the request's ``max_tokens`` (in words) is
  cut there with ``finish_reason: "length"``, as every real server does.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal


@dataclass
class Reply:
    """One scripted answer to a chat completion request."""

    text: str | None = "Hello from the fake model."
    status: int = 200
    error: dict[str, Any] | None = None  # OpenAI-style {"message", "type", "code"} for status >= 400
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the first byte
    chunk_chars: int = 8  # streaming: characters per SSE chunk
    chunk_interval_s: float = 0.0  # streaming: pause between chunks (a trickle)
    cut_after_chars: int | None = None  # streaming: stop sending after this much content
    cut_mode: Literal["reset", "eof"] = "reset"  # drop the socket, or end the body cleanly without [DONE]
    hang: bool = False  # accept the request and never answer
    stall_mid_body: bool = False  # send headers and half the JSON body, then nothing
    refusal: str | None = None
    finish_reason: str = "stop"
    usage: dict[str, int] | None = None  # None: computed from word counts
    send_usage: bool = True  # False: like local servers that never report usage

    # -- the fault modes ------------------------------------------------------
    @classmethod
    def ok(cls, text: str = "Hello from the fake model.", **kw: Any) -> Reply:
        return cls(text=text, **kw)

    @classmethod
    def json_reply(cls, obj: Any, **kw: Any) -> Reply:
        return cls(text=json.dumps(obj), **kw)

    @classmethod
    def api_error(cls, status: int, message: str, code: str | None = None, **kw: Any) -> Reply:
        kind = "server_error" if status >= 500 else "invalid_request_error"
        return cls(
            text=None,
            status=status,
            error={"message": message, "type": kind, "param": None, "code": code},
            **kw,
        )

    @classmethod
    def rate_limited(cls, retry_after: str | None = "1", code: str = "rate_limit_exceeded") -> Reply:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return cls.api_error(429, "Rate limit reached for requests", code, headers=headers)

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        return cls.api_error(status, "The server had an error while processing your request.")

    @classmethod
    def slow(cls, delay_s: float, text: str = "A slow but complete reply.") -> Reply:
        return cls(text=text, delay_s=delay_s)

    @classmethod
    def cut(cls, text: str, after_chars: int, mode: Literal["reset", "eof"] = "reset") -> Reply:
        return cls(text=text, cut_after_chars=after_chars, cut_mode=mode)

    @classmethod
    def trickle(cls, text: str, interval_s: float, chunk_chars: int = 4) -> Reply:
        return cls(text=text, chunk_interval_s=interval_s, chunk_chars=chunk_chars)

    @classmethod
    def hung(cls) -> Reply:
        return cls(hang=True)

    @classmethod
    def never_closing_body(cls, text: str = '{"key_points": [') -> Reply:
        return cls(text=text, stall_mid_body=True)

    @classmethod
    def invalid_json(cls) -> Reply:
        return cls(text="Sure! Here is my assessment: key points covered = most of them, mistakes = none.")

    @classmethod
    def truncated_json(cls, obj: Any, keep: float = 0.6) -> Reply:
        """A JSON reply that never closes: cut off by the token limit."""
        blob = json.dumps(obj)
        return cls(text=blob[: int(len(blob) * keep)], finish_reason="length")

    @classmethod
    def refused(cls, message: str = "I'm sorry, but I can't help with that request.") -> Reply:
        return cls(text=None, refusal=message)

    @classmethod
    def context_length(cls) -> Reply:
        return cls.api_error(
            400,
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9123 tokens.",
            "context_length_exceeded",
        )

    @classmethod
    def unauthorized(cls, shown_key: str = "sk-wrong") -> Reply:
        return cls.api_error(401, f"Incorrect API key provided: {shown_key}.", "invalid_api_key")

    @classmethod
    def model_not_found(cls, model: str) -> Reply:
        return cls.api_error(
            404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found"
        )

    @classmethod
    def response_format_unsupported(cls) -> Reply:
        return cls.api_error(400, "response_format json_schema is not supported by this server", None)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    at: float


class FakeOpenAIServer:
    """Start with ``start()`` (or as a context manager); ``base_url`` ends in ``/v1``."""

    def __init__(
        self, models: tuple[str, ...] = ("fake-model",), api_key: str | None = "sk-test-fake-key-000000"
    ):
        self.models = list(models)
        self.api_key = api_key  # None: accept any (or no) key, like many local servers
        # Server-wide modes (see the module docstring).
        self.reject_json_schema = False
        self.stream_usage = True
        self.accept_any_model = False
        self.context_window: int | None = None
        self.honour_max_tokens = False
        self.model_fields: dict[str, Any] = {}  # extra fields of each /v1/models entry (vLLM: max_model_len)
        # Optional: body -> Reply for requests the script does not cover (e.g. grading
        # requests, told apart by their response_format, get a checklist).
        self.responder: Any = None
        self.default_reply = Reply.ok()
        self.requests: list[RecordedRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()  # lets hung handlers finish at shutdown
        self.in_flight = 0  # chat requests being answered right now
        self.max_in_flight = 0  # the most at once, to check client-side concurrency limits
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting ---------------------------------------------------------------
    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.popleft() if self._script else replace(self.default_reply)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle -----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAIServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _words(text: str | None) -> int:
    return len((text or "").split())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streaming, as real servers do
    fake: FakeOpenAIServer
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    # -- plumbing --------------------------------------------------------------------
    def _record(self, body: dict[str, Any] | None) -> None:
        self.fake.requests.append(
            RecordedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()
            )
        )

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self) -> bool:
        expected = self.fake.api_key
        if expected is None:
            return True
        given = self.headers.get("Authorization", "")
        if given == f"Bearer {expected}":
            return True
        shown = given.removeprefix("Bearer ")
        err = Reply.unauthorized(shown).error
        self._send_json(401, {"error": err})
        return False

    # -- routes ------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._record(None)
        if not self._authorized():
            return
        if self.path.rstrip("/") == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake", **self.fake.model_fields}
                for m in self.fake.models
            ]
            self._send_json(200, {"object": "list", "data": data})
        else:
            self._send_json(
                404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}}
            )

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = None
        self._record(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_json(
                404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}}
            )
            return
        if not self._authorized():
            return
        if not isinstance(body, dict):
            self._send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            return
        model = body.get("model")
        if model not in self.fake.models and not self.fake.accept_any_model:
            self._send_json(404, {"error": Reply.model_not_found(str(model)).error})
            return
        if self._refused_by_mode(body):
            return

        with self.fake._lock:
            self.fake.in_flight += 1
            self.fake.max_in_flight = max(self.fake.max_in_flight, self.fake.in_flight)
        try:
            self._answer(body, model)
        finally:
            with self.fake._lock:
                self.fake.in_flight -= 1

    def _refused_by_mode(self, body: dict[str, Any]) -> bool:
        """Answer as the server-wide modes demand; True when that was the whole answer."""
        fmt = (body.get("response_format") or {}).get("type")
        if self.fake.reject_json_schema and fmt == "json_schema":
            message = (
                "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
                "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
                "'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n  File \"/venv/llama_cpp/server/app.py\", "
                "line 376, in create_chat_completion\n    POST /v1/chat/completions"
            )
            error = {"message": message, "type": "internal_server_error", "param": None, "code": None}
            self._send_json(500, {"error": error})
            return True
        window = self.fake.context_window
        if window is not None:
            words = sum(_words(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict))
            wanted = words + int(body.get("max_tokens") or 0)
            if wanted > window:
                if body.get("stream"):
                    # llama-cpp-python: the stream starts (200) and ends before any event.
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self._chunk(b"")
                    self.close_connection = True
                else:
                    self._send_json(
                        400,
                        {
                            "error": {
                                "message": f"This model's maximum context length is {window} tokens. However, "
                                f"you requested {wanted} tokens ({words} in the messages, "
                                f"{int(body.get('max_tokens') or 0)} in the completion).",
                                "type": "invalid_request_error",
                                "param": "messages",
                                "code": "context_length_exceeded",
                            }
                        },
                    )
                return True
        return False

    def _answer(self, body: dict[str, Any], model: str) -> None:
        reply = self.fake._next_reply() if self.fake.pending or self.fake.responder is None else None
        if reply is None:
            reply = self.fake.responder(body) or replace(self.fake.default_reply)
        if reply.hang:
            self.fake._release.wait()
            self.close_connection = True
            return
        if reply.delay_s and self.fake._release.wait(reply.delay_s):
            return  # shutting down
        if reply.status >= 400:
            self._send_json(reply.status, {"error": reply.error}, reply.headers)
            return
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if self.fake.honour_max_tokens and isinstance(limit, int) and _words(reply.text) > limit:
            words = list(re.finditer(r"\S+", reply.text or ""))
            reply = replace(reply, text=(reply.text or "")[: words[limit - 1].end()], finish_reason="length")

        prompt_tokens = sum(_words(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict))
        usage = reply.usage or {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": _words(reply.text or reply.refusal),
            "total_tokens": prompt_tokens + _words(reply.text or reply.refusal),
        }
        if body.get("stream"):
            include_usage = (
                bool((body.get("stream_options") or {}).get("include_usage"))
                and reply.send_usage
                and self.fake.stream_usage
            )
            self._stream(model, reply, usage if include_usage else None)
        else:
            self._complete(model, reply, usage if reply.send_usage else None)

    def _complete(self, model: str, reply: Reply, usage: dict[str, int] | None) -> None:
        payload = {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text, "refusal": reply.refusal},
                    "finish_reason": reply.finish_reason,
                }
            ],
        }
        if usage is not None:
            payload["usage"] = usage
        if reply.stall_mid_body:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.fake._release.wait()
            self.close_connection = True
            return
        self._send_json(200, payload, reply.headers)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _event(self, obj: Any) -> None:
        self._chunk(b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n")

    def _stream(self, model: str, reply: Reply, usage: dict[str, int] | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        try:
            self._event(chunk({"role": "assistant", "content": ""}))
            field_name = "refusal" if reply.refusal is not None else "content"
            text = reply.refusal if reply.refusal is not None else (reply.text or "")
            if reply.cut_after_chars is not None:
                text = text[: reply.cut_after_chars]
            step = max(reply.chunk_chars, 1)
            for start in range(0, len(text), step):
                self._event(chunk({field_name: text[start : start + step]}))
                if reply.chunk_interval_s and self.fake._release.wait(reply.chunk_interval_s):
                    return
            if reply.cut_after_chars is not None:
                self._cut(reply)
                return
            self._event(chunk({}, reply.finish_reason))
            if usage is not None:
                self._event({**chunk({}), "choices": [], "usage": usage})
            self._event(b"[DONE]")
            self._chunk(b"")  # the chunked-encoding terminator
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its total time ran out)

    def _cut(self, reply: Reply) -> None:
        self.close_connection = True
        if reply.cut_mode == "eof":
            self._chunk(b"")  # a well-formed end of body, but no finish_reason and no [DONE]
            return
        # Drop the connection mid-body: the client sees an incomplete chunked stream.
        self.wfile.flush()
        self.connection.shutdown(2)

"""User settings: one ``Settings`` object (pydantic-settings) from ``config.toml`` in the
user's config dir and the environment, in one precedence (see ``Settings``).

The API key is deliberately not a setting: it is read from ``OPENAI_API_KEY`` only,
is never written to the config file, a transcript or a log, and ``redact`` scrubs
its value from any text that might be shown or saved (e.g. an echoed server error).

Example ``config.toml``::

    [openai]
    base_url = "http://localhost:11434/v1"   # OPENAI_BASE_URL wins
    timeout_s = 60          # unset: 60 for a hosted API, 300 for a local server
    max_retries = 3         # unset: 3 hosted, 1 local

    [endpoints."http://localhost:8080/v1"]    # per endpoint, on top of [openai]
    context_window = 8192
    max_total_s = 600

    [prices."my-local-model"]
    input_per_mtok = 0.0
    output_per_mtok = 0.0

    [interview]
    rounds = ["basic", "technical"]
    interviewer_model = "openai:gpt-4o-mini"

    [keymap]
    "interview.submit" = "ctrl+s,f5"
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from mockinterview import files
from mockinterview.domain.pack import RoundId
from mockinterview.domain.rounds import DEFAULT_PACK_ID, ROUND_ORDER
from mockinterview.errors import OneLineError
from mockinterview.storage import paths

API_KEY_ENV = "OPENAI_API_KEY"
MAX_CONFIG_BYTES = 1_000_000  # config.toml and keymap.toml: a few hundred bytes in practice
BASE_URL_ENV = "OPENAI_BASE_URL"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
ENV_PREFIX = "MOCKINTERVIEW_"  # any setting from the environment: MOCKINTERVIEW_<SECTION>__<KEY>
KEYMAP_FILE = "keymap.toml"
# The file and environment of the load in progress (read by Settings' sources).
_LOADING: ContextVar[tuple[Path, Mapping[str, str]]] = ContextVar("mockinterview_settings_source")


class ConfigError(OneLineError):
    """The config file cannot be read or is invalid; the message names the file."""


class _Section(BaseModel):
    # Unknown keys are mistakes in the file; each field's docstring is its description.
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


StructuredMode = Literal["auto", "json_schema", "json_object_schema", "json_object", "text"]


class OpenAISettings(_Section):
    """``[openai]``: one OpenAI-compatible endpoint. ``None`` means "the default for this kind
    of endpoint": a local server (localhost, a private address, ``*.local``) on a CPU answers
    far slower than a hosted API and serves one request at a time, so it gets longer
    timeouts, fewer retries and one call in flight (``LOCAL_DEFAULTS``)."""

    base_url: str | None = None
    """The endpoint (``OPENAI_BASE_URL`` wins); None: the official API."""
    timeout_s: float | None = Field(default=None, gt=0)
    """Seconds for one HTTP request."""
    max_retries: int | None = Field(default=None, ge=0, le=10)
    """Our retries of a failed call (the SDK's own are off)."""
    max_total_s: float | None = Field(default=None, gt=0)
    """Seconds for one call including every retry and wait."""
    backoff_base_s: float | None = Field(default=None, ge=0)
    """The first retry waits about this long."""
    backoff_max_s: float | None = Field(default=None, ge=0)
    """No retry waits longer than this (a server's Retry-After aside)."""
    max_concurrency: int | None = Field(default=None, ge=1, le=64)
    """Calls in flight to this endpoint."""
    context_budget_tokens: int | None = Field(default=None, ge=256)
    """Prompt tokens sent per request; kept below the server's context window once it has told it."""
    context_window: int | None = Field(default=None, ge=512)
    """The server's context window, overriding what it says."""
    max_output_tokens: int | None = Field(default=None, ge=8)
    """An upper bound on every reply's tokens, below the per-step caps (a slow CPU server, a
    quick smoke test); None: the steps' own caps."""
    grading_concurrency: int = Field(default=4, ge=1, le=64)
    """Answers graded at once (batch grading)."""
    grading_samples: int = Field(default=1, ge=1, le=5)
    """Checklists per answer from a model grader; with more than one, their agreement is
    recorded on the grade (an uncertainty figure) and each item goes by majority."""
    structured_output: StructuredMode = "auto"
    """"auto": json_schema, then llama-cpp-python's json_object+schema, then JSON mode, then
    plain text, stepping down when the server rejects a format; or one fixed mode."""
    check_model: bool = True
    """Ask /v1/models once per session whether the model name is served (warns on a mismatch)."""

    @model_validator(mode="before")
    @classmethod
    def _drop_unused_model(cls, data: Any) -> Any:
        # ``model = "..."`` was once accepted here but never read: the model is named by
        # ``--model openai:NAME`` or ``[interview]`` interviewer_model / grader_model. A file
        # that still sets it stays valid; the value is ignored (and not written back).
        if isinstance(data, dict) and "model" in data:
            data = {k: v for k, v in data.items() if k != "model"}
        return data

    def resolved(self) -> OpenAISettings:
        """These settings with every ``None`` replaced by the default for the endpoint's kind."""
        defaults = LOCAL_DEFAULTS if is_local_url(self.base_url) else REMOTE_DEFAULTS
        return self.model_copy(update={k: v for k, v in defaults.items() if getattr(self, k) is None})


REMOTE_DEFAULTS: dict[str, Any] = {
    "timeout_s": 60.0,
    "max_retries": 3,
    "max_total_s": 180.0,
    "backoff_base_s": 0.5,
    "backoff_max_s": 20.0,
    "max_concurrency": 4,
    "context_budget_tokens": 12_000,
}
# A CPU server generates 20-35 tokens/s and queues concurrent requests: a reply of a few
# hundred tokens behind another takes minutes, and retrying a busy server only adds load.
LOCAL_DEFAULTS: dict[str, Any] = {
    "timeout_s": 300.0,
    "max_retries": 1,
    "max_total_s": 900.0,
    "backoff_base_s": 1.0,
    "backoff_max_s": 10.0,
    "max_concurrency": 1,
    "context_budget_tokens": 3_000,
}


def is_local_url(url: str | None) -> bool:
    """A server on this machine or the local network (no URL means the official API)."""
    if not url:
        return False
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    if host in ("localhost", "host.docker.internal") or host.endswith((".local", ".localhost", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified


class EndpointOverrides(_Section):
    """``[endpoints."URL"]``: settings for one base URL, on top of ``[openai]`` (see there)."""

    timeout_s: float | None = Field(default=None, gt=0)
    """As ``[openai]`` timeout_s, for this endpoint."""
    max_retries: int | None = Field(default=None, ge=0, le=10)
    """As ``[openai]`` max_retries, for this endpoint."""
    max_total_s: float | None = Field(default=None, gt=0)
    """As ``[openai]`` max_total_s, for this endpoint."""
    backoff_base_s: float | None = Field(default=None, ge=0)
    """As ``[openai]`` backoff_base_s, for this endpoint."""
    backoff_max_s: float | None = Field(default=None, ge=0)
    """As ``[openai]`` backoff_max_s, for this endpoint."""
    max_concurrency: int | None = Field(default=None, ge=1, le=64)
    """As ``[openai]`` max_concurrency, for this endpoint."""
    context_budget_tokens: int | None = Field(default=None, ge=256)
    """As ``[openai]`` context_budget_tokens, for this endpoint."""
    context_window: int | None = Field(default=None, ge=512)
    """As ``[openai]`` context_window, for this endpoint."""
    max_output_tokens: int | None = Field(default=None, ge=8)
    """As ``[openai]`` max_output_tokens, for this endpoint."""
    structured_output: StructuredMode | None = None
    """As ``[openai]`` structured_output, for this endpoint."""
    check_model: bool | None = None
    """As ``[openai]`` check_model, for this endpoint."""
    grading_samples: int | None = Field(default=None, ge=1, le=5)
    """As ``[openai]`` grading_samples, for this endpoint."""


class PriceSettings(_Section):
    """``[prices."MODEL"]``: what a model costs, for the cost estimate (USD per million tokens)."""

    input_per_mtok: float = Field(ge=0)
    """USD per million prompt tokens."""
    output_per_mtok: float = Field(ge=0)
    """USD per million completion tokens."""


class InterviewSettings(_Section):
    """``[interview]``: what a new interview starts with (command-line flags and the home form win)."""

    pack: str = DEFAULT_PACK_ID
    """The rubric pack: an id or a directory."""
    rounds: list[RoundId] = Field(default_factory=lambda: list(ROUND_ORDER))
    """The rounds to run, of the pack's."""
    questions_per_round: int | None = Field(default=None, ge=1)
    """Questions per round; None: each round's default_questions."""
    time_limit_s: int | None = Field(default=None, ge=10)
    """Seconds per question; None: the question's own limit."""
    interviewer_model: str = "stub"
    """"stub" or "openai:NAME"."""
    grader_model: str = "stub"
    """"stub" or "openai:NAME"."""
    max_follow_ups: int = Field(default=1, ge=0, le=5)
    """Follow-up probes per question."""

    @field_validator("rounds")
    @classmethod
    def _rounds_of_the_pack(cls, rounds: list[str], info: ValidationInfo) -> list[str]:
        # Rounds are declared by the pack; a round it does not have is a mistake in the file.
        from mockinterview.packs.loader import PackLoadError, load_pack  # config stays importable alone

        pack = info.data.get("pack", DEFAULT_PACK_ID)
        try:
            declared = [r.id for r in load_pack(pack).meta.rounds]
        except PackLoadError:
            return rounds  # the pack's own problem is reported where the pack is used
        unknown = [r for r in rounds if r not in declared]
        if unknown:
            raise ValueError(f"round {unknown[0]!r} is not a round of pack {pack!r} (rounds: {', '.join(declared)})")
        return rounds


class Settings(BaseSettings):
    """Every setting, in one object the CLI and the TUI both read (``load_settings``).

    One precedence, highest first: values passed in code (command-line flags) > the
    environment (``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, and any setting as
    ``MOCKINTERVIEW_<SECTION>__<KEY>``, e.g. ``MOCKINTERVIEW_INTERVIEW__MAX_FOLLOW_UPS=0``)
    > ``config.toml`` > the defaults declared here (each defined once).
    """

    model_config = SettingsConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        nested_model_default_partial_update=True,
    )

    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    """``[openai]``: the OpenAI-compatible endpoint and how calls to it behave."""
    endpoints: dict[str, EndpointOverrides] = Field(default_factory=dict)
    """``[endpoints."URL"]``: per-endpoint settings on top of ``[openai]``."""
    prices: dict[str, PriceSettings] = Field(default_factory=dict)
    """``[prices."MODEL"]``: model prices for the cost estimate (built-in table otherwise)."""
    interview: InterviewSettings = Field(default_factory=InterviewSettings)
    """``[interview]``: what a new interview starts with."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """``[keymap]``: binding id -> keys, e.g. ``"interview.submit" = "ctrl+s,f5"``, for keys that
    clash with tmux or a terminal (``?`` in the app lists the ids). A ``keymap.toml`` next to
    config.toml, the older place, is read too; config.toml wins."""
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    """From ``OPENAI_API_KEY`` only: never in the file, excluded from every dump."""

    @property
    def base_url(self) -> str:
        return (self.openai.base_url or DEFAULT_BASE_URL).rstrip("/")

    def endpoint(self) -> OpenAISettings:
        """The settings for the endpoint in use: ``[openai]``, then its ``[endpoints."URL"]``
        entry (URLs compared without a trailing slash), then the kind's defaults."""
        merged = self.openai
        for url, overrides in self.endpoints.items():
            if url.rstrip("/") == self.base_url:
                merged = merged.model_copy(update=overrides.model_dump(exclude_none=True))
        return merged.resolved()

    def redact(self, text: str) -> str:
        return redact(text, self.api_key.get_secret_value() if self.api_key else None)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        loading = _LOADING.get(None)
        if loading is None:  # built in code (tests, a copy): the values given and the defaults
            return (init_settings,)
        path, env = loading
        return (
            init_settings,
            _OpenAIEnvironment(settings_cls, env),
            _Environment(settings_cls, env),
            _TomlFile(settings_cls, toml_file=path),
            _KeymapFile(settings_cls, path.with_name(KEYMAP_FILE)),
        )


class _Environment(EnvSettingsSource):
    """``MOCKINTERVIEW_<SECTION>__<KEY>`` from the given environment (not always os.environ)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._given = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k.lower(): v for k, v in self._given.items() if k.upper().startswith(ENV_PREFIX)}


class _OpenAIEnvironment(PydanticBaseSettingsSource):
    """``OPENAI_BASE_URL`` and ``OPENAI_API_KEY``: the names every OpenAI client reads."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._env = env

    def get_field_value(self, field, field_name):  # every value comes from __call__
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        base_url = self._env.get(BASE_URL_ENV, "").strip()
        if base_url:
            values["openai"] = {"base_url": base_url}
        key = self._env.get(API_KEY_ENV, "").strip()
        if key:
            values["api_key"] = key
        return values


def _read_toml(path: Path) -> dict[str, Any]:
    """A config file through the one careful reader (files.read_text): a FIFO, a device or
    a huge file is an error, never a hang or a memory blow-up."""
    return tomllib.loads(files.read_text(path, MAX_CONFIG_BYTES))


class _TomlFile(TomlConfigSettingsSource):
    """pydantic-settings' config.toml source, reading through ``_read_toml``."""

    def _read_file(self, file_path) -> dict[str, Any]:
        return _read_toml(Path(file_path))


class _KeymapFile(PydanticBaseSettingsSource):
    """``keymap.toml`` (binding id -> keys), the keymap's older home, as the ``keymap`` field."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self._path = path

    def get_field_value(self, field, field_name):
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        try:
            table = _read_toml(self._path)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(f"{self._path}: cannot be read ({exc.strerror or exc})") from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{self._path}: cannot be read ({exc})") from None
        return {"keymap": {str(k): v for k, v in table.items()}}


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    if first["type"] == "extra_forbidden" and where.endswith("api_key"):
        return f"{where} is not allowed here; set the {API_KEY_ENV} environment variable instead"
    return f"{where}: {first['msg']}"


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``path`` (default: the user's config.toml, which may be absent) and
    ``env`` (default: the process environment), in ``Settings``' precedence; ConfigError with
    a one-line reason naming the file when it cannot be read or holds a bad value."""
    env = os.environ if env is None else env
    path = paths.config_file() if path is None else path
    token = _LOADING.set((path, env))
    try:
        # The file may not carry the key: a key there is refused, never read.
        _refuse_key_in_file(path)
        return Settings()
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except (files.NotARegularFile, files.FileTooLarge) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from None
    finally:
        _LOADING.reset(token)


def _refuse_key_in_file(path: Path) -> None:
    try:
        data = _read_toml(path)
    except FileNotFoundError:
        return
    for where, table in (("", data), ("openai.", data.get("openai"))):
        if isinstance(table, dict) and "api_key" in table:
            raise ConfigError(
                f"{path}: {where}api_key is not allowed here; set the {API_KEY_ENV} environment variable instead"
            )


def _toml_value(value: Any) -> str:
    # JSON strings, numbers, booleans and arrays of them are valid TOML values.
    return json.dumps(value, ensure_ascii=False)


def to_toml(settings: Settings) -> str:
    """The settings as TOML; ``None`` values are left out (TOML has no null)."""
    data = settings.model_dump(mode="json", exclude_none=True)  # api_key is excluded by the model
    lines: list[str] = []
    for section in ("openai", "interview"):
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in data[section].items()]
        lines.append("")
    for url, overrides in data["endpoints"].items():
        lines.append(f"[endpoints.{_toml_value(url)}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in overrides.items()]
        lines.append("")
    for model, price in data["prices"].items():
        lines.append(f"[prices.{_toml_value(model)}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in price.items()]
        lines.append("")
    if data["keymap"]:
        lines.append("[keymap]")
        lines += [f"{_toml_value(binding)} = {_toml_value(keys)}" for binding, keys in data["keymap"].items()]
        lines.append("")
    return "\n".join(lines)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings atomically with mode 0600. Never writes the API key."""
    path = paths.config_dir() / "config.toml" if path is None else path
    paths.make_private_dirs(path.parent)
    text = to_toml(settings)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# Anything shaped like an OpenAI secret key, in case a key other than ours shows up.
_KEY_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_\-]{16,}")
REDACTED = "[redacted]"


def configured_key() -> str | None:
    """The configured API key (``$OPENAI_API_KEY``), or None."""
    return os.environ.get(API_KEY_ENV, "").strip() or None


def redact_key(text: str, replacement: str = REDACTED, key: str | None = None) -> str:
    """``text`` with every exact occurrence of the API key (default: ``$OPENAI_API_KEY``)
    replaced, whatever the key's length: a short key (``tok-abc123``) is as secret as a long one."""
    if key is None:
        key = configured_key()
    return text.replace(key, replacement) if key and key in text else text


def redact(text: str, key: str | None = None) -> str:
    """``text`` with the API key (default: ``$OPENAI_API_KEY``), whatever its length, and
    key-shaped strings replaced by ``[redacted]``."""
    return _KEY_PATTERN.sub(REDACTED, redact_key(text, REDACTED, key))

"""Config file: defaults, environment precedence, 0600 writes, clear errors, no API key on disk."""

from __future__ import annotations

import stat

import pytest
from pydantic import BaseModel

from mockinterview.storage import config, paths


def test_defaults_without_a_file():
    settings = config.load_settings(env={})
    assert "model" not in config.OpenAISettings.model_fields  # the model is named by --model / [interview]
    assert settings.base_url == config.DEFAULT_BASE_URL
    assert settings.api_key is None
    assert settings.interview.rounds == ["basic", "technical", "advanced", "behavioral"]


def test_file_values_and_environment_precedence(isolated_dirs):
    path = paths.config_dir() / "config.toml"
    path.write_text(
        """
[openai]
base_url = "http://from-file:8000/v1"
model = "gpt-4.1-mini"
timeout_s = 12.5
max_retries = 5

[prices."my-model"]
input_per_mtok = 1.5
output_per_mtok = 3.0

[interview]
rounds = ["basic", "behavioral"]
interviewer_model = "openai:gpt-4.1-mini"
""",
        encoding="utf-8",
    )
    from_file = config.load_settings(env={})  # [openai] model = ... (never read) still loads
    assert from_file.base_url == "http://from-file:8000/v1"
    assert from_file.openai.timeout_s == 12.5 and from_file.openai.max_retries == 5
    assert from_file.prices["my-model"].output_per_mtok == 3.0
    assert from_file.interview.rounds == ["basic", "behavioral"]

    env = {"OPENAI_BASE_URL": "http://from-env:1234/v1/", "OPENAI_API_KEY": "sk-env-key-0123456789abcdef"}
    with_env = config.load_settings(env=env)
    assert with_env.base_url == "http://from-env:1234/v1"
    assert with_env.api_key.get_secret_value() == "sk-env-key-0123456789abcdef"
    assert "sk-env" not in repr(with_env)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[openai\nmodel = 1", "not valid TOML"),
        ('[openai]\ntimeout_s = "soon"', "openai.timeout_s"),
        ('[openai]\napi_key = "sk-in-the-file"', "set the OPENAI_API_KEY environment variable"),
        ("[surprise]\nx = 1", "surprise"),
        ('[interview]\nrounds = ["lunch"]', "interview.rounds"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file(content, reason):
    path = paths.config_dir() / "config.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(config.ConfigError) as info:
        config.load_settings(env={})
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert reason in message


def test_undecodable_file_is_a_clear_error():
    path = paths.config_dir() / "config.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(config.ConfigError, match="config.toml"):
        config.load_settings(env={})


def test_save_is_0600_round_trips_and_never_holds_the_key(monkeypatch):
    key = "sk-secret-ABCDEFGHIJKLMNOP0123"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    settings = config.load_settings()
    settings.openai.timeout_s = 42.0
    settings.prices["local-llama"] = config.PriceSettings(input_per_mtok=0.1, output_per_mtok=0.2)
    path = config.save_settings(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key not in path.read_text(encoding="utf-8")
    again = config.load_settings()
    assert again.openai.timeout_s == 42.0
    assert again.prices["local-llama"].output_per_mtok == 0.2
    assert again.api_key.get_secret_value() == key  # from the environment, not the file
    assert key not in settings.model_dump_json()


def test_redact_replaces_the_key_and_key_shaped_strings(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "local-key-1234")
    assert config.redact("server said: bad key local-key-1234!") == "server said: bad key [redacted]!"
    assert config.redact("other sk-proj-abcdefghijklmnopqrstu here") == "other [redacted] here"
    assert config.redact("nothing secret") == "nothing secret"
    settings = config.load_settings()
    assert settings.redact("Bearer local-key-1234") == "Bearer [redacted]"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        (None, False),
        ("https://api.openai.com/v1", False),
        ("http://localhost:11434/v1", True),
        ("http://127.0.0.1:8790/v1", True),
        ("http://192.168.1.20:8000/v1", True),
        ("http://gpu-box.local:8080/v1", True),
        ("http://[::1]:8080/v1", True),
        ("https://my-vllm.example.com/v1", False),
    ],
)
def test_a_local_server_gets_defaults_for_a_cpu_server(url, local):
    settings = config.Settings()
    settings.openai.base_url = url
    endpoint = settings.endpoint()
    expected = config.LOCAL_DEFAULTS if local else config.REMOTE_DEFAULTS
    for key, value in expected.items():
        assert getattr(endpoint, key) == value, key


def test_endpoint_overrides_win_for_their_url_only(isolated_dirs):
    path = paths.config_dir() / "config.toml"
    path.write_text(
        """
[openai]
base_url = "http://localhost:8080/v1/"
timeout_s = 30

[endpoints."http://localhost:8080/v1"]
context_window = 8192
max_retries = 0
structured_output = "json_object"

[endpoints."http://elsewhere:1/v1"]
timeout_s = 1
""",
        encoding="utf-8",
    )
    settings = config.load_settings(env={})
    endpoint = settings.endpoint()
    assert endpoint.timeout_s == 30  # [openai] over the local default
    assert endpoint.context_window == 8192 and endpoint.max_retries == 0
    assert endpoint.structured_output == "json_object"
    assert endpoint.max_total_s == config.LOCAL_DEFAULTS["max_total_s"]  # unset: the kind's default
    again = config.save_settings(settings)
    reloaded = config.load_settings(again, env={})
    assert reloaded.endpoints == settings.endpoints and reloaded.endpoint() == endpoint


# -- one settings object: precedence, the keymap, descriptions ---------------------------------


def test_one_precedence_flags_then_environment_then_file_then_defaults():
    path = paths.config_dir() / "config.toml"
    path.write_text(
        '[openai]\nbase_url = "http://file:1/v1"\ntimeout_s = 12\n\n[interview]\nmax_follow_ups = 2\nrounds = ["basic"]\n',
        encoding="utf-8",
    )
    env = {
        "OPENAI_BASE_URL": "http://env:2/v1",
        "MOCKINTERVIEW_INTERVIEW__MAX_FOLLOW_UPS": "0",
        "MOCKINTERVIEW_OPENAI__MAX_RETRIES": "7",
    }
    settings = config.load_settings(env=env)
    assert settings.openai.base_url == "http://env:2/v1"  # environment over the file
    assert settings.interview.max_follow_ups == 0
    assert settings.openai.max_retries == 7  # environment over the default
    assert settings.openai.timeout_s == 12  # the file over the default
    assert settings.interview.rounds == ["basic"]  # the rest of the file's section stays
    assert settings.interview.grader_model == "stub"  # the default
    assert config.load_settings(env={}).interview.max_follow_ups == 2


def test_a_bad_value_from_the_environment_is_one_line():
    with pytest.raises(config.ConfigError, match="max_follow_ups"):
        config.load_settings(env={"MOCKINTERVIEW_INTERVIEW__MAX_FOLLOW_UPS": "99"})


def test_the_keymap_is_a_setting_and_the_older_keymap_file_still_counts():
    directory = paths.config_dir()
    (directory / "keymap.toml").write_text('"home.history" = "f6"\n"app.help" = "f9"\n', encoding="utf-8")
    assert config.load_settings(env={}).keymap == {"home.history": "f6", "app.help": "f9"}
    (directory / "config.toml").write_text('[keymap]\n"home.history" = "f7"\n', encoding="utf-8")
    assert config.load_settings(env={}).keymap == {"home.history": "f7", "app.help": "f9"}  # config.toml wins


def test_every_setting_says_what_it_is():
    def undescribed(model, prefix=""):
        for name, field in model.model_fields.items():
            if not field.description:
                yield prefix + name
            inner = field.annotation
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from undescribed(inner, f"{prefix}{name}.")

    assert list(undescribed(config.Settings)) == []
    assert list(undescribed(config.EndpointOverrides)) == []
    assert list(undescribed(config.PriceSettings)) == []


def test_interview_options_take_the_given_values_then_the_settings(monkeypatch):
    """engine.interview_options: what `interview`'s flags are completed with, in the one
    precedence, each checked against the pack; errors name the option."""
    from mockinterview.engine.interview_options import OptionError, interview_options

    (paths.config_dir() / "config.toml").write_text(
        '[interview]\nrounds = ["technical", "basic"]\nmax_follow_ups = 0\ninterviewer_model = "openai:m"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MOCKINTERVIEW_INTERVIEW__QUESTIONS_PER_ROUND", "3")
    options = interview_options()
    assert options.pack == "data-scientist" and options.rounds == ["technical", "basic"]
    assert (options.max_follow_ups, options.questions_per_round, options.interviewer_model) == (0, 3, "openai:m")
    given = interview_options(model="stub", rounds=["basic"], questions=2, max_follow_ups=1)
    assert (given.interviewer_model, given.rounds, given.questions_per_round, given.max_follow_ups) == (
        "stub",
        ["basic"],
        2,
        1,
    )
    other = interview_options(pack="analytics-engineer")  # another pack: all of its rounds
    assert other.rounds[:2] == ["technical", "metrics"] and other.config(seed=7).seed == 7
    for kwargs, option in (
        ({"rounds": ["lunch"]}, "rounds"),
        ({"rounds": ["basic", "basic"]}, "rounds"),
        ({"questions": 0}, "questions"),
        ({"max_follow_ups": 6}, "max_follow_ups"),
        ({"grader": "gpt-4"}, "grader"),
        ({"pack": "no-such-pack"}, None),
    ):
        with pytest.raises(OptionError) as raised:
            interview_options(**kwargs)
        assert raised.value.option == option and "\n" not in str(raised.value)

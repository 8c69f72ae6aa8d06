"""Settings from the environment: validated once, errors name the variable and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakegithub.harness import keypair

from reviewer.errors import ConfigError
from reviewer.service.settings import DEFAULT_API_URL, Settings

SECRET = "0123456789abcdef-secret"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    private, _ = keypair()
    key = tmp_path / "app.pem"
    key.write_text(private)
    env = {
        "GATEHOUSE_APP_ID": "123",
        "GATEHOUSE_PRIVATE_KEY_PATH": str(key),
        "GATEHOUSE_WEBHOOK_SECRET": SECRET,
        "GATEHOUSE_DATA_DIR": str(tmp_path / "data"),
    }
    env.update(extra)
    return env


def test_defaults(tmp_path: Path) -> None:
    s = Settings.from_env(_env(tmp_path))
    assert (
        s.configured
        and s.app_id == 123
        and s.github_api_url == DEFAULT_API_URL
        and not s.is_enterprise
    )
    assert s.database_url == f"sqlite:///{tmp_path / 'data' / 'gatehouse.db'}"
    assert s.queue_url == f"sqlite:///{tmp_path / 'data' / 'queue.db'}"
    assert s.max_body_bytes == 25 * 1024 * 1024


def test_metrics_listen_on_loopback_unless_told_otherwise(tmp_path: Path) -> None:
    assert Settings.from_env(_env(tmp_path)).metrics_bind == "127.0.0.1:9100"
    assert Settings.from_env(_env(tmp_path, GATEHOUSE_METRICS_BIND="off")).metrics_bind is None
    pod = Settings.from_env(_env(tmp_path, GATEHOUSE_METRICS_BIND="0.0.0.0:9100"))
    assert pod.metrics_bind == "0.0.0.0:9100"
    public = Settings.from_env(_env(tmp_path, GATEHOUSE_PUBLIC_URL="https://gate.test/"))
    assert public.public_url == "https://gate.test"


def test_repr_never_shows_secrets(tmp_path: Path) -> None:
    text = repr(Settings.from_env(_env(tmp_path)))
    assert SECRET not in text and "PRIVATE KEY" not in text


@pytest.mark.parametrize(
    "drop,named",
    [
        ("GATEHOUSE_APP_ID", "GATEHOUSE_APP_ID"),
        ("GATEHOUSE_PRIVATE_KEY_PATH", "GATEHOUSE_PRIVATE_KEY_PATH"),
        ("GATEHOUSE_WEBHOOK_SECRET", "GATEHOUSE_WEBHOOK_SECRET"),
    ],
)
def test_missing_secrets_are_startup_errors(tmp_path: Path, drop: str, named: str) -> None:
    env = _env(tmp_path)
    del env[drop]
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)
    assert not Settings.from_env(env, require_app=False).configured


@pytest.mark.parametrize(
    "key,value,named",
    [
        ("GATEHOUSE_APP_ID", "abc", "GATEHOUSE_APP_ID"),
        ("GATEHOUSE_GITHUB_API_URL", "ftp://x", "GATEHOUSE_GITHUB_API_URL"),
        ("GATEHOUSE_MAX_BODY_BYTES", "-1", "GATEHOUSE_MAX_BODY_BYTES"),
        ("GATEHOUSE_WEBHOOK_SECRET", "short", "GATEHOUSE_WEBHOOK_SECRET"),
        ("GATEHOUSE_PRIVATE_KEY_PATH", "/nonexistent/key.pem", "GATEHOUSE_PRIVATE_KEY_PATH"),
        ("GATEHOUSE_QUEUE_URL", "amqp://x", "GATEHOUSE_QUEUE_URL"),
        (
            "GATEHOUSE_PUBLIC_URL",
            "https://gate.test/?next=https://evil.test",
            "GATEHOUSE_PUBLIC_URL",
        ),
        ("GATEHOUSE_PUBLIC_URL", "gate.test", "GATEHOUSE_PUBLIC_URL"),
        ("GATEHOUSE_METRICS_BIND", "9100", "GATEHOUSE_METRICS_BIND"),
        ("GATEHOUSE_METRICS_BIND", "0.0.0.0:http", "GATEHOUSE_METRICS_BIND"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, key: str, value: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(_env(tmp_path, **{key: value}))


def test_enterprise_url_and_inline_key(tmp_path: Path) -> None:
    env = _env(tmp_path, GATEHOUSE_GITHUB_API_URL="https://ghe.example.com/api/v3/")
    env.pop("GATEHOUSE_PRIVATE_KEY_PATH")
    env["GATEHOUSE_PRIVATE_KEY"] = keypair()[0].replace("\n", "\\n")
    s = Settings.from_env(env)
    assert s.is_enterprise and s.github_api_url == "https://ghe.example.com/api/v3"
    assert s.private_key.startswith("-----BEGIN")

"""The GitHub App the setup page registers: its manifest (least-privilege permissions, the
events the handlers' router handles), the exchange of the manifest code GitHub sends back, and
saving the result to the data directory (mode 0600)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from reviewer.service.settings import ENV_FILE, KEY_FILE

__all__ = [
    "ALWAYS_DELIVERED_EVENTS",
    "PERMISSIONS",
    "SetupError",
    "app_manifest",
    "convert_manifest_code",
    "github_web_url",
    "save_app",
    "subscribed_events",
]


class SetupError(Exception):
    """The registration cannot go on; the message says what to do."""


# Least privilege that works: read code, write check runs, reviews and comments.
PERMISSIONS: dict[str, str] = {
    "checks": "write",
    "pull_requests": "write",
    "contents": "read",
    "issues": "write",
    "metadata": "read",
}
# GitHub sends these to every App; they cannot (and need not) be subscribed to.
ALWAYS_DELIVERED_EVENTS: tuple[str, ...] = ("installation", "installation_repositories")


def subscribed_events() -> tuple[str, ...]:
    """The events the App subscribes to: those the handlers' router handles (the one list),
    less the ones GitHub always delivers."""
    from reviewer.service.handlers import router

    return tuple(sorted(router.event_names() - set(ALWAYS_DELIVERED_EVENTS)))


def github_web_url(api_url: str) -> str:
    """``https://github.com`` for the public API, ``https://HOST`` for Enterprise Server."""
    api_url = api_url.rstrip("/")
    if api_url == "https://api.github.com":
        return "https://github.com"
    if api_url.endswith("/api/v3"):
        return api_url[: -len("/api/v3")]
    return api_url


def app_manifest(public_url: str, *, name: str = "Gatehouse") -> dict[str, Any]:
    """The GitHub App manifest for an instance reachable at ``public_url``."""
    base = public_url.rstrip("/")
    return {
        "name": name,
        "url": base,
        "description": (
            "Reviews AI-assisted pull requests for hidden backdoors and data exfiltration."
        ),
        "hook_attributes": {"url": f"{base}/webhook", "active": True},
        "redirect_url": f"{base}/setup/callback",
        "callback_urls": [f"{base}/register/callback"],  # sign-in to the live register
        "public": False,
        "default_permissions": dict(PERMISSIONS),
        "default_events": list(subscribed_events()),
    }


def convert_manifest_code(api_url: str, code: str) -> dict[str, Any]:
    if not code.replace("-", "").replace("_", "").isalnum() or len(code) > 200:
        raise SetupError("the code GitHub sent back is malformed")
    url = f"{api_url.rstrip('/')}/app-manifests/{code}/conversions"
    req = urllib.request.Request(
        url,
        method="POST",
        data=b"",
        headers={
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "gatehouse-setup",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:  # noqa: S310 - https API URL
            data = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise SetupError(
            f"GitHub answered {exc.code}; the code is valid for one hour and "
            "one use, so register again from the setup page"
        ) from None
    except (urllib.error.URLError, TimeoutError, ValueError) as exc:
        raise SetupError(
            f"could not reach {api_url} ({type(exc).__name__}); check "
            "GATEHOUSE_GITHUB_API_URL and the network"
        ) from None
    for key in ("id", "pem", "webhook_secret"):
        if not data.get(key):
            raise SetupError(f"GitHub's answer has no {key!r}; register again")
    return data


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def save_app(data_dir: Path, app: dict[str, Any]) -> None:
    from reviewer.service.private_files import private_dir

    private_dir(data_dir)  # 0700 whatever the umask: it holds the App's key
    key_path = (data_dir / KEY_FILE).resolve()
    _write_private(key_path, str(app["pem"]).strip() + "\n")
    _write_private(
        data_dir / ENV_FILE,
        "\n".join(
            [
                "# Written by the Gatehouse setup page. Keep this file private.",
                f"GATEHOUSE_APP_ID={int(app['id'])}",
                f"GATEHOUSE_PRIVATE_KEY_PATH={key_path}",
                f"GATEHOUSE_WEBHOOK_SECRET={app['webhook_secret']}",
                *(
                    [
                        f"GATEHOUSE_OAUTH_CLIENT_ID={app['client_id']}",
                        f"GATEHOUSE_OAUTH_CLIENT_SECRET={app['client_secret']}",
                    ]
                    if app.get("client_id") and app.get("client_secret")
                    else []
                ),
                "",
            ]
        ),
    )

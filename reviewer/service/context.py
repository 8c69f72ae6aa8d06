"""AppContext: the settings, store and GitHub App of one process, built once."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewer.core.analyzers import default_analyzers
from reviewer.core.analyzers.dependencies import DependencyAnalyzer
from reviewer.service.github_client import GitHubApp, RetryPolicy
from reviewer.service.logs import configure_logging
from reviewer.service.registry_lookup import build_oracle
from reviewer.service.settings import Settings

__all__ = ["AppContext", "get_context", "set_context"]


@dataclass
class AppContext:
    """What handlers need: ``settings``, ``store``, ``github``.

    ``analyzers`` overrides the core's default analyzer list (tests use it to pin
    a rule set); ``None`` means the default rule pack.
    """

    settings: Settings
    store: Any
    github: GitHubApp | None
    analyzers: Sequence[Any] | None = None
    edit_debounce: Any = None  # a debounce.EditDebounce; None means the default window
    _bot_logins: dict[int, str] = field(default_factory=dict, repr=False)

    @classmethod
    def create(
        cls,
        settings: Settings,
        *,
        store: Any = None,
        policy: RetryPolicy | None = None,
        analyzers: Sequence[Any] | None = None,
    ) -> AppContext:
        """Open the store and set up the App (no GitHub call is made here)."""
        if store is None:
            from reviewer.service.store import Store

            store = Store.open(settings.database_url)
        app = None
        if settings.configured and settings.app_id is not None:
            app = GitHubApp(
                app_id=settings.app_id,
                private_key=settings.private_key,
                api_url=settings.github_api_url,
                policy=policy,
            )
        if analyzers is None:
            analyzers = _with_registry_lookup(settings)
        return cls(settings=settings, store=store, github=app, analyzers=analyzers)

    def require_github(self) -> GitHubApp:
        if self.github is None:
            from reviewer.errors import ConfigError

            raise ConfigError(
                "the GitHub App is not configured: set GATEHOUSE_APP_ID, "
                "GATEHOUSE_PRIVATE_KEY_PATH and GATEHOUSE_WEBHOOK_SECRET"
            )
        return self.github

    def bot_login(self, installation_id: int) -> str:
        """The App's own login (``<slug>[bot]``), from GitHub, cached."""
        login = self._bot_logins.get(installation_id)
        if login is None:
            data = self.require_github().app_request(
                "GET", f"/app/installations/{int(installation_id)}"
            )
            login = f"{data.get('app_slug') or 'gatehouse'}[bot]"
            self._bot_logins[installation_id] = login
        return login


def _with_registry_lookup(settings: Settings) -> list[Any] | None:
    """The default analyzers with the dependency analyzer asking registries about new names,
    when GATEHOUSE_REGISTRY_LOOKUP is on; None (the default list) when it is off."""
    oracle = build_oracle(settings.registry)
    if oracle is None:
        return None
    return [
        DependencyAnalyzer(oracle=oracle) if isinstance(a, DependencyAnalyzer) else a
        for a in default_analyzers()
    ]


_lock = threading.Lock()
_context: AppContext | None = None


def set_context(ctx: AppContext | None) -> None:
    """Install the process's context (the web app and tests do this)."""
    global _context
    with _lock:
        _context = ctx


def get_context() -> AppContext:
    """The process's context, created lazily from the environment (for queue workers)."""
    global _context
    with _lock:
        if _context is None:
            settings = Settings.from_env()
            configure_logging(settings.log_level)
            _context = AppContext.create(settings)
        return _context

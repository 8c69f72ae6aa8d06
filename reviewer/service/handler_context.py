"""What a handler, a command or a scan is given: the :class:`HandlerContext` protocol.

:class:`~reviewer.service.context.AppContext` is the one production implementation; naming
the seam as a protocol lets the service's functions say what they use of it (settings,
store, the GitHub App, the analyzers) without importing how it is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from reviewer.service.github_client import GitHubApp
from reviewer.service.settings import Settings

__all__ = ["HandlerContext"]


class HandlerContext(Protocol):
    """The process's settings, store and GitHub App, as handlers see them."""

    settings: Settings
    store: Any  # a reviewer.service.store.Store (or a test's own)
    github: GitHubApp | None
    analyzers: Sequence[Any] | None  # None: the core's default rule pack
    edit_debounce: Any  # a debounce.EditDebounce; None: the default window

    def require_github(self) -> GitHubApp:
        """The GitHub App; ConfigError when it is not configured."""
        ...

    def bot_login(self, installation_id: int) -> str:
        """The App's own login (``<slug>[bot]``) on one installation."""
        ...

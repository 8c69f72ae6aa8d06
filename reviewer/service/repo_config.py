"""Read a repository's policy from GitHub: org defaults, then the repo's own file.

Both are read from default branches, never from the PR's head (a PR must not change its own
policy); parsing and merging are in :mod:`reviewer.app.repo_config`.
"""

from __future__ import annotations

from typing import Any, Protocol

from reviewer.app.repo_config import (
    CONFIG_PATH,
    ORG_REPO,
    RepoConfig,
    config_text,
    merge_config,
    parse_config,
)
from reviewer.service.github_client import GitHubError, TransientGitHubError

__all__ = ["load_repo_config"]


class _Contents(Protocol):
    def get_content(self, repo: str, path: str, *, ref: str | None = None) -> bytes | None: ...


def load_repo_config(client: _Contents, repo: str, *, default_branch: str | None) -> RepoConfig:
    """Org defaults from ``<owner>/.github`` then the repo's own file, both on default branches.

    Raises :class:`ConfigError` naming the file, line and key when a file is invalid.
    """
    owner = repo.split("/", 1)[0]
    layers: list[tuple[str, dict[str, Any]]] = []
    org_repo = f"{owner}/{ORG_REPO}"
    if org_repo != repo:
        try:
            raw = client.get_content(org_repo, CONFIG_PATH)
        except GitHubError as exc:  # the App may not be installed on the org's .github repo
            if isinstance(exc, TransientGitHubError) or exc.status not in (403, 404):
                raise
            raw = None
        if raw is not None:
            name = f"{org_repo}:{CONFIG_PATH}"
            layers.append((name, parse_config(config_text(raw, name), name)))
    raw = client.get_content(repo, CONFIG_PATH, ref=default_branch)
    if raw is not None:
        layers.append((CONFIG_PATH, parse_config(config_text(raw, CONFIG_PATH), CONFIG_PATH)))
    return merge_config(layers)

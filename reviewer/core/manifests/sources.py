"""Classify where a dependency spec points: the registry, a URL, a git repository, a local path."""

from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import urlsplit

import yaml

from checks import DATA_DIR
from reviewer.core.manifests.model import SourceKind

# Services that host throw-away content or tunnel to a private machine: a package or an
# index served from one of them is never how a project ships a real dependency.
_SUSPICIOUS_SUFFIXES = (
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "ngrok-free.dev",
    "trycloudflare.com",
    "serveo.net",
    "localtunnel.me",
    "loca.lt",
    "localhost.run",
    "lhr.life",
    "pinggy.io",
    "bore.pub",
    "tunnelmole.net",
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "ghostbin.com",
    "rentry.co",
    "dpaste.org",
    "dpaste.com",
    "termbin.com",
    "ix.io",
    "0x0.st",
    "transfer.sh",
    "file.io",
    "temp.sh",
    "webhook.site",
    "requestbin.com",
    "requestbin.net",
    "pipedream.net",
    "beeceptor.com",
    "interact.sh",
    "oast.fun",
    "oast.pro",
    "oast.live",
    "burpcollaborator.net",
    "workers.dev",
    "glitch.me",
    "repl.co",
    "duckdns.org",
    "no-ip.org",
    "ddns.net",
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_GIT_SHORTHAND = re.compile(
    r"^(?:github|gitlab|bitbucket|gist):[\w.-]+(?:/[\w.-]+)?(?:#.*)?$", re.I
)
_NPM_REPO_SHORTHAND = re.compile(r"^[\w.-]+/[\w.-]+(?:#[\w./-]+)?$")
_SCP_GIT = re.compile(r"^[\w.-]+@[\w.-]+:[\w./~-]+")


def host_of(url: str) -> str:
    """The lower-case host of a URL-like string, or ``""``."""
    text = url.strip().strip("'\"")
    text = re.sub(r"^(?:git\+|hg\+|svn\+|bzr\+)", "", text, flags=re.I)
    m = _SCP_GIT.match(text)
    if m and "://" not in text:
        return text.split("@", 1)[1].split(":", 1)[0].lower()
    if not _SCHEME.match(text):
        return ""
    try:
        return (urlsplit(text).hostname or "").lower()
    except ValueError:
        return ""


def is_raw_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def suspicious_suffixes() -> frozenset[str]:
    """Built-in hosts plus every host of the shared endpoint catalogue.

    The catalogue is checks/data/endpoints.yml.
    """
    hosts = set(_SUSPICIOUS_SUFFIXES)
    path = DATA_DIR / "endpoints.yml"
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, yaml.YAMLError):
        doc = None
    cats = doc.get("categories") if isinstance(doc, dict) else None
    for cat in (cats or {}).values():
        for entry in (cat or {}).get("hosts") or () if isinstance(cat, dict) else ():
            host = entry.get("host") if isinstance(entry, dict) else entry
            if isinstance(host, str) and host:
                hosts.add(host.lower().lstrip("*."))
    return frozenset(hosts)


def is_suspicious_host(host: str) -> bool:
    """A raw IP, a tunnel, a paste, file-sharing or request-collector service."""
    host = host.lower().rstrip(".")
    if not host:
        return False
    if is_raw_ip(host):
        return True
    return any(host == s or host.endswith("." + s) for s in suspicious_suffixes())


def classify_npm_spec(spec: str) -> SourceKind:
    """The source kind of an npm dependency value (a range, a URL, ``github:u/r``, ``file:``)."""
    s = spec.strip()
    low = s.lower()
    if low.startswith(("file:", "link:", "./", "../", "/", "~/")):
        return SourceKind.PATH
    if low.startswith(("git+", "git:", "git@")) or _GIT_SHORTHAND.match(s) or low.endswith(".git"):
        return SourceKind.GIT
    if _SCHEME.match(s):
        return SourceKind.URL
    if _NPM_REPO_SHORTHAND.match(s) and not low.startswith(("npm:", "workspace:", "catalog:")):
        return SourceKind.GIT
    return SourceKind.REGISTRY


def classify_url(url: str) -> SourceKind:
    """GIT for version-control URLs, URL for archives and other links."""
    low = url.strip().lower()
    if (
        low.startswith(("git+", "git:", "git@", "hg+", "svn+", "bzr+"))
        or ".git" in low.split("#")[0][-5:]
    ):
        return SourceKind.GIT
    if low.startswith(("file:", "./", "../", "/")):
        return SourceKind.PATH
    return SourceKind.URL

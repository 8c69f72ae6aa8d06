"""Settings that move where packages come from, or turn off their verification.

Registry config files (.npmrc, .yarnrc, .yarnrc.yml) are read whole; in any other file
(CI workflows, Dockerfiles, scripts, Makefiles) only commands and environment
assignments with an unmistakable shape are read.
"""

from __future__ import annotations

import re

from reviewer.core.manifests.lines import KnownLines
from reviewer.core.manifests.model import ManifestView, RegistrySetting

_NPMRC = re.compile(r"^\s*(@[\w.-]+:)?registry\s*=\s*(\S+)", re.I)
_NPMRC_NOVERIFY = re.compile(r"^\s*strict-ssl\s*=\s*false\b", re.I)
_YARNRC = re.compile(r"""^\s*(?:"?(@[\w.-]+:)?registry"?)\s+"?([^"\s]+)"?""", re.I)
_YARNRC_YML = re.compile(r"""^\s*npm(?:Registry|Publish)Server\s*:\s*["']?([^"'\s]+)""")
_YARNRC_YML_NOVERIFY = re.compile(r"^\s*(?:enableStrictSsl\s*:\s*false|unsafeHttpWhitelist\s*:)")
# Commands and variables, anywhere.
_GO_ENV = re.compile(
    r"\b(GOPROXY|GOFLAGS|GONOSUMDB|GONOSUMCHECK|GOINSECURE|GOSUMDB|GOPRIVATE|GONOPROXY)\b"
    r"\s*[=:]\s*[\"']?([^\"'\s;]+)"
)
_PIP_OPTION = re.compile(
    r"\bpip3?\b[^\n]*?\s(--index-url|--extra-index-url|--trusted-host|-i)(?:\s+|=)[\"']?([^\"'\s]+)"
)
_PIP_ENV = re.compile(
    r"\b(PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|PIP_TRUSTED_HOST|UV_INDEX_URL|UV_EXTRA_INDEX_URL|"
    r"UV_INDEX|UV_DEFAULT_INDEX)\b\s*[=:]\s*[\"']?([^\"'\s;]+)"
)
_NPM_CMD = re.compile(
    r"\b(?:npm|pnpm|yarn)\b[^\n]*?(?:config\s+set\s+(?:@[\w.-]+:)?registry(?:\s+|=)|--registry(?:\s+|=))"
    r"[\"']?([^\"'\s]+)"
)
_NPM_ENV = re.compile(
    r"\b(NPM_CONFIG_REGISTRY|npm_config_registry|YARN_NPM_REGISTRY_SERVER)\b\s*[=:]\s*[\"']?([^\"'\s;]+)"
)
_PIP_KIND = {
    "--index-url": "index",
    "-i": "index",
    "--extra-index-url": "extra-index",
    "--trusted-host": "trusted-host",
    "PIP_INDEX_URL": "index",
    "UV_INDEX_URL": "index",
    "UV_DEFAULT_INDEX": "index",
    "UV_INDEX": "extra-index",
    "PIP_EXTRA_INDEX_URL": "extra-index",
    "UV_EXTRA_INDEX_URL": "extra-index",
    "PIP_TRUSTED_HOST": "trusted-host",
}


def config_kind(path: str) -> str:
    """``npmrc``, ``yarnrc``, ``yarnrc-yml`` for registry config files, else ``""``."""
    name = path.rsplit("/", 1)[-1]
    return {
        ".npmrc": "npmrc",
        ".yarnrc": "yarnrc",
        ".yarnrc.yml": "yarnrc-yml",
        ".pnpmrc": "npmrc",
    }.get(name, "")


def parse_registry_config(path: str, known: KnownLines) -> ManifestView:
    kind = config_kind(path)
    settings: list[RegistrySetting] = []
    for n, text in known.ordered():
        if text.lstrip().startswith(("#", ";")):
            continue
        if kind == "npmrc":
            m = _NPMRC.match(text)
            if m:
                settings.append(
                    RegistrySetting(
                        path, n, "scoped-index" if m.group(1) else "index", m.group(2), text.strip()
                    )
                )
            elif _NPMRC_NOVERIFY.match(text):
                settings.append(
                    RegistrySetting(path, n, "no-verify", "strict-ssl=false", text.strip())
                )
        elif kind == "yarnrc":
            m = _YARNRC.match(text)
            if m:
                settings.append(
                    RegistrySetting(
                        path, n, "scoped-index" if m.group(1) else "index", m.group(2), text.strip()
                    )
                )
        elif kind == "yarnrc-yml":
            m = _YARNRC_YML.match(text)
            if m:
                settings.append(RegistrySetting(path, n, "index", m.group(1), text.strip()))
            elif _YARNRC_YML_NOVERIFY.match(text):
                settings.append(RegistrySetting(path, n, "no-verify", text.strip(), text.strip()))
    return ManifestView(settings=tuple(settings))


def settings_in_line(path: str, n: int, text: str) -> list[RegistrySetting]:
    """Registry overrides written as commands or variables on one line of any file."""
    found: list[RegistrySetting] = []
    for m in _GO_ENV.finditer(text):
        var, value = m.group(1), m.group(2)
        low = value.lower()
        if var == "GOFLAGS" and "-insecure" in low:
            found.append(RegistrySetting(path, n, "no-verify", f"{var}={value}", text.strip()))
        elif (
            var == "GOSUMDB" and low == "off" or var in ("GONOSUMDB", "GONOSUMCHECK", "GOINSECURE")
        ):
            found.append(RegistrySetting(path, n, "no-verify", f"{var}={value}", text.strip()))
        elif var == "GOPROXY" and low not in ("direct", "off"):
            found.append(
                RegistrySetting(path, n, "proxy", value.split(",")[0].split("|")[0], text.strip())
            )
    for rx in (_PIP_OPTION, _PIP_ENV):
        for m in rx.finditer(text):
            found.append(RegistrySetting(path, n, _PIP_KIND[m.group(1)], m.group(2), text.strip()))
    for m in _NPM_CMD.finditer(text):
        found.append(RegistrySetting(path, n, "index", m.group(1), text.strip()))
    for m in _NPM_ENV.finditer(text):
        found.append(RegistrySetting(path, n, "index", m.group(2), text.strip()))
    return found

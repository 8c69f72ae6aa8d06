"""Check requests against GitHub's REST description (the shared subset), when present.

A deliberately small validator: the operation must exist (method + path template),
and the JSON body must satisfy ``required``, ``type``, ``enum``, ``maxItems`` and
``maxLength`` of the request schema, following ``$ref``, ``oneOf`` and ``anyOf``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

# Operations the App calls that are in GitHub's full description but not in the shared subset.
OUTSIDE_SUBSET = {
    ("GET", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("GET", "/repos/{owner}/{repo}/commits/{ref}"),
    ("GET", "/repos/{owner}/{repo}/pulls"),
}


class OpenAPIChecker:
    def __init__(self, spec_path: Path) -> None:
        self.spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self._routes: list[tuple[re.Pattern[str], str, str]] = []
        for template, item in self.spec["paths"].items():
            for method in item:
                if method in ("get", "post", "patch", "put", "delete"):
                    self._routes.append((_regex(template), method.upper(), template))
        for method, template in OUTSIDE_SUBSET:
            self._routes.append((_regex(template), method, template))
        # the longest (most literal) templates first, so /pulls/{n}/files beats /pulls/{n}
        self._routes.sort(key=lambda r: -len(r[2].replace("{", "").replace("}", "")))

    def check(self, method: str, path: str, body: Any) -> list[str]:
        """Problems with one request; empty when it fits the description."""
        for regex, m, template in self._routes:
            if m == method and regex.fullmatch(path):
                if (m, template) in OUTSIDE_SUBSET:
                    return []
                op = self.spec["paths"][template][method.lower()]
                return self._check_body(op, body, f"{method} {template}")
        return [f"{method} {path}: no such operation in GitHub's REST description"]

    def _check_body(self, op: dict[str, Any], body: Any, where: str) -> list[str]:
        rb = op.get("requestBody")
        if not rb:
            return []
        schema = rb.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return []
        if body is None:
            return [f"{where}: request body is required"] if rb.get("required") else []
        return self._validate(schema, body, where)

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            node: Any = self.spec
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def _validate(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        schema = self._resolve(schema)
        problems: list[str] = []
        for key in ("oneOf", "anyOf"):
            if key in schema:
                branches = [self._validate(s, value, where) for s in schema[key]]
                if not any(not b for b in branches):
                    problems.append(
                        f"{where}: matches none of the {key} alternatives: {branches[0][:2]}"
                    )
        if value is None:
            return problems
        typ = schema.get("type")
        checks = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
        if typ in checks and not isinstance(value, checks[typ]):
            return problems + [f"{where}: expected {typ}, got {type(value).__name__}"]
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
        if isinstance(value, str) and "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{where}: longer than {schema['maxLength']} characters")
        if isinstance(value, list):
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                problems.append(f"{where}: more than {schema['maxItems']} items")
            for i, item in enumerate(value):
                if "items" in schema:
                    problems += self._validate(schema["items"], item, f"{where}[{i}]")
        if isinstance(value, dict):
            for req in schema.get("required", ()):
                if req not in value:
                    problems.append(f"{where}: required field {req!r} is missing")
            for name, sub in (schema.get("properties") or {}).items():
                if name in value:
                    problems += self._validate(sub, value[name], f"{where}.{name}")
        return problems


def _regex(template: str) -> re.Pattern[str]:
    out = ""
    for part in re.split(r"(\{[^}]+\})", template):
        if part.startswith("{"):
            out += "(.+)" if part in ("{path}", "{basehead}", "{ref}") else "([^/]+)"
        else:
            out += re.escape(part)
    return re.compile(out)

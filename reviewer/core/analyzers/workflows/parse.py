"""Workflow YAML parsed into the jobs and steps the checks read, with line numbers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from reviewer.core.manifests.lines import KnownLines

__all__ = ["Job", "Step", "Workflow", "parse_workflow"]


@dataclass
class Step:
    """One step (or a job's runs-on) of a parsed workflow, with line numbers."""

    line: int
    uses: str = ""
    uses_line: int = 0
    with_: dict[str, tuple[str, int]] = field(default_factory=dict)
    env: dict[str, tuple[str, int]] = field(default_factory=dict)
    run: str = ""
    run_line: int = 0
    run_block: bool = False


@dataclass
class Job:
    name: str
    line: int
    env: dict[str, tuple[str, int]] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)


@dataclass
class Workflow:
    triggers: dict[str, Any]
    trigger_line: int
    jobs: list[Job]
    env: dict[str, tuple[str, int]]


# libyaml's parser: linear on deep flow nesting, which it refuses past 1,000 levels (the pure
# Python scanner re-checks every open level at each token: 8 KB of `[` took 3.6 s).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_workflow(known: KnownLines) -> Workflow | None:
    try:
        root = yaml.compose(known.text(), Loader=_YAML_LOADER)
    except (yaml.YAMLError, RecursionError, UnicodeEncodeError):  # too deep, or lone surrogates
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    triggers: dict[str, Any] = {}
    trigger_line = 0
    jobs: list[Job] = []
    env: dict[str, tuple[str, int]] = {}
    for key, value in root.value:
        k = key.value if isinstance(key, yaml.ScalarNode) else ""
        if k in ("on", "true", "True"):
            trigger_line = key.start_mark.line + 1
            triggers = _triggers(value)
        elif k == "jobs" and isinstance(value, yaml.MappingNode):
            for jk, jv in value.value:
                jobs.append(_job(str(jk.value), jk.start_mark.line + 1, jv))
        elif k == "env":
            env = _scalar_map(value)
        elif k == "runs" and isinstance(value, yaml.MappingNode):  # composite action
            job = _job("runs", key.start_mark.line + 1, value)
            jobs.append(job)
    return Workflow(triggers, trigger_line, jobs, env)


def _triggers(node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        return {node.value: None}
    if isinstance(node, yaml.SequenceNode):
        return {n.value: None for n in node.value if isinstance(n, yaml.ScalarNode)}
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return {}


def _plain(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(k.value): _plain(v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    return None


def _scalar_map(node: yaml.Node) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                text = v.value if isinstance(v, yaml.ScalarNode) else json.dumps(_plain(v))
                out[str(k.value)] = (str(text), v.start_mark.line + 1)
    elif isinstance(node, yaml.ScalarNode):  # env: ${{ toJSON(secrets) }}
        out["*"] = (node.value, node.start_mark.line + 1)
    return out


def _job(name: str, line: int, node: yaml.Node) -> Job:
    job = Job(name, line)
    if not isinstance(node, yaml.MappingNode):
        return job
    for k, v in node.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else ""
        if key == "env":
            job.env = _scalar_map(v)
        elif key == "steps" and isinstance(v, yaml.SequenceNode):
            for s in v.value:
                job.steps.append(_step(s))
    return job


def _step(node: yaml.Node) -> Step:
    step = Step(node.start_mark.line + 1)
    if not isinstance(node, yaml.MappingNode):
        return step
    for k, v in node.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else ""
        if key == "uses" and isinstance(v, yaml.ScalarNode):
            step.uses, step.uses_line = v.value, v.start_mark.line + 1
        elif key == "with":
            step.with_ = _scalar_map(v)
        elif key == "env":
            step.env = _scalar_map(v)
        elif key == "run" and isinstance(v, yaml.ScalarNode):
            step.run, step.run_line = v.value, k.start_mark.line + 1
            step.run_block = v.style in ("|", ">")
    if "script" in step.with_ and "github-script" in step.uses:
        step.run, step.run_line = step.with_["script"]
        step.run_block = True
    return step

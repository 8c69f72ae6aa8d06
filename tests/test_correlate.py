"""Correlate, don't count: one capability stays low, a chain raises severity."""

from __future__ import annotations

from reviewer.core.changeset import ChangeSet
from reviewer.core.correlate import correlate, load_chains
from reviewer.core.findings import Confidence, Finding, Severity


def cap(path: str, line: int, *caps: str, rule: str = "r") -> Finding:
    return Finding(
        rule_id=f"{rule}-{'-'.join(caps)}",
        category="secret-harvest",
        severity=Severity.LOW,
        confidence=Confidence.LOW,
        path=path,
        start_line=line,
        end_line=line,
        message="m",
        evidence=f"code {line}",
        capabilities=frozenset(caps),
    ).with_fingerprint()


EMPTY = ChangeSet(files=())


def chains_of(findings):
    return [f for f in correlate(findings, EMPTY) if f.analyzer == "correlate"]


def test_a_single_capability_stays_low():
    for c in ("network-send", "env-read", "exec", "decode", "install-hook"):
        assert chains_of([cap("a.py", 1, c)]) == []


def test_reading_one_variable_and_sending_is_everyday_code():
    assert chains_of([cap("a.py", 1, "env-read"), cap("a.py", 3, "network-send")]) == []


def test_environment_dump_plus_send_is_high_exfiltration_on_the_sink():
    (chain,) = chains_of([cap("a.py", 10, "env-dump"), cap("a.py", 14, "network-send")])
    assert chain.rule_id == "chain-environment-sent-out"
    assert chain.severity == Severity.HIGH and chain.start_line == 14
    assert "a.py:10" in chain.message


def test_chain_needs_proximity_within_a_file_and_the_same_file():
    far = [cap("a.py", 10, "env-dump"), cap("a.py", 900, "network-send")]
    other_file = [cap("a.py", 10, "env-dump"), cap("b.py", 12, "network-send")]
    assert chains_of(far) == [] and chains_of(other_file) == []


def test_install_hook_chains_across_files_of_the_change():
    found = chains_of(
        [cap("package.json", 5, "install-hook"), cap("scripts/setup.js", 40, "network-fetch")]
    )
    assert [f.rule_id for f in found] == ["chain-install-hook-network"]
    assert found[0].path == "scripts/setup.js"


def test_reverse_shell_is_critical():
    (chain,) = chains_of([cap("x.c", 3, "socket-connect"), cap("x.c", 6, "shell-spawn")])
    assert chain.severity == Severity.CRITICAL and chain.category == "reverse-shell"


def test_every_chain_is_well_formed():
    chains = load_chains()
    assert len({c.chain_id for c in chains}) == len(chains) >= 5

"""The AI-usage registry export: CSV and JSON content, and the HTML drawn by a real browser."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from browser_support import chromium, measure  # noqa: F401 - fixture

from reviewer.registry_report import build_report, render
from reviewer.service.cli_commands import add_subcommands
from reviewer.service.store import Store

DAY = 86400.0
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC).timestamp()


def _row(
    repo: str,
    pr: int,
    day: int,
    tools: list[str],
    *,
    findings=None,
    merged=None,
    title: str = "Refactor",
    author: str = "dev",
) -> dict:
    return dict(
        repo=repo,
        pr=pr,
        head_sha=f"{pr:040x}",
        author=author,
        title=title,
        tools=tools,
        vendors=["Anthropic"] if "Claude Code" in tools else [],
        evidence=["Co-authored-by trailer"] if tools else [],
        ai_assisted=bool(tools),
        verdict="failure" if findings else "success",
        findings_by_category=findings or {},
        merged=merged,
        first_seen_at=T0 + day * DAY,
        updated_at=T0 + day * DAY + 60,
    )


ROWS = [
    _row("acme/api", 1, 0, ["Claude Code"], findings={"exfiltration": 2}, merged=True),
    _row("acme/api", 2, 40, ["GitHub Copilot"], merged=False),
    _row("acme/web", 3, 41, ["Claude Code", "Cursor"], findings={"backdoor": 1, "exfiltration": 1}),
    _row("acme/web", 4, 75, [], title="Bump version"),  # not AI-assisted
    _row(
        "acme/infra",
        5,
        200,
        ["Cursor"],
        findings={"ci-tampering": 3},
        merged=True,
        title='=HYPERLINK("http://evil.example","x")',
    ),
    _row("acme/api", 6, 201, ["Claude Code"], title="<script>alert(1)</script>"),
]
DISMISSALS = [
    dict(
        repo="acme/api",
        fingerprint="f1",
        rule_id="exfil.env-to-network",
        path="src/a.py",
        who="alice",
        reason="our own telemetry",
        at=T0 + 3 * DAY,
    ),
    dict(
        repo="acme/web",
        fingerprint="f2",
        rule_id="backdoor.magic-auth",
        path="src/b.py",
        who="bob",
        reason="test fixture",
        at=T0 + 50 * DAY,
    ),
    dict(
        repo="acme/web",
        fingerprint="f3",
        rule_id="exfil.dns",
        path="src/c.py",
        who="alice",
        reason="false positive",
        at=T0 + 60 * DAY,
    ),
]


@pytest.fixture
def report():
    return build_report(ROWS, DISMISSALS)


def test_csv_has_one_line_per_pull_request_and_defuses_formulas(report):
    rows = list(csv.DictReader(io.StringIO(render(report, "csv").decode())))
    assert [(r["repository"], r["pull_request"]) for r in rows] == [
        ("acme/api", "1"),
        ("acme/api", "2"),
        ("acme/web", "3"),
        ("acme/web", "4"),
        ("acme/infra", "5"),
        ("acme/api", "6"),
    ]
    third = rows[2]
    assert third["tools"] == "Claude Code; Cursor" and third["ai_assisted"] == "yes"
    assert third["findings_total"] == "2"
    assert third["findings_by_category"] == "backdoor=1; exfiltration=1"
    assert third["merged"] == "open" and rows[0]["merged"] == "yes" and rows[1]["merged"] == "no"
    assert rows[3]["ai_assisted"] == "no"
    assert rows[4]["title"].startswith("'=HYPERLINK"), "a spreadsheet must not run it"
    assert rows[0]["first_seen"] == "2026-03-02T09:00:00Z"


def test_json_holds_rows_dismissals_and_a_summary(report):
    doc = json.loads(render(report, "json"))
    s = doc["summary"]
    assert s["pull_requests"] == 6 and s["ai_assisted"] == 5 and s["ai_assisted_merged"] == 2
    assert s["tools"] == {"Claude Code": 3, "Cursor": 2, "GitHub Copilot": 1}
    assert s["findings_by_category"] == {"exfiltration": 3, "ci-tampering": 3, "backdoor": 1}
    assert s["dismissals_by_who"] == {"alice": 2, "bob": 1}
    assert doc["pull_requests"][2]["tools"] == ["Claude Code", "Cursor"]
    assert [d["who"] for d in doc["dismissals"]] == ["alice", "bob", "alice"]
    assert doc["dismissals"][0]["reason"] == "our own telemetry"


def test_dismissals_show_pr_head_and_revocations_and_legacy_rows_are_marked():
    history = DISMISSALS + [
        dict(
            repo="acme/api",
            pr=12,
            head_sha="ab" * 20,
            fingerprint="f4",
            rule_id="r",
            path="x.py",
            who="carol",
            reason="reviewed",
            at=T0 + 70 * DAY,
            action="dismiss",
        ),
        dict(
            repo="acme/api",
            pr=12,
            head_sha="cd" * 20,
            fingerprint="f4",
            rule_id="r",
            path="x.py",
            who="dave",
            reason="<b>not</b> ours",
            at=T0 + 71 * DAY,
            action="revoke",
        ),
    ]
    report = build_report(ROWS, history)
    doc = json.loads(render(report, "json"))
    assert doc["summary"]["dismissals"] == 4 and doc["summary"]["revocations"] == 1
    assert doc["summary"]["dismissals_by_who"] == {"alice": 2, "bob": 1, "carol": 1}
    last = doc["dismissals"][-1]
    assert (last["action"], last["who"], last["pr"], last["head_sha"]) == (
        "revoke",
        "dave",
        12,
        "cd" * 20,
    )
    page = render(report, "html").decode()
    assert "<td>revoked</td><td>dave</td><td>acme/api</td><td>#12</td><td>cdcdcdcdcdcd</td>" in page
    assert "&lt;b&gt;not&lt;/b&gt; ours" in page
    assert "any (legacy, not applied)" in page  # the rows without a PR, from before


def test_html_is_self_contained_and_escapes_pull_request_text(report):
    page = render(report, "html").decode()
    lowered = page.lower()
    for external in ("<script", "<link", "src=", "@import", "url(", "@font-face"):
        assert external not in lowered, external
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="http://evil.example"' not in page


def test_registry_command_exports_what_the_store_recorded(tmp_path: Path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'gatehouse.db'}"
    store = Store.open(db)
    store.record_ai_change(
        repo="acme/api",
        pr=9,
        head_sha="9" * 40,
        author="dev9",
        title="Add retries",
        tools=["Claude Code"],
        vendors=["Anthropic"],
        evidence=["commit trailer"],
        ai_assisted=True,
        verdict="neutral",
        findings_by_category={"exfiltration": 1},
    )
    common = dict(rule_id="exfil.env-to-network", path="a.py", head_sha="9" * 40)
    store.add_dismissal("acme/api", 9, "f9", who="carol", reason="reviewed", **common)
    store.add_dismissal("acme/api", 9, "f8", who="carol", reason="ours", **common)
    store.revoke_dismissal("acme/api", 9, "f8", who="dave", reason="it is not ours", **common)
    store.close()
    parser = argparse.ArgumentParser()
    add_subcommands(parser.add_subparsers(dest="command"))
    monkeypatch.setenv("GATEHOUSE_DATA_DIR", str(tmp_path))
    for fmt in ("csv", "json", "html"):
        out = tmp_path / f"registry.{fmt}"
        args = parser.parse_args(
            ["registry", "--format", fmt, "--output", str(out), "--database-url", db]
        )
        assert args.func(args) == 0
    assert "acme/api,9,dev9,Add retries" in (tmp_path / "registry.csv").read_text()
    doc = json.loads((tmp_path / "registry.json").read_text())
    assert doc["summary"]["dismissals_by_who"] == {"carol": 2}
    assert doc["summary"]["revocations"] == 1
    assert [(d["action"], d["who"], d["pr"], d["head_sha"]) for d in doc["dismissals"]] == [
        ("dismiss", "carol", 9, "9" * 40),
        ("dismiss", "carol", 9, "9" * 40),
        ("revoke", "dave", 9, "9" * 40),
    ]
    assert "it is not ours" in (tmp_path / "registry.html").read_text()
    assert 'id="chart-repos"' in (tmp_path / "registry.html").read_text()


@pytest.mark.browser
def test_html_charts_render_in_chromium(report, chromium, tmp_path: Path):  # noqa: F811 - fixture
    page = render(report, "html").decode()
    m = measure(
        chromium,
        page,
        tmp_path,
        selectors=("#summary .tile", "#dismissals tbody tr", "#registry tbody tr"),
    )
    assert set(m["charts"]) == {"chart-repos", "chart-tools", "chart-findings", "chart-dismissals"}
    for chart_id, chart in m["charts"].items():
        assert chart["w"] > 300 and chart["h"] > 50, chart_id
        assert chart["bars"], f"{chart_id} drew no bars"
        for bar in chart["bars"]:
            assert bar["w"] > 0 and bar["h"] > 0, (chart_id, bar)
            assert bar["fill"] not in ("none", "rgb(0, 0, 0)") or bar["data"]["series"] == "other"
        assert chart["x"] >= 0 and chart["x"] + chart["w"] <= 1200, f"{chart_id} off screen"

    def per(chart: str) -> dict[str, int]:
        totals: dict[str, int] = {}
        for bar in m["charts"][chart]["bars"]:
            totals[bar["data"]["series"]] = totals.get(bar["data"]["series"], 0) + int(
                bar["data"]["count"]
            )
        return totals

    # The drawn bars add up to the registry: AI-assisted PRs only.
    assert per("chart-repos") == {"acme/api": 3, "acme/web": 1, "acme/infra": 1}
    assert per("chart-tools") == {"Claude Code": 3, "Cursor": 2, "GitHub Copilot": 1}
    assert per("chart-findings") == {"exfiltration": 3, "ci-tampering": 3, "backdoor": 1}
    assert per("chart-dismissals") == {"alice": 2, "bob": 1}
    # Bar lengths are proportional to the values they stand for.
    dis = {b["data"]["series"]: b["w"] for b in m["charts"]["chart-dismissals"]["bars"]}
    assert dis["alice"] == pytest.approx(2 * dis["bob"], rel=0.02)
    # Series get distinct colours, and the time axis is labelled.
    assert len({b["fill"] for b in m["charts"]["chart-repos"]["bars"]}) == 3
    labels = [t["text"] for t in m["charts"]["chart-repos"]["labels"]]
    assert "2026-03" in labels and "2026-09" in labels
    assert len(m["select"]["#summary .tile"]) == 6
    assert len(m["select"]["#dismissals tbody tr"]) == 3
    assert len(m["select"]["#registry tbody tr"]) == 5
    assert m["scrollWidth"] <= 1200, "nothing forces a horizontal scroll at 1200 px"


@pytest.mark.browser
def test_an_empty_registry_renders_without_charts(chromium, tmp_path: Path):  # noqa: F811 - fixture
    page = render(build_report([], []), "html").decode()
    m = measure(chromium, page, tmp_path, selectors=(".empty",))
    assert m["charts"] == {}
    assert len(m["select"][".empty"]) >= 4
    assert all(e["h"] > 0 for e in m["select"][".empty"])

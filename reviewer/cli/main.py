"""The `gatehouse` command: scan, eval, rules — and the service commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

from reviewer import __version__
from reviewer.errors import GatehouseError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3


def _scan(args: argparse.Namespace) -> int:
    from reviewer.cli import sources
    from reviewer.cli.output import render_json, render_sarif, render_text
    from reviewer.core.analyzers.base import ScanOptions
    from reviewer.core.engine import scan
    from reviewer.core.findings import Severity

    if bool(args.diff) == bool(args.repo):
        print(
            "gatehouse scan: give either --diff FILE (or - "
            "for stdin) or --repo DIR --base REV --head REV",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.repo and not (args.base and args.head):
        print("gatehouse scan: --repo needs both --base REV and --head REV", file=sys.stderr)
        return EXIT_USAGE
    try:
        fail_on = Severity.parse(args.fail_on) if args.fail_on else None
    except ValueError as exc:
        print(f"gatehouse scan: --fail-on: {exc}", file=sys.stderr)
        return EXIT_USAGE
    cs = (
        sources.from_diff_file(args.diff)
        if args.diff
        else sources.from_git(args.repo, args.base, args.head)
    )
    tty = sys.stderr.isatty()
    progress: Callable[[str], None] | None = None
    if args.format == "text" and tty and not args.quiet:

        def _show(msg: str) -> None:
            print(f"\r\033[2K… {msg}", end="", file=sys.stderr, flush=True)

        progress = _show

    options = ScanOptions(
        disabled_rules=frozenset(args.disable or ()),
        allowed_domains=frozenset(args.allow_domain or ()),
    )
    result = scan(cs, options=options, progress=progress)
    if progress:
        print("\r\033[2K", end="", file=sys.stderr, flush=True)
    if not cs.files:
        print(f"gatehouse scan: {cs.source} is an empty diff: nothing to analyse", file=sys.stderr)
    if args.format == "json":
        text = render_json(result, ai_signals=_ai_signals(args, cs))
    elif args.format == "sarif":
        text = render_sarif(result)
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text = render_text(result, colour=colour)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    if fail_on is not None and any(f.severity >= fail_on for f in result.findings):
        return EXIT_FINDINGS
    return EXIT_OK


def _ai_signals(args: argparse.Namespace, cs: object) -> list[dict[str, object]]:
    """The AI signals of the change (files and code notes; commits too with --repo)."""
    from reviewer.app.ai_signals import CommitFacts, extract_signals
    from reviewer.app.provenance import load_signatures
    from reviewer.cli import sources

    commits = (
        [
            CommitFacts(sha, message)
            for sha, message in sources.commits_between(args.repo, args.base, args.head)
        ]
        if args.repo
        else []
    )
    files = getattr(cs, "files", ())
    return [
        s.to_dict()
        for s in extract_signals(files=files, commits=commits, signatures=load_signatures())
    ]


def _eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reviewer.cli import eval as ev
    from reviewer.cli.eval_report import render, summarise

    results = ev.evaluate(Path(args.corpus), jobs=args.jobs)
    summary = summarise(results)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "summary": summary,
                    "cases": [
                        {
                            "id": r.case.case_id,
                            "malicious": r.case.malicious,
                            "detected": r.detected,
                            "detected_high": r.detected_high,
                            "medium_plus": r.medium_plus,
                            "high_plus": r.high_plus,
                            "findings": r.findings if (r.case.malicious or r.medium_plus) else [],
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
        )
    else:
        for line in render(results, summary, verbose=args.verbose):
            print(line)
    return EXIT_OK


def _rules(args: argparse.Namespace) -> int:
    from reviewer.core.catalogue import catalogue, render_markdown

    metas = catalogue()
    if args.format == "markdown":
        sys.stdout.write(render_markdown(metas))
    elif args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "id": m.rule_id,
                        "category": m.category,
                        "severity": m.severity.label,
                        "confidence": m.confidence.label,
                        "languages": list(m.languages),
                        "rationale": m.rationale,
                        "source": m.source,
                    }
                    for m in metas
                ],
                indent=2,
            )
        )
    else:
        for m in metas:
            langs = ",".join(m.languages) or "any"
            print(
                f"{m.rule_id:<48} {m.category:<26} {m.severity.label:<8} {langs:<24} {m.rationale}"
            )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gatehouse", description="Find backdoors and data exfiltration in code changes."
    )
    p.add_argument("--version", action="version", version=f"gatehouse {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("scan", help="scan a diff or a git range and print findings")
    s.add_argument("--diff", metavar="FILE", help="a unified diff (git format); - reads stdin")
    s.add_argument("--repo", metavar="DIR", help="a local git repository")
    s.add_argument("--base", metavar="REV", help="base revision (with --repo)")
    s.add_argument("--head", metavar="REV", help="head revision (with --repo)")
    s.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    s.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    s.add_argument(
        "--fail-on", metavar="SEVERITY", help="exit 1 when a finding is at least this severe"
    )
    s.add_argument(
        "--disable", action="append", metavar="RULE_ID", help="disable a rule (repeatable)"
    )
    s.add_argument(
        "--allow-domain", action="append", metavar="DOMAIN", help="an allowed outbound domain"
    )
    s.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    s.set_defaults(func=_scan)

    e = sub.add_parser("eval", help="measure detection on a corpus (recall, noise)")
    e.add_argument("corpus", metavar="CORPUS_DIR")
    e.add_argument("--format", choices=("text", "json"), default="text")
    e.add_argument("--jobs", "-j", type=int, default=None, help="parallel scans (default: 2)")
    e.add_argument("--verbose", "-v", action="store_true", help="list the noisy benign commits")
    e.set_defaults(func=_eval)

    r = sub.add_parser(
        "rules", help="list every rule: id, category, severity, languages, rationale"
    )
    r.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    r.set_defaults(func=_rules)

    from reviewer.service.cli_commands import add_subcommands

    add_subcommands(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except GatehouseError as exc:
        print(f"gatehouse {args.command}: {exc.diagnostics()}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

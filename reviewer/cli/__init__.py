"""The `gatehouse` command line: ``main`` parses the commands, ``sources`` reads a diff,
``output`` prints a scan as text, JSON or SARIF, ``eval`` and ``eval_report`` measure detection
over a corpus."""

from reviewer.cli.main import main

__all__ = ["main"]

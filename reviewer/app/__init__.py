"""The application layer: Gatehouse's decisions as plain functions of values.

Everything here takes values and returns values: provenance and AI signals, the repository
policy file, the check-run report, review-comment planning, chat-command parsing, webhook
verification and routing, and the scan decision. No Flask, GitHub client, HTTP, database,
queue or socket: ``reviewer.service`` does the I/O and calls in here (tests/test_layering.py
holds the line). Read-only data shipped with the package (the AI signatures file) is the one
thing loaded from disk, as the core loads its rule pack.
"""

"""Gatehouse: a review gate for AI-assisted pull requests."""

__version__ = "0.1.0"

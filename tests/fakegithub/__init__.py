"""A fake GitHub REST API served over real HTTP on loopback, for the App's tests."""

from .server import FakeGitHub, FakeRepo, Recorded

__all__ = ["FakeGitHub", "FakeRepo", "Recorded"]

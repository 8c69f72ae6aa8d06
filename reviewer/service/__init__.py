"""The Gatehouse service: the GitHub App around the sans-I/O analysis core.

Everything here may touch the network, the queue or the database; nothing in
``reviewer.core`` imports from this package.
"""

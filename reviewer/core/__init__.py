"""The sans-I/O analysis core: a ChangeSet in, findings out.

Nothing under ``reviewer.core`` imports Flask, PyGithub, a queue or a database;
``tests/test_layering.py`` enforces it.
"""

"""Vocabulary, errors, settings, paths, records, escaping, verdicts and UI strings.

The base every other layer imports; it imports none of them.
"""

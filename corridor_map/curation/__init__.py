"""Curation: the store of the curated layers with every change kept, and the edits on it."""

"""Measuring features and uploads; the documents' time axis."""

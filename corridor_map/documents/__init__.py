"""The policy documents: normalization, the corpus, excerpts, search, snippets."""

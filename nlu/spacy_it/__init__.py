"""Reproducible Italian spaCy pipeline (blank ``it`` + lookup lemmatizer) and its data files."""

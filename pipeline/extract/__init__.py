"""Extractors that turn a segmented, tokenized spaCy Doc into mentions."""

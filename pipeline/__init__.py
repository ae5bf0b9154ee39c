"""Extraction of conditions, adverse effects and doses from drug articles into Parquet tables."""

__version__ = "0.1.0"

"""Loaders for the bundled public data: typed records with their Source."""

from econsec.datasets._csv import data_dir
from econsec.datasets.bundled import load_bundled
from econsec.datasets.countries import countries, is_aggregate_label, resolve_country

__all__ = ["countries", "data_dir", "is_aggregate_label", "load_bundled", "resolve_country"]

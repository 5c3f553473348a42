"""casegraph: an open investigative analysis platform built on statements with provenance."""

__version__ = "0.1.0"

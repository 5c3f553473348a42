"""Ingest: source readers, FtM mappings and the resumable pipeline."""

"""The one clock of the services layer: UTC, second precision, ISO 8601 text."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def utc_stamp() -> str:
    """UTC with microseconds and a `Z`: audit events and token times, which must order
    and compare exactly (e.g. 2026-11-22T17:32:21.123456Z)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

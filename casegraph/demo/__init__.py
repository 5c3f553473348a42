"""Deterministic generator of a realistic multi-source demo investigation.

`generate(out_dir, size=..., seed=...)` writes sources in their native formats,
followthemoney mappings, a manifest and the planted ground truth.
"""

from casegraph.demo.generate import generate
from casegraph.demo.manifest import Manifest, SourceEntry, load_manifest

__all__ = ["Manifest", "SourceEntry", "generate", "load_manifest"]

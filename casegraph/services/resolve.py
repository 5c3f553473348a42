"""Entity resolution, the application layer: runs, judgements, undo, and governed reads.

Every function takes `store, ctx`, asks the Policy and records one audit event (runs,
judgements and undo are `combine`; the queue, explanations and canonical entities are
`consult`). The CLI and the web review screen call these and nothing below them.
"""

from __future__ import annotations

from casegraph.services.judgements import Judgement, Undone, judge, parse_verdict, undo
from casegraph.services.resolve_read import (
    Canonical,
    Member,
    PairExplanation,
    QueueItem,
    RecordView,
    canonical,
    cluster_labels,
    explain_pair,
    review_queue,
)
from casegraph.services.resolve_run import CHUNK_SIZE, PairProgress, RunSummary, resolve

__all__ = [
    "CHUNK_SIZE",
    "Canonical",
    "Judgement",
    "Member",
    "PairExplanation",
    "PairProgress",
    "QueueItem",
    "RecordView",
    "RunSummary",
    "Undone",
    "canonical",
    "cluster_labels",
    "explain_pair",
    "judge",
    "parse_verdict",
    "resolve",
    "review_queue",
    "undo",
]

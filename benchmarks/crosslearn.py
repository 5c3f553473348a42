"""Cross-script name retrieval with learned romanisations (casegraph.search.learned_translit).

Same task as `benchmarks/crossscript.py` (which see): per script, the corpus is every
distinct Latin name, the queries the native names of the rows whose 0-based data-row
position is divisible by 10. The romaniser is trained on the other rows only (both
scripts' rows together, one model: nothing in it is per script).

Learned keys are extra alternatives of a query part: the part keeps its untrained keys
(`names.name_keys`) and gains, for each of its `--romanisations` most probable learned
Latin spellings r, the keys r (names column; only the first `--spellings`), phonetic_key(r)
and skeleton(r). A full-text index ORs a part's alternatives. The re-rank of the top 200
uses the best Jaro-Winkler similarity of any alternative spelling of a part.

    python benchmarks/crosslearn.py [--limit N] [--queries N] [--model PATH]
"""

from __future__ import annotations

import argparse
import csv
import heapq
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from crossscript import (  # noqa: E402
    DATA,
    FIELDS,
    RERANK_DEPTH,
    RERANK_WEIGHT,
    K,
    KeyIndex,
    Task,
    load,
    part_fields,
    recall,
    table,
)
from rigour.text.distance import jaro_winkler  # noqa: E402

from casegraph.search.learned_translit import Model, split, train  # noqa: E402
from casegraph.search.names import NameKeys, name_keys, phonetic_key, skeleton  # noqa: E402


def training_pairs(path: Path = DATA, limit: int | None = None) -> list[tuple[str, str]]:
    """(Latin, native) of every row whose position is not divisible by 10."""
    pairs = []
    with path.open(newline="", encoding="utf-8") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            if limit is not None and position >= limit:
                break
            if position % 10:
                pairs.append((row["name_latin"], row["name_native"]))
    return pairs


@dataclass
class Expanded:
    """A query: per part, key values per field, and the part's alternative spellings."""

    tokens: tuple[str, ...]
    parts: list[dict[str, set[str]]]
    spellings: list[list[str]]


def expand(model: Model, name: str, romanisations: int, spellings: int) -> Expanded:
    keys = name_keys(name)
    parts = part_fields(keys)
    words = split(name)
    if len(words) == len(keys.tokens):
        sources = words
    elif len(words) == 1 and len(keys.tokens) > 1:
        sources = words + list(keys.tokens[1:])
    else:
        sources = list(keys.tokens)
    alternatives: list[list[str]] = []
    for part, ascii_form, source in zip(parts, keys.ascii, sources, strict=True):
        learned = [text for text, _ in model.romanise_word(source, romanisations)]
        for rank, text in enumerate(learned):
            if rank < spellings:
                part["names"].add(text)
            if phonetic := phonetic_key(text):
                part["phonetic"].add(phonetic)
            if skel := skeleton(text):
                part["skeleton"].add(skel)
        alternatives.append([form for form in [ascii_form, *learned] if form])
    return Expanded(keys.tokens, parts, alternatives)


class LearnedIndex(KeyIndex):
    """KeyIndex whose query parts are `Expanded` (several spellings per part)."""

    def _terms(self, query: NameKeys) -> list[tuple[str, str, list[int]]]:
        if not isinstance(query, Expanded):
            return super()._terms(query)
        terms: dict[tuple[str, str], list[int]] = {}
        for position, part in enumerate(query.parts):
            for field in FIELDS:
                for value in part[field]:
                    if value in self.postings[field]:
                        terms.setdefault((field, value), []).append(position)
        return [(field, value, positions) for (field, value), positions in terms.items()]

    def rerank(self, query: NameKeys, hits: Sequence[tuple[int, float]], k: int = K) -> list[int]:
        if not isinstance(query, Expanded):
            return super().rerank(query, hits, k)
        rescored = []
        for doc, score in hits:
            targets = [form for form in self.corpus[doc].ascii if form]
            total = 0.0
            if targets:
                for forms in query.spellings:
                    if forms:
                        total += max(jaro_winkler(a, b) for a in forms for b in targets)
            sim = total / max(1, len(query.spellings))
            rescored.append((doc, score * (1 + RERANK_WEIGHT * sim)))
        return [doc for doc, _ in heapq.nlargest(k, rescored, key=lambda item: item[1])]


def _row(
    task: Task, method: str, results: Sequence[Sequence[int]], answers: list[int], seconds: float
) -> dict[str, object]:
    return {
        "script": task.script,
        "method": method,
        "corpus": len(task.corpus),
        "queries": len(answers),
        "recall@1": round(recall(results, answers, 1), 4),
        "recall@10": round(recall(results, answers, 10), 4),
        "ms/query": round(1000 * seconds / max(1, len(answers)), 1),
    }


def evaluate(
    model: Model,
    path: Path = DATA,
    limit: int | None = None,
    queries: int | None = None,
    romanisations: int = 8,
    spellings: int = 3,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for task in load(path, limit).values():
        sample = task.queries[:queries] if queries else task.queries
        names = [query for query, _ in sample]
        answers = [answer for _, answer in sample]
        index = LearnedIndex([name_keys(name) for name in task.corpus])

        start = time.perf_counter()
        base = [name_keys(name) for name in names]
        hits = [index.search(q, RERANK_DEPTH) for q in base]
        today = [index.rerank(q, h) for q, h in zip(base, hits, strict=True)]
        rows.append(
            _row(
                task,
                "today: keys + re-rank (crossscript)",
                today,
                answers,
                time.perf_counter() - start,
            )
        )

        start = time.perf_counter()
        expanded = [expand(model, name, romanisations, spellings) for name in names]
        romanised = time.perf_counter() - start
        hits = [index.search(q, RERANK_DEPTH) for q in expanded]  # type: ignore[arg-type]
        searched = time.perf_counter() - start
        top = [[doc for doc, _ in h[:K]] for h in hits]
        learned = [index.rerank(q, h) for q, h in zip(expanded, hits, strict=True)]  # type: ignore[arg-type]
        reranked = time.perf_counter() - start
        rows.append(_row(task, "learned keys, no re-rank", top, answers, searched))
        rows.append(_row(task, "learned keys + re-rank", learned, answers, reranked))
        print(
            f"{task.script}: romanising {1000 * romanised / max(1, len(names)):.1f} ms/query",
            file=sys.stderr,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=None, help="read only the first N rows")
    parser.add_argument("--queries", type=int, default=None, help="first N queries per script")
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="model file: loaded if it exists, else trained and saved there",
    )
    parser.add_argument("--iterations", type=int, default=4, help="EM iterations")
    parser.add_argument(
        "--train-sample",
        type=int,
        default=None,
        help="train on about N training pairs, evenly spread",
    )
    parser.add_argument("--romanisations", type=int, default=8)
    parser.add_argument(
        "--max-spellings", type=int, default=None, help="prune the model's spellings per chunk"
    )
    parser.add_argument("--spellings", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    if args.model is not None and args.model.exists():
        model = Model.load(args.model)
        print(f"model loaded in {time.perf_counter() - start:.2f}s", file=sys.stderr)
    else:
        pairs = training_pairs(args.data, args.limit)
        if args.train_sample:
            pairs = pairs[:: max(1, len(pairs) // args.train_sample)]
        model = train(pairs, iterations=args.iterations)
        print(f"trained in {time.perf_counter() - start:.1f}s", file=sys.stderr)
        if args.model is not None:
            model.save(args.model)
            print(f"model {args.model.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
    if args.max_spellings:
        model = model.pruned(args.max_spellings)
    print(
        table(
            evaluate(model, args.data, args.limit, args.queries, args.romanisations, args.spellings)
        )
    )
    print(f"\ntotal {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()

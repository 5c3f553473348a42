"""Cross-script name retrieval: casegraph's name keys vs a plain SQLite FTS5 index.

Data: transliterated full-name pairs English <-> Hebrew / Korean mined from Wikidata
(`pairs_fullname_en_he_ko.csv`, see PROVENANCE.md next to it). For each script:

- corpus: every distinct Latin name of that script's rows;
- queries: the native name of every row whose 0-based data row index over the whole file
  is divisible by 10; a query is answered if its row's Latin name is ranked.

Nothing is learned from the data: the keys are the untrained rules of
`casegraph.search.names`, the same for every script.

Retrievers, recall@1 and recall@10 each:

- casegraph keys, fields summed + re-rank: `rank_keys`, an in-memory model of a full-text
  index over the key columns (names = tokens and ascii, phonetic, skeleton; see
  `KeyIndex`), its top 200 re-ranked with `names.similarity`;
- casegraph keys, fields summed: the same without the re-rank;
- casegraph keys, best column per part: each query part counts once, by the best column it
  matches in (weights 10/3/1.5, idf log(1 + 1e6 / (1 + df))), as casegraph's SQL scoring
  (`casegraph.search.scoring`) does at the time of writing;
- sqlite fts5 (raw names): what a user would build - FTS5 (default unicode61 tokenizer)
  over the raw Latin names, queried with the raw native name's words ORed, bm25 order.

    python benchmarks/crossscript.py [--data PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import heapq
import math
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from casegraph.search.names import NameKeys, name_keys, similarity  # noqa: E402

DATA = Path("/work/shared/data/er/translit_he_ko/pairs_fullname_en_he_ko.csv")
SCRIPTS = ("he", "ko")
K = 10
FIELDS = ("names", "phonetic", "skeleton")
# Summed fields: a written form (token or transliteration) > phonetic > skeleton.
WEIGHTS: dict[str, float] = {"names": 2.0, "phonetic": 1.0, "skeleton": 0.8}
BM25_K1 = 1.2
BM25_B = 0.75
# Keys held by more than this share of the corpus only add to names a rarer key found.
COMMON = 0.02
# Re-rank: how many top hits, and how much spelling similarity can multiply a score.
RERANK_DEPTH = 200
RERANK_WEIGHT = 2.0
# Best column per part, as casegraph.search.scoring (text_query.WEIGHTS, scoring.idf).
BEST_WEIGHTS: dict[str, float] = {"names": 10.0, "phonetic": 3.0, "skeleton": 1.5}
BEST_IDF_N = 1_000_000

Keys = Callable[[str], NameKeys]


@dataclass
class Task:
    """One script's retrieval task: corpus strings, and (query, index of answer) pairs."""

    script: str
    corpus: list[str]
    queries: list[tuple[str, int]]


def load(path: Path = DATA, limit: int | None = None) -> dict[str, Task]:
    """Read the pairs file into one task per script (see the module docstring)."""
    tasks = {script: Task(script, [], []) for script in SCRIPTS}
    index: dict[str, dict[str, int]] = {script: {} for script in SCRIPTS}
    with path.open(newline="", encoding="utf-8") as handle:
        for position, row in enumerate(csv.DictReader(handle)):
            if limit is not None and position >= limit:
                break
            task = tasks[row["lang"]]
            seen = index[row["lang"]]
            latin = row["name_latin"]
            answer = seen.get(latin)
            if answer is None:
                answer = seen[latin] = len(task.corpus)
                task.corpus.append(latin)
            if position % 10 == 0:
                task.queries.append((row["name_native"], answer))
    return tasks


# --- (a) casegraph keys -----------------------------------------------------------------


def part_fields(keys: NameKeys) -> list[dict[str, set[str]]]:
    """Per part, its key values per field (the `names` field holds token and ascii)."""
    return [
        {
            "names": {value for value in (token, ascii_form) if value},
            "phonetic": {phonetic} if phonetic else set(),
            "skeleton": {skeleton} if skeleton else set(),
        }
        for token, ascii_form, phonetic, skeleton in zip(
            keys.tokens, keys.ascii, keys.phonetic, keys.skeleton, strict=True
        )
    ]


class KeyIndex:
    """An in-memory stand-in for a full-text index over the name-key columns.

    One inverted index per field (names, phonetic, skeleton) from key value to the
    corpus names holding it; a query part's keys are looked up in the same field.

    `search` sums, like BM25 over the columns: every distinct query key that matches adds
    field weight x idf, the sum is scaled by BM25's length norm (length = part count) and
    by the share of query parts that matched any key (more matched parts rank higher).
    Keys held by more than `COMMON` of the corpus only add to names that a rarer key
    found (unless there is none), which makes the run several times faster; on this data
    it costs 0.002-0.005 recall@10 against scoring every match (COMMON = 1.01).

    `search_best` counts each query part once, by the best field it matches in (with the
    same treatment of common keys).
    """

    def __init__(self, corpus: Sequence[NameKeys]):
        self.corpus = corpus
        self.size = len(corpus)
        self.postings: dict[str, dict[str, list[int]]] = {f: defaultdict(list) for f in FIELDS}
        self._sets: dict[tuple[str, str], set[int]] = {}
        lengths = [max(1, len(keys.tokens)) for keys in corpus]
        average = sum(lengths) / max(1, len(lengths))
        # BM25 term saturation for tf=1: (k1 + 1) / (1 + k1 * (1 - b + b * dl / avgdl)).
        self.norms = [
            (BM25_K1 + 1) / (1 + BM25_K1 * (1 - BM25_B + BM25_B * length / average))
            for length in lengths
        ]
        for doc, keys in enumerate(corpus):
            values: dict[str, set[str]] = {field: set() for field in FIELDS}
            for part in part_fields(keys):
                for field in FIELDS:
                    values[field] |= part[field]
            for field in FIELDS:
                postings = self.postings[field]
                for value in values[field]:
                    postings[value].append(doc)

    def df(self, field: str, value: str) -> int:
        return len(self.postings[field].get(value, ()))

    def _terms(self, query: NameKeys) -> list[tuple[str, str, list[int]]]:
        """(field, value, query part positions) of every query key found in the corpus."""
        terms: dict[tuple[str, str], list[int]] = {}
        for position, part in enumerate(part_fields(query)):
            for field in FIELDS:
                for value in part[field]:
                    if value in self.postings[field]:
                        terms.setdefault((field, value), []).append(position)
        return [(field, value, positions) for (field, value), positions in terms.items()]

    def search(self, query: NameKeys, k: int = K) -> list[tuple[int, float]]:
        """The k best (corpus index, score) for a query, best first: fields summed."""
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, set[int]] = defaultdict(set)
        cap = COMMON * self.size
        common = []
        for field, value, positions in self._terms(query):
            df = self.df(field, value)
            weight = WEIGHTS[field] * math.log((self.size - df + 0.5) / (df + 0.5) + 1)
            if df > cap:
                common.append((field, value, positions, weight))
                continue
            for doc in self.postings[field][value]:
                scores[doc] += weight
                matched[doc].update(positions)
        for field, value, positions, weight in common:
            docs: Iterable[int] = self.postings[field][value]
            if scores:
                members = self._members(field, value)
                docs = [doc for doc in scores if doc in members]
            for doc in docs:
                scores[doc] += weight
                matched[doc].update(positions)
        norms = self.norms
        parts = max(1, len(query.tokens))
        ranked = [
            (doc, score * norms[doc] * len(matched[doc]) / parts) for doc, score in scores.items()
        ]
        return heapq.nlargest(k, ranked, key=lambda item: item[1])

    def search_best(self, query: NameKeys, k: int = K) -> list[tuple[int, float]]:
        """The k best (corpus index, score): each query part by its best field."""
        best: dict[int, dict[int, float]] = defaultdict(dict)
        cap = COMMON * self.size
        common = []
        for field, value, positions in self._terms(query):
            df = self.df(field, value)
            weight = BEST_WEIGHTS[field] * math.log(1 + BEST_IDF_N / (1 + df))
            if df > cap:
                common.append((field, value, positions, weight))
                continue
            for doc in self.postings[field][value]:
                self._keep_best(best[doc], positions, weight)
        for field, value, positions, weight in common:
            docs: Iterable[int] = self.postings[field][value]
            if best:
                members = self._members(field, value)
                docs = [doc for doc in best if doc in members]
            for doc in docs:
                self._keep_best(best[doc], positions, weight)
        scores = [(doc, sum(parts.values())) for doc, parts in best.items()]
        return heapq.nlargest(k, scores, key=lambda item: item[1])

    @staticmethod
    def _keep_best(parts: dict[int, float], positions: list[int], weight: float) -> None:
        for position in positions:
            if parts.get(position, 0.0) < weight:
                parts[position] = weight

    def _members(self, field: str, value: str) -> set[int]:
        members = self._sets.get((field, value))
        if members is None:
            members = self._sets[(field, value)] = set(self.postings[field][value])
        return members

    def rerank(self, query: NameKeys, hits: Sequence[tuple[int, float]], k: int = K) -> list[int]:
        """Hits re-scored by score x (1 + RERANK_WEIGHT x spelling similarity)."""
        corpus = self.corpus
        rescored = [
            (doc, score * (1 + RERANK_WEIGHT * similarity(query, corpus[doc])))
            for doc, score in hits
        ]
        return [doc for doc, _ in heapq.nlargest(k, rescored, key=lambda item: item[1])]


def rank_keys(
    corpus: Sequence[str],
    queries: Sequence[str],
    k: int = K,
    keys: Keys = name_keys,
    rerank: bool = True,
) -> list[list[int]]:
    """For each query name, the corpus indexes of its k best matches by name keys.

    Index: `KeyIndex` over the keys of the corpus names, fields summed; with `rerank`, its
    top `RERANK_DEPTH` re-ranked by spelling similarity (`names.similarity`).
    """
    index = KeyIndex([keys(name) for name in corpus])
    results = []
    for query in queries:
        query_keys = keys(query)
        if rerank:
            results.append(index.rerank(query_keys, index.search(query_keys, RERANK_DEPTH), k))
        else:
            results.append([doc for doc, _ in index.search(query_keys, k)])
    return results


# --- (b) plain FTS5 ---------------------------------------------------------------------


def _fts_query(name: str) -> str:
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in name.split())


def rank_fts5(corpus: Sequence[str], queries: Sequence[str], k: int = K) -> list[list[int]]:
    """The baseline: FTS5 over raw Latin names, native words ORed, bm25 order."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE names USING fts5(name)")
    db.executemany(
        "INSERT INTO names(rowid, name) VALUES (?, ?)", ((i, n) for i, n in enumerate(corpus))
    )
    results: list[list[int]] = []
    for query in queries:
        match = _fts_query(query)
        rows: list[tuple[int]] = []
        if match:
            rows = db.execute(
                "SELECT rowid FROM names WHERE names MATCH ? ORDER BY bm25(names) LIMIT ?",
                (match, k),
            ).fetchall()
        results.append([row[0] for row in rows])
    db.close()
    return results


# --- evaluation -------------------------------------------------------------------------


def recall(results: Iterable[Sequence[int]], answers: Sequence[int], k: int) -> float:
    hits = sum(answer in ranked[:k] for ranked, answer in zip(results, answers, strict=True))
    return hits / max(1, len(answers))


def _row(
    task: Task, method: str, results: Sequence[Sequence[int]], seconds: float
) -> dict[str, object]:
    answers = [answer for _, answer in task.queries]
    return {
        "script": task.script,
        "method": method,
        "corpus": len(task.corpus),
        "queries": len(task.queries),
        "recall@1": round(recall(results, answers, 1), 4),
        "recall@10": round(recall(results, answers, 10), 4),
        "seconds": round(seconds, 1),
    }


def evaluate(path: Path = DATA, limit: int | None = None) -> list[dict[str, object]]:
    """Run the retrievers on both scripts; one row per (script, method). Seconds include
    computing the keys of the corpus and the queries."""
    rows: list[dict[str, object]] = []
    for task in load(path, limit).values():
        names = [query for query, _ in task.queries]
        start = time.perf_counter()
        index = KeyIndex([name_keys(name) for name in task.corpus])
        queries = [name_keys(name) for name in names]
        built = time.perf_counter() - start

        start = time.perf_counter()
        hits = [index.search(query, RERANK_DEPTH) for query in queries]
        searched = built + time.perf_counter() - start
        start = time.perf_counter()
        reranked = [index.rerank(q, h) for q, h in zip(queries, hits, strict=True)]
        rerank_s = searched + time.perf_counter() - start
        top = [[doc for doc, _ in h[:K]] for h in hits]
        rows.append(_row(task, "casegraph keys, fields summed + re-rank", reranked, rerank_s))
        rows.append(_row(task, "casegraph keys, fields summed", top, searched))

        start = time.perf_counter()
        best = [[doc for doc, _ in index.search_best(query)] for query in queries]
        best_s = built + time.perf_counter() - start
        rows.append(_row(task, "casegraph keys, best column per part", best, best_s))

        start = time.perf_counter()
        fts = rank_fts5(task.corpus, names)
        rows.append(_row(task, "sqlite fts5 (raw names)", fts, time.perf_counter() - start))
    return rows


def table(rows: Sequence[dict[str, object]]) -> str:
    columns = list(rows[0]) if rows else []
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=None, help="read only the first N rows")
    args = parser.parse_args()
    start = time.perf_counter()
    print(table(evaluate(args.data, args.limit)))
    print(f"\ntotal {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()

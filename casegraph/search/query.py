"""The search query language, parsed into a small tree (pure).

    putin                      a term (every term must match: terms are ANDed)
    "vladimir putin"           an exact phrase
    putin OR medvedev          OR means OR: either may match
    putin AND NOT medvedev     NOT (or a leading -) excludes
    (a OR b) c                 parentheses group
    rosn*                      prefix
    mohamed~  mohamed~1        fuzzy: up to 2 (or the given number of) edits
    schema:Person              field filters: schema, dataset, country, marking,
    email:a@b.org              or any FtM property
    name:"vladimir putin"      name matching: every key of every name part, ranked
    birthDate:1950..1960       a range (either end may be left open: 1950..)

The tree is interpreted by the search backends; this module only knows syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

from casegraph.errors import QuerySyntaxError


@dataclass(frozen=True)
class Term:
    """A word. `prefix` for `word*`; `fuzzy` is the allowed edits for `word~`, or None."""

    text: str
    prefix: bool = False
    fuzzy: int | None = None


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in order."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    """`name:value` or `name:"a phrase"`; `prefix` for `name:value*`."""

    name: str
    value: str
    prefix: bool = False


@dataclass(frozen=True)
class Range:
    """`name:low..high`, inclusive; an open end is None."""

    name: str
    low: str | None
    high: str | None


@dataclass(frozen=True)
class And:
    """All items must match (flattened: never holds an And)."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one item must match (flattened: never holds an Or)."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """Excludes what the item matches; never the only thing a query asks for."""

    item: Node


Node = Term | Phrase | Field | Range | And | Or | Not

MAX_LENGTH = 1000
"""The longest query accepted, in characters."""

MAX_DEPTH = 32
"""The deepest nesting of parentheses accepted."""

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_DIGITS = frozenset("0123456789")
_SPECIAL = '()"'
_UNARY_START = frozenset({"(", "NOT", "-", "LEAF"})
_MISPLACED_STAR = "* may only end a word, as in rosn*"
_MISPLACED_TILDE = "~ may only end a word, as in mohamed~ or mohamed~1"


def parse_query(text: str) -> Node:
    """Parse `text` into a tree, or raise `QuerySyntaxError` pointing at the problem.

    Rules decided here (docs/query-language.md explains them to users):

    - AND binds tighter than OR: `a b OR c` is `(a b) OR c`.
    - NOT NOT x is x.
    - `http://…`-like words (a value starting with `//`) are terms, not filters.
    - A quoted filter value is literal (`name:"a*"` has no prefix, no range).
    - `~` is refused in an unquoted filter value: filters are never fuzzy.
    - The query as a whole, and each side of every OR, needs a part that is not
      negated: `NOT a`, `-a -b`, `a OR NOT b` are refused, `a NOT b` is fine.
    """
    if len(text) > MAX_LENGTH:
        _fail(text, MAX_LENGTH, f"the query is too long: use at most {MAX_LENGTH} characters")
    if not text.strip():
        _fail(text, 0, "empty query: type at least one term or filter")
    return _Parser(text).parse()


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR", "NOT", "-", "LEAF" or "END"
    position: int
    leaf: Node | None = None


def _fail(query: str, position: int, message: str) -> NoReturn:
    raise QuerySyntaxError(message, query=query, position=position)


def _positive(node: Node) -> bool:
    """Whether `node` requires something to be present, rather than only excluding."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(item) for item in node.items)
    if isinstance(node, Or):
        return all(_positive(item) for item in node.items)
    return True


def _join(kind: type[And] | type[Or], items: list[Node]) -> Node:
    """One item stays itself; nested groups of the same kind are flattened."""
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        if isinstance(item, kind):
            flat.extend(item.items)
        else:
            flat.append(item)
    return kind(tuple(flat))


class _Parser:
    """Recursive descent over tokens read one at a time, so errors come in text order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize()
        self.current = next(self.tokens)
        self.depth = 0

    def fail(self, position: int, message: str) -> NoReturn:
        _fail(self.text, position, message)

    def advance(self) -> _Token:
        token = self.current
        if token.kind != "END":
            self.current = next(self.tokens)
        return token

    # -- grammar -----------------------------------------------------------------

    def parse(self) -> Node:
        start = self.current.position
        node = self.or_expr()
        if self.current.kind == ")":
            self.fail(self.current.position, 'unbalanced parenthesis: ")" has no matching "("')
        if not _positive(node):
            self.fail(start, "a query needs at least one term or filter that is not negated")
        return node

    def or_expr(self) -> Node:
        start = self.current.position
        branches = [self.and_expr()]
        while self.current.kind == "OR":
            if not _positive(branches[-1]):
                self.fail(start, "each side of OR needs a term or filter that is not negated")
            operator = self.advance()
            if self.current.kind not in _UNARY_START:
                self.fail(operator.position, "OR needs a term on both sides")
            start = self.current.position
            branches.append(self.and_expr())
        if len(branches) > 1 and not _positive(branches[-1]):
            self.fail(start, "each side of OR needs a term or filter that is not negated")
        return _join(Or, branches)

    def and_expr(self) -> Node:
        token = self.current
        if token.kind in ("AND", "OR"):
            self.fail(token.position, f"{token.kind} needs a term on both sides")
        if token.kind == ")":
            self.fail(token.position, 'unbalanced parenthesis: ")" has no matching "("')
        if token.kind == "END":  # unreachable: parse_query refuses blank queries
            self.fail(token.position, "empty query: type at least one term or filter")
        items = [self.unary()]
        while True:
            if self.current.kind == "AND":
                operator = self.advance()
                if self.current.kind not in _UNARY_START:
                    self.fail(operator.position, "AND needs a term on both sides")
            elif self.current.kind not in _UNARY_START:
                break
            items.append(self.unary())
        return _join(And, items)

    def unary(self) -> Node:
        negated = False
        while self.current.kind in ("NOT", "-"):
            operator = self.advance()
            if self.current.kind not in _UNARY_START:
                self.fail(operator.position, "NOT needs a term after it, as in NOT medvedev")
            negated = not negated
        node = self.primary()
        return Not(node) if negated else node

    def primary(self) -> Node:
        token = self.advance()
        if token.kind == "LEAF":
            assert token.leaf is not None
            return token.leaf
        # the callers only come here on a unary start: this is "("
        if self.current.kind == "END":
            self.fail(token.position, 'unbalanced parenthesis: "(" has no matching ")"')
        if self.current.kind == ")":
            self.fail(token.position, "empty parentheses: put a term between ( and )")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(
                token.position, f"too many nested parentheses: use at most {MAX_DEPTH} levels"
            )
        node = self.or_expr()
        if self.current.kind != ")":
            self.fail(token.position, 'unbalanced parenthesis: "(" has no matching ")"')
        self.advance()
        self.depth -= 1
        return node

    # -- tokens ------------------------------------------------------------------

    def _tokenize(self) -> Iterator[_Token]:
        text, n, i = self.text, len(self.text), 0
        after_minus = False
        while i < n:
            char = text[i]
            if char.isspace():
                i += 1
                continue
            if char in "()":
                yield _Token(char, i)
                i += 1
            elif char == '"':
                words, end = self._quoted(i)
                if not words:
                    self.fail(i, 'empty phrase: put words between the quotes, as in "a b"')
                yield _Token("LEAF", i, Phrase(tuple(words)))
                i = end
            elif char == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != ")":
                yield _Token("-", i)
                i += 1
                after_minus = True
                continue
            else:
                end = i
                while end < n and not text[end].isspace() and text[end] not in _SPECIAL:
                    end += 1
                word = text[i:end]
                if word in _OPERATORS and not after_minus:
                    yield _Token(word, i)
                    i = end
                else:
                    leaf, after = self._leaf(word, i, end)
                    yield _Token("LEAF", i, leaf)
                    i = after
            after_minus = False
        yield _Token("END", n)

    def _quoted(self, start: int) -> tuple[list[str], int]:
        """The words between the quote at `start` and its closing quote, and the end."""
        close = self.text.find('"', start + 1)
        if close == -1:
            self.fail(start, 'unclosed quote: add a closing "')
        return self.text[start + 1 : close].split(), close + 1

    def _leaf(self, word: str, start: int, end: int) -> tuple[Node, int]:
        """A term or a filter from the word at text[start:end], and where to go on."""
        if word == "-":
            self.fail(start, "- needs a term right after it, with no space: -medvedev")
        colon = word.find(":")
        name, value = word[:colon], word[colon + 1 :]
        if colon < 1 or not _NAME.fullmatch(name) or value.startswith("//"):
            return self._term(word, start), end
        where = start + colon + 1
        if value:
            return self._filter(name, value, where), end
        if end < len(self.text) and self.text[end] == '"':
            words, after = self._quoted(end)
            if words:
                return Field(name, " ".join(words)), after
        self.fail(where, f'empty value after "{name}:": write {name}:value or {name}:"a value"')

    def _term(self, word: str, start: int) -> Term:
        star, tilde = word.find("*"), word.find("~")
        if star == -1 and tilde == -1:
            return Term(word)
        if tilde == -1 or -1 < star < tilde:
            if star != len(word) - 1:
                self.fail(start + star, _MISPLACED_STAR)
            if star < 2:
                self.fail(start + star, "a prefix needs at least 2 characters before *")
            return Term(word[:-1], prefix=True)
        base, edits = word[:tilde], word[tilde + 1 :]
        if not base:
            self.fail(start, "~ needs a word before it, as in mohamed~")
        if not edits:
            return Term(base, fuzzy=_auto_edits(base))
        if edits in ("0", "1", "2"):
            return Term(base, fuzzy=int(edits))
        if set(edits) <= _DIGITS:
            self.fail(start + tilde + 1, "fuzzy edits must be 0, 1 or 2, as in mohamed~1")
        self.fail(start + tilde, _MISPLACED_TILDE)

    def _filter(self, name: str, value: str, start: int) -> Field | Range:
        tilde = value.find("~")
        if tilde != -1:
            self.fail(start + tilde, "a filter cannot be fuzzy: remove the ~, or quote the value")
        star = value.find("*")
        dots = value.find("..")
        if dots != -1:
            low, high = value[:dots], value[dots + 2 :]
            if ".." in high:
                self.fail(start + dots + 2 + high.find(".."), 'a range has one "..": low..high')
            if star != -1:
                self.fail(start + star, "* cannot be used in a range: write low..high")
            if not low and not high:
                self.fail(
                    start + dots, "a range needs at least one end, as in 1950..1960 or 1950.."
                )
            return Range(name, low or None, high or None)
        if star == -1:
            return Field(name, value)
        if star != len(value) - 1:
            self.fail(start + star, _MISPLACED_STAR)
        if star < 2:
            self.fail(start + star, "a prefix needs at least 2 characters before *")
        return Field(name, value[:-1], prefix=True)


def _auto_edits(word: str) -> int:
    """Lucene's AUTO fuzziness: 0 edits below 3 characters, 1 up to 5, then 2."""
    if len(word) < 3:
        return 0
    return 1 if len(word) <= 5 else 2

"""A tiny, safe arithmetic language for formula constraints: never ``eval``.

Grammar (recursive descent, one function per rule)::

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := "-" unary | "+" unary | atom
    atom    := number | name | `any column name` | "(" sum ")"

Names are columns. Anything else (attribute access, calls, subscripts, lambdas, powers,
comparisons, names starting with ``__``) is refused with a message naming what was found,
so an expression stored in a config or a model file can only ever do arithmetic on columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
MAX_DEPTH = 50
_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|`(?P<quoted>[^`]+)`|(?P<op>[-+*/()]))"
)


@dataclass(frozen=True)
class Node:
    """One node of a parsed formula: a number, a column, or an operator over two nodes."""

    op: str  # "num", "col", "+", "-", "*", "/", "neg"
    value: float = 0.0
    name: str = ""
    args: tuple[Node, ...] = ()


@dataclass
class Parsed:
    root: Node
    columns: list[str] = field(default_factory=list)

    def evaluate(self, values: Mapping[str, FloatArray]) -> FloatArray:
        """The formula over column arrays; NaN where an operand is missing or x/0."""
        rows = len(next(iter(values.values()))) if values else 1
        with np.errstate(all="ignore"):
            result = _evaluate(self.root, values)
            out = np.array(np.broadcast_to(result, (rows,)), dtype=np.float64)
        out[~np.isfinite(out)] = np.nan
        return out


def parse_formula(expression: str) -> Parsed:
    """The parsed ``expression``, or ValueError saying what is not allowed."""
    tokens = _tokenize(expression)
    parser = _Parser(tokens)
    root = parser.sum(0)
    if parser.position != len(tokens):
        raise ValueError(f"unexpected {tokens[parser.position][1]!r} in formula {expression!r}")
    return Parsed(root=root, columns=list(dict.fromkeys(_columns(root))))


def _tokenize(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            found = text[position:].lstrip()[:1]
            raise ValueError(
                f"{found!r} is not allowed in a formula; use + - * / and parentheses over "
                "column names (`quoted` when they hold other characters) and numbers"
            )
        kind = match.lastgroup or ""
        word = match.group(kind)
        if kind in ("name", "quoted") and word.startswith("__"):
            raise ValueError(f"name {word!r} is not allowed in a formula")
        tokens.append(("name" if kind == "quoted" else kind, word))
        position = match.end()
    if not tokens:
        raise ValueError("the formula is empty")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ValueError("the formula ends too early; complete the expression")
        self.position += 1
        return token

    def sum(self, depth: int) -> Node:
        return self._chain(depth, ("+", "-"), self.product)

    def product(self, depth: int) -> Node:
        return self._chain(depth, ("*", "/"), self.unary)

    def _chain(self, depth: int, ops: tuple[str, str], operand: Callable[[int], Node]) -> Node:
        node = operand(depth)
        token = self.peek()
        while token is not None and token[1] in ops:
            self.take()
            node = Node(op=token[1], args=(node, operand(depth)))
            token = self.peek()
        return node

    def unary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise ValueError(f"the formula nests deeper than {MAX_DEPTH} levels; simplify it")
        token = self.peek()
        if token is not None and token[1] in ("-", "+"):
            self.take()
            inner = self.unary(depth + 1)
            return inner if token[1] == "+" else Node(op="neg", args=(inner,))
        return self.atom(depth)

    def atom(self, depth: int) -> Node:
        kind, word = self.take()
        if kind == "number":
            return Node(op="num", value=float(word))
        if kind == "name":
            following = self.peek()
            if following is not None and following[1] == "(":
                raise ValueError(f"calls are not allowed in a formula (found {word}(...))")
            return Node(op="col", name=word)
        if word == "(":
            inner = self.sum(depth + 1)
            if self.take()[1] != ")":
                raise ValueError("unbalanced parentheses in the formula")
            return inner
        raise ValueError(f"unexpected {word!r} in the formula")


def _columns(node: Node) -> list[str]:
    if node.op == "col":
        return [node.name]
    return [name for arg in node.args for name in _columns(arg)]


_OPERATORS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}


def _evaluate(node: Node, values: Mapping[str, FloatArray]) -> FloatArray | float:
    if node.op == "num":
        return node.value
    if node.op == "col":
        return values[node.name]
    args = [np.asarray(_evaluate(arg, values)) for arg in node.args]
    if node.op == "neg":
        negated: FloatArray = np.negative(args[0])
        return negated
    out: FloatArray = np.asarray(_OPERATORS[node.op](args[0], args[1]), dtype=np.float64)
    return out

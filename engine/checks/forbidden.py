"""Forbidden calls, found by static analysis of the learner's source in the trusted process.

What it catches: a forbidden name reached through ``import torch``, ``import torch.nn
as nn``, ``from torch import nn``, ``from torch.nn import LSTMCell as L``, aliases by
assignment (``m = torch.nn``), attribute chains, ``getattr(obj, "LSTM" + "Cell")`` with
constant strings, re-exports of the same object under another module path (resolved by
identity against the real libraries), and any attribute or name spelled like the
forbidden one (``anything.LSTMCell``). When a problem forbids anything, the escape
hatches that hide names from static analysis are refused too: ``__import__``,
``importlib``, ``eval``, ``exec``, ``compile``, ``globals``, ``vars``, ``sys.modules``,
``builtins`` and ``getattr`` with a computed name.

What it cannot catch (documented, deliberately not chased): names assembled at run time
from data in ways that avoid all of the above, e.g. walking ``type.__subclasses__()`` or
an object's ``__dict__`` with a computed key. The sandbox keeps such code harmless; the
rule is a teaching aid, not a security boundary.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass

_ESCAPE_NAMES = {
    "__import__",
    "eval",
    "exec",
    "compile",
    "globals",
    "vars",
    "locals",
    "__builtins__",
}
_ESCAPE_MODULES = {"importlib", "builtins", "ctypes"}
_RESOLVABLE_ROOTS = {"torch", "numpy", "scipy", "math"}


@dataclass(frozen=True)
class Violation:
    name: str  # the forbidden name, or the escape hatch
    line: int
    column: int
    sentence: str


class _Analyzer(ast.NodeVisitor):
    def __init__(self, forbidden: list[str]) -> None:
        self.forbidden = forbidden
        self.leaves = {f.rsplit(".", 1)[-1] for f in forbidden}
        self.aliases: dict[str, str] = {}
        self.violations: list[Violation] = []

    # -- name resolution -------------------------------------------------
    def resolve(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call) and _is_name(node.func, "getattr") and len(node.args) >= 2:
            base = self.resolve(node.args[0])
            attr = _constant_string(node.args[1])
            if base and attr:
                return f"{base}.{attr}"
        return None

    def report(self, node: ast.AST, name: str, sentence: str) -> None:
        self.violations.append(
            Violation(
                name, getattr(node, "lineno", 0), getattr(node, "col_offset", 0) + 1, sentence
            )
        )

    def check_name(self, node: ast.AST, dotted: str | None) -> None:
        if not dotted:
            return
        for f in self.forbidden:
            if dotted == f or dotted.startswith(f + ".") or _same_object(dotted, f):
                self.report(
                    node,
                    f,
                    f"uses `{f}` (line {node.lineno}), which this problem asks you to implement yourself",
                )
                return

    # -- visitors ----------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            root = alias.name.split(".")[0]
            if root in _ESCAPE_MODULES:
                self.report(
                    node,
                    alias.name,
                    f"imports `{alias.name}` (line {node.lineno}), which is not allowed in this problem",
                )
            if alias.asname:
                self.aliases[alias.asname] = alias.name
                self.check_name(node, alias.name)
            else:
                self.aliases[root] = root
                self.check_name(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if module.split(".")[0] in _ESCAPE_MODULES:
            self.report(
                node,
                module,
                f"imports from `{module}` (line {node.lineno}), which is not allowed in this problem",
            )
        for alias in node.names:
            if alias.name == "*":
                for f in self.forbidden:
                    if f.startswith(module + "."):
                        self.report(
                            node,
                            f,
                            f"`from {module} import *` (line {node.lineno}) brings in `{f}`; import only what you need",
                        )
                continue
            dotted = f"{module}.{alias.name}"
            self.aliases[alias.asname or alias.name] = dotted
            self.check_name(node, dotted)

    def visit_Assign(self, node: ast.Assign) -> None:
        dotted = self.resolve(node.value)
        if dotted:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.aliases[target.id] = dotted
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = self.resolve(node)
        if dotted:
            self.check_name(node, dotted)
        elif node.attr in self.leaves:
            self.report(
                node,
                node.attr,
                f"uses `.{node.attr}` (line {node.lineno}), which this problem asks you to implement yourself",
            )
        if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
            self.report(
                node,
                "sys.modules",
                f"uses `sys.modules` (line {node.lineno}), which is not allowed in this problem",
            )
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in _ESCAPE_NAMES:
            self.report(
                node,
                node.id,
                f"uses `{node.id}` (line {node.lineno}), which is not allowed in this problem",
            )
        elif node.id in self.aliases:
            self.check_name(node, self.aliases[node.id])

    def visit_Call(self, node: ast.Call) -> None:
        if _is_name(node.func, "getattr") and len(node.args) >= 2:
            attr = _constant_string(node.args[1])
            if attr is None:
                self.report(
                    node,
                    "getattr",
                    f"calls getattr with a computed name (line {node.lineno}); write the attribute out",
                )
            else:
                self.check_name(node, self.resolve(node))
                if attr in self.leaves:
                    self.report(
                        node,
                        attr,
                        f"reaches `{attr}` through getattr (line {node.lineno}), which this problem asks you to implement yourself",
                    )
        self.generic_visit(node)


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _constant_string(node: ast.AST) -> str | None:
    """The value of a constant string expression (literals joined with +, f-strings of literals)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_string(node.left), _constant_string(node.right)
        if left is not None and right is not None:
            return left + right
    if isinstance(node, ast.JoinedStr):
        parts = [_constant_string(v) for v in node.values]
        if all(p is not None for p in parts):
            return "".join(parts)
    return None


def _lookup(dotted: str):
    parts = dotted.split(".")
    if parts[0] not in _RESOLVABLE_ROOTS:
        raise LookupError(dotted)
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[: i + 1]))
    return obj


def _same_object(dotted: str, forbidden: str) -> bool:
    """True when ``dotted`` names the very object ``forbidden`` names (a re-export)."""
    if dotted.rsplit(".", 1)[-1] != forbidden.rsplit(".", 1)[-1]:
        return False
    try:
        return _lookup(dotted) is _lookup(forbidden)
    except Exception:  # noqa: BLE001 - an unknown name is simply not the forbidden one
        return False


def find_forbidden_calls(source: str, forbidden: list[str]) -> list[Violation]:
    """Every use of a forbidden name (or of an escape hatch) in ``source``, in source order."""
    if not forbidden:
        return []
    analyzer = _Analyzer(list(forbidden))
    analyzer.visit(ast.parse(source))
    unique: dict[tuple, Violation] = {}
    for v in analyzer.violations:
        unique.setdefault((v.line, v.name), v)
    return sorted(unique.values(), key=lambda v: (v.line, v.column))

"""Forbidden calls, found by static analysis of the learner's source in the trusted process.

Judged by what is called, not by how names are spelled: only names bound to the real
libraries are resolved. It catches a forbidden name reached through ``import torch``,
``import torch.nn as nn``, ``from torch import nn``, ``from torch.nn import LSTMCell as
L``, aliases by assignment (``m = torch.nn``, ``t = np.tanh``), attribute chains,
``getattr(torch.nn, "LSTM" + "Cell")`` with constant strings, and re-exports of the same
object under another module path (resolved by identity against the real libraries).

A learner's own functions, classes, methods and attributes are never refused, whatever
their names (``self.softmax(x)`` on the learner's class is fine), and neither is
``getattr`` with a computed name. When a problem forbids anything, the escape hatches
that hide module names from static analysis are refused: ``__import__``, ``importlib``,
``eval``, ``exec``, ``compile``, ``globals``, ``vars``, ``sys.modules`` and ``builtins``.

The trusted process never imports, executes or looks up by import anything the learner
wrote: a dotted name is resolved only against modules already in ``sys.modules``, by
reading module ``__dict__`` entries (no ``getattr``, so no module ``__getattr__`` runs).

What it cannot catch statically: a method of a library object reached through a value,
e.g. ``tensor.softmax(dim=-1)``, since the static check cannot know that ``tensor`` is a
torch tensor. The sandbox keeps such code harmless; the rule is a teaching aid, not a
security boundary.
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from dataclasses import dataclass

from engine.messages import msg

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
    data: dict | None = None  # the sentence as a message (engine.messages)


class _Analyzer(ast.NodeVisitor):
    def __init__(self, forbidden: list[str]) -> None:
        self.forbidden = forbidden
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

    def report(self, node: ast.AST, name: str, sentence: str, code: str, **params) -> None:
        line = getattr(node, "lineno", 0)
        data = msg(code, name=name, line=line, **params)
        self.violations.append(
            Violation(name, line, getattr(node, "col_offset", 0) + 1, sentence, data)
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
                    "forbidden.use",
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
                    "forbidden.import",
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
                "forbidden.import_from",
            )
        for alias in node.names:
            if alias.name == "*":
                for f in self.forbidden:
                    if f.startswith(module + "."):
                        self.report(
                            node,
                            f,
                            f"`from {module} import *` (line {node.lineno}) brings in `{f}`; import only what you need",
                            "forbidden.star",
                            module=module,
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
        if node.attr == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
            self.report(
                node,
                "sys.modules",
                f"uses `sys.modules` (line {node.lineno}), which is not allowed in this problem",
                "forbidden.escape",
            )
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in _ESCAPE_NAMES:
            self.report(
                node,
                node.id,
                f"uses `{node.id}` (line {node.lineno}), which is not allowed in this problem",
                "forbidden.escape",
            )
        elif node.id in self.aliases:
            self.check_name(node, self.aliases[node.id])

    def visit_Call(self, node: ast.Call) -> None:
        if _is_name(node.func, "getattr") and len(node.args) >= 2:
            if _constant_string(node.args[1]) is not None:
                self.check_name(node, self.resolve(node))
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


_MISSING = object()


def _lookup(dotted: str):
    """The object ``dotted`` names, found only among modules already loaded; never imports.

    Each step reads a module's ``__dict__`` (or an already-loaded submodule from
    ``sys.modules``), so no learner-written name is imported, executed or passed to a
    module ``__getattr__``. Anything else raises LookupError.
    """
    parts = dotted.split(".")
    if parts[0] not in _RESOLVABLE_ROOTS or parts[0] not in sys.modules:
        raise LookupError(dotted)
    obj = sys.modules[parts[0]]
    for i, part in enumerate(parts[1:], start=1):
        namespace = getattr(obj, "__dict__", None)
        found = (
            namespace.get(part, _MISSING)
            if isinstance(namespace, (dict, types.MappingProxyType))
            else _MISSING
        )
        if found is _MISSING:
            found = sys.modules.get(".".join(parts[: i + 1]), _MISSING)
        if found is _MISSING:
            raise LookupError(dotted)
        obj = found
    return obj


def _same_object(dotted: str, forbidden: str) -> bool:
    """True when ``dotted`` names the very object ``forbidden`` names (a re-export)."""
    if dotted.rsplit(".", 1)[-1] != forbidden.rsplit(".", 1)[-1]:
        return False
    try:
        return _lookup(dotted) is _lookup(forbidden)
    except Exception:  # noqa: BLE001 - an unknown name is simply not the forbidden one
        return False


def _load_trusted_modules(forbidden: list[str]) -> None:
    """Import the modules the problem's author named (never a name from learner code)."""
    for name in forbidden:
        parts = name.split(".")
        if parts[0] not in _RESOLVABLE_ROOTS:
            continue
        for end in range(len(parts) - 1, 0, -1):
            try:
                importlib.import_module(".".join(parts[:end]))
                break
            except ImportError:
                continue


def find_forbidden_calls(source: str, forbidden: list[str]) -> list[Violation]:
    """Every use of a forbidden name (or of an escape hatch) in ``source``, in source order."""
    if not forbidden:
        return []
    _load_trusted_modules(forbidden)
    analyzer = _Analyzer(list(forbidden))
    analyzer.visit(ast.parse(source))
    unique: dict[tuple, Violation] = {}
    for v in analyzer.violations:
        unique.setdefault((v.line, v.name), v)
    return sorted(unique.values(), key=lambda v: (v.line, v.column))

"""Learner values -> plain data, inside the child.

Never trusts a value's own methods: base-class slots are called directly
(``int.__index__``, ``float.__float__``, ``tuple.__iter__``, an ``ndarray`` viewed as its
base class, tensors detached to arrays) and every result's type is checked exactly;
anything else becomes ``Unsupported(type, repr)``.
"""

from __future__ import annotations

import sys

from .wire import MAX_DEPTH, lazy_numpy


class Unsupported:
    """The child's stand-in for ``api.Unsupported`` (the api module is not importable here)."""

    __slots__ = ("type_name", "text")

    def __init__(self, type_name, text):
        self.type_name, self.text = type_name, text


class Ref:
    """The child's stand-in for ``api.Ref``."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


def safe_repr(x):
    """``repr(x)`` cut to 200 characters, or what made it fail."""
    try:
        r = repr(x)
        if type(r) is not str:
            r = str.__str__(r)
        return r[:200]
    except BaseException as exc:  # noqa: BLE001 - a learner's __repr__ may raise anything
        return f"<repr failed: {type(exc).__name__}>"


def type_name_of(x):
    """``"Foo"`` for the learner's or a builtin type, ``"module.Foo"`` otherwise."""
    t = type(x)
    mod = getattr(t, "__module__", "") or ""
    name = getattr(t, "__qualname__", t.__name__)
    if type(mod) is not str or type(name) is not str:
        return "?"
    return name if mod in ("builtins", "solution") else f"{mod}.{name}"


def to_plain(x, depth=0):
    """Learner value -> plain data, inside the child.  Never trusts the value's methods:
    base-class slots are called directly and the result's type is checked exactly."""
    np = lazy_numpy()
    if depth > MAX_DEPTH:
        return Unsupported(type_name_of(x), "nested too deeply")
    t = type(x)
    if x is None or t is bool:
        return x
    if isinstance(x, bool):  # pragma: no cover - bool cannot be subclassed
        return bool(x)
    if isinstance(x, int):
        return int.__index__(x)
    if isinstance(x, float):
        return float.__float__(x)
    if isinstance(x, str):
        return str.__str__(x)
    if isinstance(x, complex):
        return np.asarray(complex.__complex__(x))
    if isinstance(x, np.generic):
        if isinstance(x, np.bool_):
            return bool(x)
        if isinstance(x, np.integer):
            return int(x)
        if isinstance(x, np.floating):
            return float(x)
        if isinstance(x, np.complexfloating):
            return np.asarray(x)
        return Unsupported(type_name_of(x), safe_repr(x))
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        try:
            with torch.no_grad():
                y = torch.Tensor.detach(x)
                y = torch.Tensor.cpu(y)
                if y.dtype in (torch.bfloat16,):
                    y = y.float()
                if y.is_conj():
                    y = y.resolve_conj()
                a = torch.Tensor.numpy(y)
            a = np.array(a, copy=True)
        except BaseException as exc:  # noqa: BLE001 - a tensor subclass may raise anything
            return Unsupported(type_name_of(x), f"tensor conversion failed: {type(exc).__name__}")
        return to_plain(a, depth + 1) if type(a) is np.ndarray else Unsupported("tensor", "?")
    if isinstance(x, np.ndarray):
        a = np.ndarray.view(x, np.ndarray) if t is not np.ndarray else x
        if a.dtype.kind not in "biufc" or a.dtype.hasobject or a.dtype.fields:
            return Unsupported(f"ndarray[{a.dtype}]", safe_repr(x))
        return np.array(a, copy=True, order="C")
    if isinstance(x, tuple):
        return tuple(to_plain(v, depth + 1) for v in tuple.__iter__(x))
    if isinstance(x, list):
        return [to_plain(v, depth + 1) for v in list.__iter__(x)]
    if isinstance(x, dict):
        out = {}
        for k, v in dict.items(x):
            if not isinstance(k, str):
                return Unsupported(type_name_of(x), "dict with a non-str key: " + safe_repr(k))
            out[str.__str__(k)] = to_plain(v, depth + 1)
        return out
    return Unsupported(type_name_of(x), safe_repr(x))

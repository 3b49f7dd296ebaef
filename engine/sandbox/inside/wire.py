"""The wire format between the trusted process and the sandbox, shared by both sides
(one implementation: the trusted side's ``protocol`` imports it from here).

One message::

    b"QSB1" | u64 json_len | u32 n_arrays | json | (u64 npy_len | npy bytes) * n_arrays

Values inside the JSON are tagged: lists are JSON arrays; ``{"$t": [...]}`` a tuple,
``{"$d": [[key, value], ...]}`` a dict with str keys, ``{"$a": i}`` the i-th array,
``{"$r": name}`` a Ref, ``{"$u": [type_name, text]}`` an unsupported value,
``{"$f": "nan"|"inf"|"-inf"}`` a non-finite float.  Arrays are ``.npy`` version 1.0
frames, read back by a strict parser (numeric and bool dtypes only, never pickle).
"""

from __future__ import annotations

import json
import math
import re
import struct
import time

MAGIC = b"QSB1"
_HEAD = struct.Struct(">QI")
_LEN = struct.Struct(">Q")
MAX_DEPTH = 64
MAX_JSON_BYTES = 64 * 1024 * 1024


class WireError(ValueError):
    """The byte stream is not a well-formed message sequence."""


class BudgetError(WireError):
    """A well-formed stream asks the decoder for more than its budget (containers,
    elements, nesting): refused before it is parsed. ``code`` and ``params`` say which, as
    a message (engine/message_table.py ``budget.*``) for the learner's language."""

    def __init__(self, message: str, code: str = "", **params):
        super().__init__(message)
        self.code, self.params = code, params


# The trusted decoder's budget for one result stream: JSON containers (``[``/``{``) and
# elements (``,``) are counted on the raw bytes before ``json.loads`` (an upper bound:
# brackets inside strings count too), so a frame of millions of nested empty lists is
# refused at C speed instead of being built into Python objects.
# What is left (JSON strings, many small arrays) is bounded by the decoder's own CPU time,
# measured on the decoding thread (a Celery worker may run others beside it).
RESULT_BUDGET = {"containers": 100_000, "elements": 1_000_000, "cpu_seconds": 2.0}


def lazy_numpy():
    # NumPy is imported on first use: the cold harness must set its thread pools to one
    # (environment variables read when NumPy loads) before the first import
    import numpy

    return numpy


def encode_value(value, arrays, unsupported=None, ref=None, depth=0):
    """Plain value -> JSON-able structure; arrays are appended to ``arrays``.

    ``unsupported``/``ref``: the classes standing for Unsupported/Ref on this side
    (the trusted side passes the api dataclasses; the harness its own).
    """
    np = lazy_numpy()
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if -(2**63) <= value < 2**63:
            return value
        return {"$u": ["int", "integer too large"]}
    if t is float:
        if math.isfinite(value):
            return value
        return {"$f": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if t is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.hasobject or value.dtype.fields:
            return {"$u": [f"ndarray[{value.dtype}]", "unsupported dtype"]}
        arrays.append(value)
        return {"$a": len(arrays) - 1}
    if t is list:
        return [encode_value(v, arrays, unsupported, ref, depth + 1) for v in value]
    if t is tuple:
        return {"$t": [encode_value(v, arrays, unsupported, ref, depth + 1) for v in value]}
    if t is dict:
        items = []
        for k, v in value.items():
            if type(k) is not str:
                raise WireError("dict keys must be str")
            items.append([k, encode_value(v, arrays, unsupported, ref, depth + 1)])
        return {"$d": items}
    if unsupported is not None and t is unsupported:
        return {"$u": [str(value.type_name), str(value.text)]}
    if ref is not None and t is ref:
        return {"$r": str(value.name)}
    raise WireError(f"not a plain value: {t.__name__}")


def decode_value(obj, arrays, unsupported, ref, depth=0):
    """Inverse of :func:`encode_value`; strict: anything unexpected raises WireError."""
    if depth > MAX_DEPTH:
        raise WireError("value nested too deeply")
    t = type(obj)
    if obj is None or t in (bool, int, float, str):
        return obj
    if t is list:
        return [decode_value(v, arrays, unsupported, ref, depth + 1) for v in obj]
    if t is dict and len(obj) == 1:
        ((tag, body),) = obj.items()
        if tag == "$t" and type(body) is list:
            return tuple(decode_value(v, arrays, unsupported, ref, depth + 1) for v in body)
        if tag == "$d" and type(body) is list:
            out = {}
            for item in body:
                if type(item) is not list or len(item) != 2 or type(item[0]) is not str:
                    raise WireError("bad dict item")
                out[item[0]] = decode_value(item[1], arrays, unsupported, ref, depth + 1)
            return out
        if tag == "$a" and type(body) is int:
            if not 0 <= body < len(arrays):
                raise WireError("bad array index")
            return arrays[body]
        if tag == "$u" and type(body) is list and len(body) == 2:
            return unsupported(str(body[0])[:200], str(body[1])[:400])
        if tag == "$r" and type(body) is str:
            return ref(body)
        if tag == "$f" and body in ("nan", "inf", "-inf"):
            return float(body)
    raise WireError("bad value tag")


_NPY_MAGIC = b"\x93NUMPY\x01\x00"
_NPY_HEADER = re.compile(
    r"\{'descr': '([<>|=][biufc][0-9]{1,2})', 'fortran_order': False, "
    r"'shape': \(((?:[0-9]{1,19}, ?)*(?:[0-9]{1,19})?)\), \} *\n"
)
_HEAD_CACHE: dict = {}  # (descr, shape) -> magic + header bytes
_PARSED_CACHE: dict = {}  # validated magic + header bytes -> (dtype, shape, body size)


def _npy_bytes(a):
    """``.npy`` version 1.0 bytes of a C-ordered copy of ``a`` (what ``np.save`` writes,
    without its per-call overhead)."""
    if not a.flags.c_contiguous:
        a = lazy_numpy().ascontiguousarray(a)
    key = (a.dtype.str, a.shape)
    head = _HEAD_CACHE.get(key)
    if head is None:
        descr, shape = key[0], tuple(int(n) for n in a.shape)
        header = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {shape!r}, }}"
        pad = 64 - (10 + len(header) + 1) % 64
        header = (header + " " * pad + "\n").encode("latin1")
        head = _NPY_MAGIC + struct.pack("<H", len(header)) + header
        if len(_HEAD_CACHE) < 512:
            _HEAD_CACHE[key] = head
    return head + a.tobytes()


def _npy_load(buf):
    """Strict reader for the ``.npy`` frames written by :func:`_npy_bytes` (never pickle:
    only plain numeric/bool dtypes are accepted; anything else raises WireError)."""
    np = lazy_numpy()
    if len(buf) >= 10:
        (hlen,) = struct.unpack_from("<H", buf, 8)
        known = _PARSED_CACHE.get(bytes(buf[: 10 + hlen]))
        if known is not None:
            dtype, shape, nbytes = known
            body = buf[10 + hlen :]
            if len(body) != nbytes:
                raise WireError("npy size mismatch")
            return np.frombuffer(body, dtype=dtype).reshape(shape).copy()
    if len(buf) < 10 or bytes(buf[:8]) != _NPY_MAGIC:
        raise WireError("bad npy magic")
    (hlen,) = struct.unpack_from("<H", buf, 8)
    if 10 + hlen > len(buf):
        raise WireError("bad npy header length")
    m = _NPY_HEADER.fullmatch(bytes(buf[10 : 10 + hlen]).decode("latin1"))
    if m is None:
        raise WireError("bad npy header")
    dtype = np.dtype(m.group(1))
    if dtype.kind not in "biufc" or dtype.hasobject:
        raise WireError("bad npy dtype")
    shape = tuple(int(p) for p in m.group(2).replace(" ", "").split(",") if p)
    if len(shape) > 64 or any(n >= 1 << 63 for n in shape):  # what NumPy itself accepts
        raise WireError("bad npy shape")
    count = 1
    for n in shape:
        count *= n
    body = buf[10 + hlen :]
    if len(body) != count * dtype.itemsize:
        raise WireError("npy size mismatch")
    if len(_PARSED_CACHE) < 512:
        _PARSED_CACHE[bytes(buf[: 10 + hlen])] = (dtype, shape, count * dtype.itemsize)
    return np.frombuffer(body, dtype=dtype).reshape(shape).copy()


def pack_message(obj, arrays=()):
    j = json.dumps(obj, allow_nan=False, separators=(",", ":")).encode()
    parts = [MAGIC, _HEAD.pack(len(j), len(arrays)), j]
    for a in arrays:
        b = _npy_bytes(a)
        parts.append(_LEN.pack(len(b)))
        parts.append(b)
    return b"".join(parts)


def unpack_messages(data, max_arrays=100000):
    """bytes -> list of (json_obj, [ndarray]); raises WireError on anything malformed.

    Arrays are loaded with ``allow_pickle=False`` and must have a numeric or bool dtype.
    A trailing incomplete message raises WireError too.
    """
    return list(iter_messages(data, max_arrays))


def iter_messages(data, max_arrays=100000, budget=None):
    """Generator form of :func:`unpack_messages`: yields messages until the first error.
    With ``budget`` (see ``RESULT_BUDGET``), the containers and elements of all frames
    together are capped; going over raises BudgetError before the frame is parsed."""
    np = lazy_numpy()
    view = memoryview(data)
    containers = elements = 0
    pos, n = 0, len(data)
    cpu_cap = budget.get("cpu_seconds") if budget is not None else None
    cpu_start = time.thread_time()

    def check_cpu():
        if cpu_cap is not None and time.thread_time() - cpu_start > cpu_cap:
            raise BudgetError(
                f"more than {cpu_cap:g} s of the grader's CPU to decode",
                "budget.cpu",
                seconds=cpu_cap,
            )

    while pos < n:
        check_cpu()
        if n - pos < 4 + _HEAD.size or bytes(view[pos : pos + 4]) != MAGIC:
            raise WireError("bad frame header")
        jlen, narr = _HEAD.unpack_from(view, pos + 4)
        pos += 4 + _HEAD.size
        if jlen > MAX_JSON_BYTES or jlen > n - pos or narr > max_arrays:
            raise WireError("bad frame length")
        raw = bytes(view[pos : pos + jlen])
        if budget is not None:
            containers += raw.count(b"[") + raw.count(b"{")
            elements += raw.count(b",")
            if containers > budget["containers"]:
                raise BudgetError(
                    f"more than {budget['containers']} lists, tuples or dicts",
                    "budget.containers",
                    count=budget["containers"],
                )
            if elements > budget["elements"]:
                raise BudgetError(
                    f"more than {budget['elements']} elements",
                    "budget.elements",
                    count=budget["elements"],
                )
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise WireError(f"bad json: {exc}") from None
        del raw
        pos += jlen
        arrays = []
        for _ in range(narr):
            if n - pos < _LEN.size:
                raise WireError("truncated array frame")
            (alen,) = _LEN.unpack_from(view, pos)
            pos += _LEN.size
            if alen > n - pos:
                raise WireError("truncated array")
            try:
                a = _npy_load(view[pos : pos + alen])
            except WireError:
                raise
            except Exception as exc:  # noqa: BLE001 - any parse failure is a wire error
                raise WireError(f"bad npy: {exc}") from None
            if type(a) is not np.ndarray:
                raise WireError("bad array")
            pos += alen
            arrays.append(a)
            check_cpu()
        yield obj, arrays

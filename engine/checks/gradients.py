"""Reference gradients through PyTorch autograd, computed in the trusted process.

Mirrors ``engine.sandbox.api.GradRequest``: the arguments at ``wrt`` become float64
tensors with ``requires_grad``, and ``sum_k (output[k] * upstream[k]).sum()`` is
backpropagated. Each gradient is an array, or None when nothing reached the argument.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def to_tensors(args: tuple, requires_grad: tuple[int, ...] = ()) -> list:
    import torch  # torch problems only: importing it takes seconds

    out = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            t = torch.from_numpy(np.array(a, copy=True))
            if i in requires_grad:
                t = t.to(torch.float64).requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def to_plain(value: Any) -> Any:
    """Tensors to arrays (0-d stays an array), tuples element-wise."""
    import torch  # torch problems only: importing it takes seconds

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, tuple | list):
        return tuple(to_plain(v) for v in value)
    return value


def reference_gradients(
    fn: Callable, args: tuple, kwargs: dict, wrt: tuple[int, ...], upstream: dict[int, Any]
) -> tuple[Any, dict[int, np.ndarray | None]]:
    """(outputs as plain values, {arg index: gradient or None})."""
    import torch  # torch problems only: importing it takes seconds

    tensors = to_tensors(args, wrt)
    out = fn(*tensors, **kwargs)
    outputs = out if isinstance(out, tuple) else (out,)
    total = None
    for k, up in upstream.items():
        up_t = torch.as_tensor(up, dtype=outputs[k].dtype)
        term = (outputs[k] * up_t).sum()
        total = term if total is None else total + term
    grads: dict[int, np.ndarray | None] = {i: None for i in wrt}
    if total is not None and total.requires_grad:
        total.backward()
        for i in wrt:
            g = tensors[i].grad
            grads[i] = None if g is None else g.detach().numpy().copy()
    return to_plain(out), grads

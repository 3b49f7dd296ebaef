"""Grader helpers appended to the learner's module so that calls can reach the model.

The sandbox can call only functions of the learner's module, and a model lives only inside
the sandbox. ``HELPERS`` is appended *after* the learner's source (so learner line numbers
are unchanged and a learner definition of the same name is overwritten) and gives the
trusted side a few entry points of its own: copy a model, read its parameters and layers,
make the optimiser, run a forward pass with gradients off, run a grader-side training loop.

What these helpers return is computed inside the learner's process: a learner who sets out
to tamper with PyTorch there (monkeypatching ``torch.nn.Module`` at import, say) can make
them lie. They are protection against honest mistakes and naive self-reports, not against
a determined adversary; see "Training exercises" in docs/engine.md.
"""

from __future__ import annotations

PREFIX = "_grader_"

HELPERS = '''

# ---- grader helpers: appended by engine.training, not part of the learner's file ----


_grader_last_report = [-1.0]


def _grader_report_due(step, total):
    """Whether a training loop should report its step now: every quarter second, and the last."""
    import time

    now = time.perf_counter()
    if step < total and now - _grader_last_report[0] < 0.25:
        return False
    _grader_last_report[0] = now
    return True


def _grader_report(step, total, loss=None, part=0, parts=1):
    """Step ``step`` of ``total`` of loop ``part`` of ``parts`` (and its loss), for the page
    while the job runs (the harness's ``_grader_progress``; display only)."""
    sink = globals().get("_grader_progress")
    if callable(sink):
        try:
            sink(step, total, loss, part, parts)
        except Exception:
            pass


def _grader_seed(seed):
    import random

    import numpy
    import torch

    random.seed(seed)
    numpy.random.seed(seed)
    torch.manual_seed(seed)


def _grader_clone(model):
    import copy

    return copy.deepcopy(model)


def _grader_parameters(model):
    import torch

    return {
        name: torch.Tensor.detach(p).clone()
        for name, p in torch.nn.Module.named_parameters(model)
    }


def _grader_modules(model):
    import torch

    found = []
    for name, module in torch.nn.Module.named_modules(model):
        info = {"name": name, "type": type(module).__name__}
        for key in ("bidirectional", "hidden_size", "num_layers", "batch_first",
                    "input_size", "in_channels", "out_channels"):
            value = getattr(module, key, None)
            if type(value) in (bool, int):
                info[key] = value
        kernel = getattr(module, "kernel_size", None)
        if type(kernel) is tuple and all(type(k) is int for k in kernel):
            info["kernel_size"] = list(kernel)
        found.append(info)
    return found


def _grader_optimizer(model, kind, lr):
    import torch

    params = torch.nn.Module.parameters(model)
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr)
    return torch.optim.Adam(params, lr=lr)


def _grader_logits(model, x):
    import torch

    training = model.training
    torch.nn.Module.eval(model)
    try:
        with torch.no_grad():
            return model(x)
    finally:
        torch.nn.Module.train(model, training)


def _grader_fit(model, x, y, steps, lr, batch):
    """A plain training loop (Adam, cross-entropy, no clipping) for build_model-only problems."""
    import torch

    optimizer = torch.optim.Adam(torch.nn.Module.parameters(model), lr=lr)
    torch.nn.Module.train(model, True)
    for step in range(steps):
        start = (step * batch) % len(x)
        xb, yb = x[start : start + batch], y[start : start + batch]
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        if _grader_report_due(step + 1, steps):
            _grader_report(step + 1, steps, float(loss))


def _grader_fit_ladder(model, x, y, steps, lrs, batch, factor, trainer, max_norm):
    """From copies of ``model``: ``steps`` Adam steps at each learning rate of ``lrs`` in turn.

    Each rung's logits on ``x`` come back, to be judged by the grader; the rungs stop at the
    first whose loss falls below ``factor`` x the start (only to save time: a rung is judged
    outside from its logits, whatever this loop thinks of it).
    """
    import copy

    import torch

    before = _grader_logits(model, x)
    start = float(torch.nn.functional.cross_entropy(before, y))
    rungs = []
    for rung, lr in enumerate(lrs):
        fit = copy.deepcopy(model)
        optimizer = _grader_optimizer(fit, "adam", lr)
        torch.nn.Module.train(fit, True)
        trace = []  # the logits on x after each step but the last: the loss curve, for the page
        for step in range(steps):
            if step:
                trace.append(_grader_logits(fit, x))
                if _grader_report_due(step, steps):
                    loss = float(torch.nn.functional.cross_entropy(trace[-1], y))
                    _grader_report(step, steps, loss, rung, len(lrs))
            i = (step * batch) % len(x)
            xb, yb = x[i : i + batch], y[i : i + batch]
            if trainer == "learner":
                train_step(fit, optimizer, xb, yb, max_norm)
                continue
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(fit(xb), yb)
            loss.backward()
            optimizer.step()
        after = _grader_logits(fit, x)
        rungs.append({"lr": float(lr), "after": after, "trace": trace})
        end = float(torch.nn.functional.cross_entropy(after, y))
        _grader_report(steps, steps, end if end == end else None, rung, len(lrs))
        if end == end and end <= factor * start:
            break
    return {"before": before, "rungs": rungs}


def _grader_probe(model, x, kind):
    """One forward pass watched by hooks: each call of a ``kind`` module (input and output
    shapes; the first call's output and final state) and the last nn.Linear called (its input
    and output), with the model's logits. Plain tensors only: the grader compares them."""
    import torch

    def first(value):
        return value[0] if type(value) in (tuple, list) else value

    def plain(value):
        # Tensors as they are; anything else (a PackedSequence, say) as None, so that the
        # grader reports a wrong shape instead of this hook failing the forward pass.
        return torch.Tensor.detach(value).clone() if isinstance(value, torch.Tensor) else None

    layer_calls, linear_calls = [], []

    def on_layer(module, inputs, output):
        state = output[1] if type(output) in (tuple, list) and len(output) > 1 else None
        if type(state) in (tuple, list):
            state = state[0]  # an LSTM's (h_n, c_n): the hidden state
        shape = getattr(first(inputs), "shape", None)
        layer_calls.append({
            "input": list(shape) if isinstance(shape, torch.Size) else None,
            "output": plain(first(output)),
            "state": plain(state),
        })

    def on_linear(module, inputs, output):
        linear_calls.append({"input": plain(first(inputs)), "output": plain(output)})

    handles = []
    for _, module in torch.nn.Module.named_modules(model):
        if type(module).__name__ == kind:
            handles.append(torch.nn.Module.register_forward_hook(module, on_layer))
        if isinstance(module, torch.nn.Linear):
            handles.append(torch.nn.Module.register_forward_hook(module, on_linear))
    try:
        logits = _grader_logits(model, x)
    finally:
        for handle in handles:
            handle.remove()
    found = {
        "layer_calls": len(layer_calls),
        "linear_calls": len(linear_calls),
        "logits": logits,
    }
    if layer_calls:
        call = layer_calls[0]
        found["layer_input"] = call["input"]
        found["layer_output"] = call["output"]
        found["layer_state"] = call["state"]
    if linear_calls:
        found["linear_input"] = linear_calls[-1]["input"]
        found["linear_output"] = linear_calls[-1]["output"]
    return found


def _grader_perturbed(model, kind, seed):
    """A copy of ``model`` whose ``kind`` modules' parameters have noise added (half their
    typical size), to see whether those parameters reach the logits."""
    import copy

    import torch

    clone = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, module in torch.nn.Module.named_modules(clone):
            if type(module).__name__ != kind:
                continue
            for p in torch.nn.Module.parameters(module):
                size = float(p.abs().mean()) + 1e-2
                noise = torch.randn(p.shape, generator=generator, dtype=p.dtype)
                p.add_(0.5 * size * noise)
    return clone


def _grader_train(model, ex, dx, dy, steps):
    """The learner's ``train``, counting optimiser steps (per optimiser, every torch.optim
    optimiser) and in-place updates of the parameters (their version counters)."""
    import torch
    from torch.optim.optimizer import register_optimizer_step_post_hook

    counts = {}
    every = max(1, steps // 25)
    trace = {"steps": [], "predictions": []}
    latest = [None]  # the training MSE at the last recorded step, for the progress reports

    def record(step):
        # The teacher-forced outputs on the training windows, every `every` steps of the first
        # optimiser: the grader computes the loss curve from them, for the page only. Eval mode
        # and the RNG state restored, so that recording leaves the training as it was.
        if len(trace["steps"]) > 60:
            return
        rng = torch.random.get_rng_state()
        training = model.training
        torch.nn.Module.eval(model)
        try:
            with torch.no_grad():
                y, _ = decode(model, dx, encode(model, ex))
            y = torch.Tensor.detach(torch.as_tensor(y)).clone()
            trace["predictions"].append(y)
            trace["steps"].append(step)
            try:
                latest[0] = float(((y.reshape(dy.shape) - dy) ** 2).mean())
            except Exception:
                latest[0] = None
        except Exception:
            trace["steps"].append(-1)  # unreadable: no more points
        finally:
            torch.nn.Module.train(model, training)
            torch.random.set_rng_state(rng)

    def count(optimizer, args, kwargs):
        counts[id(optimizer)] = counts.get(id(optimizer), 0) + 1
        first = next(iter(counts))
        n = counts[first]
        if id(optimizer) == first and n % every == 0 and -1 not in trace["steps"]:
            record(n)
        # Steps past the budget are not reported: each would be a "last step", never held back
        if id(optimizer) == first and n <= steps and _grader_report_due(n, steps):
            _grader_report(n, steps, latest[0])

    params = list(torch.nn.Module.parameters(model))
    versions = [p._version for p in params]
    record(0)
    handle = register_optimizer_step_post_hook(count)
    try:
        train(model, ex, dx, dy, steps)
    finally:
        handle.remove()
    deltas = [p._version - v for p, v in zip(params, versions)]
    return {
        "optimizer_steps": max(counts.values(), default=0),
        "parameter_updates": min((d for d in deltas if d > 0), default=0),
        "trace": trace,
    }


def _grader_value(value):
    return value


def _grader_rollout(model, ex, n_steps, start):
    """Inference driven from here: encode, then feed each decoder output back as the next input."""
    import torch

    with torch.no_grad():
        state = encode(model, ex)
        y = torch.full((ex.shape[0], 1, 1), float(start), dtype=ex.dtype)
        outputs = []
        for _ in range(n_steps):
            y, state = decode(model, y, state)
            y = torch.as_tensor(y).reshape(ex.shape[0], 1, 1)
            outputs.append(y)
        return torch.cat(outputs, dim=1)
'''


def with_helpers(code: str) -> str:
    """The learner's source with the helpers appended."""
    return code.rstrip("\n") + "\n" + HELPERS

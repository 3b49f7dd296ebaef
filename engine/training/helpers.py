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

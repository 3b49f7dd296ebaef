"""Sequence classifiers on the spoken digits (Conv1D, SimpleRNN, GRU, bidirectional LSTM).

Learner entry points: ``build_model(n_features, n_classes)`` (a module mapping
``(N, T, n_features)`` to logits ``(N, n_classes)``) and, for the clipping exercise,
``train_step(model, optimizer, x, y, max_norm)``. The grader makes the optimiser, copies
the model, reads parameters and computes every loss and norm itself.
"""

from __future__ import annotations

import numpy as np

from engine.sandbox.api import Ref
from engine.training.core import Failure, Plan, Suite, call
from engine.training.data import spoken_digit_sample
from engine.training.suites.values import array_of_shape, cross_entropy

MODEL = Ref("model")
NO_CLIP = 1.0e6
LAYER_ATTRS = (
    "bidirectional",
    "batch_first",
    "hidden_size",
    "num_layers",
    "input_size",
    "in_channels",
    "out_channels",
    "kernel_size",
)  # a max_norm no gradient reaches: the unclipped step


def _setup(args: dict, seed: int) -> list:
    return [
        call("_grader_seed", seed),
        call("build_model", int(args["n_features"]), int(args["n_classes"]), store_as="model"),
    ]


def _digits(params: dict, seed: int, n_key: str = "batch"):
    return spoken_digit_sample(int(params.get(n_key, 8)), int(params.get("steps", 1000)), seed)


def _logits(values, n: int, n_classes: int, what: str):
    return array_of_shape(values, (n, n_classes), what)


def output_shape(params: dict, seed: int) -> Plan:
    x, _ = _digits(params, seed)
    n, classes = len(x), int(params["n_classes"])

    def judge(results):
        _, failure = _logits(results[0].value, n, classes, f"model(x) for x of shape {x.shape}")
        return failure

    return Plan([call("_grader_logits", MODEL, x)], judge)


def layer(params: dict, seed: int) -> Plan:
    """The model contains a module of ``type`` whose attributes match the other ``LAYER_ATTRS`` given."""
    kind = params["type"]
    attrs = {k: v for k, v in params.items() if k in LAYER_ATTRS}

    def judge(results):
        modules = results[0].value
        if not isinstance(modules, list):
            return Failure(
                "build_model did not return a model", "build_model did not return a torch.nn.Module"
            )
        same_type = [m for m in modules if m.get("type") == kind]
        if any(all(m.get(k) == v for k, v in attrs.items()) for m in same_type):
            return None
        wanted = f"nn.{kind}" + (
            f"({', '.join(f'{k}={v}' for k, v in attrs.items())})" if attrs else ""
        )
        found = ", ".join(sorted({m["type"] for m in modules if m.get("name")})) or "nothing"
        if same_type:
            found = "; ".join(
                f"nn.{kind}(" + ", ".join(f"{k}={m.get(k)}" for k in attrs) + ")" for m in same_type
            )
        return Failure(f"the model has no {wanted}", f"the model has no {wanted} (found: {found})")

    return Plan([call("_grader_modules", MODEL)], judge)


def _step_calls(x, y, lr: float, max_norm: float, seed: int, name: str) -> list:
    """Copy the built model, make a plain SGD optimiser, run the learner's train_step once."""
    return [
        call("_grader_clone", MODEL, store_as=name),
        call("_grader_optimizer", Ref(name), "sgd", lr, store_as=f"{name}_opt"),
        call("_grader_seed", seed),
        call("train_step", Ref(name), Ref(f"{name}_opt"), x, y, max_norm, store_as=f"{name}_loss"),
        call("_grader_parameters", Ref(name)),
    ]


def _update(before: dict, after: dict, lr: float) -> dict[str, np.ndarray]:
    """The gradient SGD applied, per parameter: (before - after) / lr."""
    return {k: (before[k].astype(np.float64) - after[k].astype(np.float64)) / lr for k in before}


def _norm(grads: dict) -> float:
    return float(np.sqrt(sum((g**2).sum() for g in grads.values())))


def clipped_norm(params: dict, seed: int) -> Plan:
    """One SGD step with and without clipping on copies of the same model and batch.

    The parameter change of the clipped copy over the learning rate is the gradient SGD
    applied: its total norm must be at most max_norm, and it must point the same way as
    the unclipped one (clip_grad_norm_ rescales all gradients together).
    """
    x, y = _digits(params, seed)
    lr, max_norm = float(params.get("lr", 1.0)), float(params["max_norm"])
    calls = [call("_grader_parameters", MODEL)]
    calls += _step_calls(x, y, lr, NO_CLIP, seed, "unclipped")
    calls += _step_calls(x, y, lr, max_norm, seed, "clipped")

    def judge(results):
        before, raw_after, clip_after = results[0].value, results[5].value, results[10].value
        raw, clipped = _update(before, raw_after, lr), _update(before, clip_after, lr)
        raw_norm, clip_norm = _norm(raw), _norm(clipped)
        if raw_norm <= 1.5 * max_norm:
            return Failure(
                "the gradient is too small to test clipping",
                f"the unclipped gradient norm is only {raw_norm:.3g} (max_norm is {max_norm}): "
                "does train_step compute the loss with cross_entropy on the model's logits and "
                "call loss.backward() and optimizer.step()?",
            )
        if clip_norm > max_norm * (1 + 1e-3):
            return Failure(
                "the total gradient norm of the step exceeds max_norm",
                f"the optimiser applied a gradient of total norm {clip_norm:.4g} with "
                f"max_norm={max_norm} (unclipped: {raw_norm:.4g}): clip the norm of all "
                "gradients together after loss.backward() and before optimizer.step()",
            )
        expected = {k: g * (max_norm / raw_norm) for k, g in raw.items()}
        off = _norm({k: clipped[k] - expected[k] for k in raw}) / max_norm
        if off <= 1e-2 and clip_norm >= max_norm * 0.99:
            return None
        return Failure(
            "the clipped gradient is not the rescaled gradient",
            f"the applied gradient (norm {clip_norm:.4g}) is not the unclipped one scaled by "
            f"max_norm / norm = {max_norm / raw_norm:.4g} (relative difference {off:.3g}): "
            "clip_grad_norm_ rescales every gradient by the same factor; clipping each value "
            "(clip_grad_value_) or each parameter on its own changes the direction",
        )

    return Plan(calls, judge)


def both_directions(params: dict, seed: int) -> Plan:
    """One unclipped step must change both the forward and the reverse LSTM weights."""
    x, y = _digits(params, seed)
    calls = [call("_grader_parameters", MODEL)] + _step_calls(x, y, 0.1, NO_CLIP, seed, "bidir")

    def judge(results):
        update = _update(results[0].value, results[5].value, 0.1)
        moved = {k for k, g in update.items() if np.abs(g).max() > 0}
        recurrent = [k for k in update if "weight_hh" in k]
        reverse = [k for k in recurrent if k.endswith("_reverse")]
        forward = [k for k in recurrent if not k.endswith("_reverse")]
        if not reverse:
            return Failure(
                "the model has no backward direction",
                "no recurrent weights of a backward direction (weight_hh_l0_reverse): use "
                "nn.LSTM(..., bidirectional=True)",
            )
        if not any(k in moved for k in reverse) or not any(k in moved for k in forward):
            return Failure(
                "one direction of the LSTM does not reach the output",
                "after a training step only one direction's weights changed: feed the outputs "
                "of both directions (forward and backward) to the output layer",
            )
        return None

    return Plan(calls, judge)


def loss_falls(params: dict, seed: int) -> Plan:
    """Training lowers the cross-entropy on the training clips (computed here from logits)."""
    x, y = _digits(params, seed, "clips")
    steps, lr, batch = int(params["train_steps"]), float(params.get("lr", 0.01)), 8
    factor, classes = float(params.get("factor", 0.9)), int(params["n_classes"])
    calls = [call("_grader_clone", MODEL, store_as="fit"), call("_grader_logits", Ref("fit"), x)]
    if params.get("trainer", "learner") == "learner":
        calls.append(call("_grader_optimizer", Ref("fit"), "adam", lr, store_as="fit_opt"))
        for k in range(steps):
            i = (k * batch) % len(x)
            xb, yb = x[i : i + batch], y[i : i + batch]
            max_norm = float(params.get("max_norm", 1.0))
            calls.append(
                call(
                    "train_step", Ref("fit"), Ref("fit_opt"), xb, yb, max_norm, store_as="fit_loss"
                )
            )
    else:
        calls.append(call("_grader_fit", Ref("fit"), x, y, steps, lr, batch))
    calls.append(call("_grader_logits", Ref("fit"), x))

    def judge(results):
        before, failure = _logits(results[1].value, len(x), classes, "the logits before training")
        if failure:
            return failure
        after, failure = _logits(results[-1].value, len(x), classes, "the logits after training")
        if failure:
            return failure
        loss0, loss1 = cross_entropy(before, y), cross_entropy(after, y)
        if loss1 <= factor * loss0:
            return None
        # Say only what was measured: a loss that does not fall has many causes (a learning
        # rate that does not suit the model among them), not only a cut graph.
        trainer = "the grader's Adam loop" if params.get("trainer") == "grader" else "train_step"
        return Failure(
            "the training loss does not fall\n学習で損失が十分に下がりませんでした",
            f"after {steps} training steps ({trainer}, Adam lr={lr}) the cross-entropy on the "
            f"{len(x)} training clips went from {loss0:.4f} to {loss1:.4f}; it must fall below "
            f"{factor} × the start ({factor * loss0:.4f}).\n"
            f"{steps} ステップの学習（Adam、学習率 {lr}）で、学習用の {len(x)} 個の音声の交差"
            f"エントロピーは {loss0:.4f} から {loss1:.4f} になりました。開始時の {factor} 倍"
            f"（{factor * loss0:.4f}）より小さくなる必要があります。",
        )

    return Plan(calls, judge)


def depends_on_last_steps(params: dict, seed: int) -> Plan:
    """Changing only the last ``tail`` time steps changes the logits (the last state is used)."""
    x, _ = _digits(params, seed)
    tail = int(params.get("tail", 20))
    noise = np.random.default_rng(seed).uniform(-0.9, 0.9, (len(x), tail, x.shape[2]))
    x2 = x.copy()
    x2[:, -tail:] = noise.astype(np.float32)
    classes = int(params["n_classes"])

    def judge(results):
        a, failure = _logits(results[0].value, len(x), classes, "model(x)")
        if failure:
            return failure
        b, failure = _logits(results[1].value, len(x), classes, "model(x)")
        if failure:
            return failure
        if np.abs(a - b).max() > 1e-5:
            return None
        return Failure(
            "the output ignores the end of the sequence",
            f"changing only the last {tail} of {x.shape[1]} time steps leaves the logits "
            "unchanged: classify from the state after the last time step (out[:, -1] or "
            "h_n), not from the first",
        )

    return Plan([call("_grader_logits", MODEL, x), call("_grader_logits", MODEL, x2)], judge)


def batch_independent(params: dict, seed: int) -> Plan:
    """Each clip's logits depend on that clip alone: reversing the batch reverses the logits."""
    x, _ = _digits(params, seed)
    classes = int(params["n_classes"])

    def judge(results):
        a, failure = _logits(results[0].value, len(x), classes, "model(x)")
        if failure:
            return failure
        b, failure = _logits(results[1].value, len(x), classes, "model(x)")
        if failure:
            return failure
        if np.allclose(a[::-1], b, rtol=1e-4, atol=1e-5):
            return None
        return Failure(
            "a clip's logits depend on the other clips of the batch",
            "reversing the order of the clips in the batch changes their logits, not just "
            "their order: the model mixes clips (a recurrent layer without batch_first=True "
            "reads (N, T, F) as (T, N, F))",
        )

    return Plan(
        [call("_grader_logits", MODEL, x), call("_grader_logits", MODEL, x[::-1].copy())], judge
    )


CLASSIFIER = Suite(
    name="sequence_classifier",
    entry_points=("build_model",),
    setup=_setup,
    checks={
        "output_shape": output_shape,
        "layer": layer,
        "clipped_norm": clipped_norm,
        "both_directions": both_directions,
        "loss_falls": loss_falls,
        "depends_on_last_steps": depends_on_last_steps,
        "batch_independent": batch_independent,
    },
)

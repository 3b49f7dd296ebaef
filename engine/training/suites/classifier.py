"""Sequence classifiers on the spoken digits (Conv1D, SimpleRNN, GRU, bidirectional LSTM).

Learner entry points: ``build_model(n_features, n_classes)`` (a module mapping
``(N, T, n_features)`` to logits ``(N, n_classes)``) and, for the clipping exercise,
``train_step(model, optimizer, x, y, max_norm)``. The grader makes the optimiser, copies
the model, reads parameters and computes every loss and norm itself.
"""

from __future__ import annotations

import math

import numpy as np

from engine.checks.pictures import chart
from engine.messages import msg
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
                "build_model did not return a model",
                "build_model did not return a torch.nn.Module",
                msg("training.no_model"),
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
        return Failure(
            f"the model has no {wanted}",
            f"the model has no {wanted} (found: {found})",
            msg("training.layer_missing", wanted=wanted, found=found),
        )

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
                msg("training.gradient_too_small", norm=raw_norm, max_norm=max_norm),
            )
        if clip_norm > max_norm * (1 + 1e-3):
            return Failure(
                "the total gradient norm of the step exceeds max_norm",
                f"the optimiser applied a gradient of total norm {clip_norm:.4g} with "
                f"max_norm={max_norm} (unclipped: {raw_norm:.4g}): clip the norm of all "
                "gradients together after loss.backward() and before optimizer.step()",
                msg("training.clip_exceeds", norm=clip_norm, max_norm=max_norm, raw=raw_norm),
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
            msg(
                "training.clip_not_rescaled",
                norm=clip_norm,
                factor=max_norm / raw_norm,
                off=float(off),
            ),
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
                msg("training.no_backward_direction"),
            )
        if not any(k in moved for k in reverse) or not any(k in moved for k in forward):
            return Failure(
                "one direction of the LSTM does not reach the output",
                "after a training step only one direction's weights changed: feed the outputs "
                "of both directions (forward and backward) to the output layer",
                msg("training.one_direction_unused"),
            )
        return None

    return Plan(calls, judge)


LR_LADDER = (0.03, 0.01, 0.003)


def _ladder_ratios(results, x, y, classes: int):
    """The cross-entropy before training and, per rung tried, (lr, loss after), or a failure."""
    found = results[0].value
    if not isinstance(found, dict) or not isinstance(found.get("rungs"), list):
        return None, Failure(
            "the grader could not train your model",
            "the grader's training loop returned nothing it could read: "
            "does build_model return a torch.nn.Module?",
            msg("training.could_not_train"),
        )
    before, failure = _logits(found.get("before"), len(x), classes, "the logits before training")
    if failure:
        return None, failure
    loss0 = cross_entropy(before, y)
    rungs = []
    for rung in found["rungs"]:
        after, failure = _logits(rung["after"], len(x), classes, "the logits after training")
        rungs.append((float(rung["lr"]), math.inf if failure else cross_entropy(after, y)))
    return (loss0, rungs), None


def loss_ratio(results, x, y, classes: int) -> float:
    """The best (lowest) loss after / loss before over the rungs tried; inf when unreadable."""
    measured, failure = _ladder_ratios(results, x, y, classes)
    if failure or not measured[1]:
        return math.inf
    loss0, rungs = measured
    return min(loss for _, loss in rungs) / loss0


def loss_falls(params: dict, seed: int) -> Plan:
    """Training lowers the cross-entropy on the training clips (computed here from logits).

    Copies of the model are trained at each learning rate of a ladder in turn (the grader's
    Adam, with the learner's ``train_step`` or a plain grader loop), so that any hidden size
    the statement allows meets a learning rate that suits it; one rung that lowers the loss
    below ``factor`` x the start passes.
    """
    x, y = _digits(params, seed, "clips")
    steps, batch = int(params["train_steps"]), 8
    lrs = [float(v) for v in params.get("lrs", LR_LADDER)]
    factor, classes = float(params.get("factor", 0.9)), int(params["n_classes"])
    trainer = params.get("trainer", "learner")
    max_norm = float(params.get("max_norm", 1.0))
    calls = [call("_grader_fit_ladder", MODEL, x, y, steps, lrs, batch, factor, trainer, max_norm)]

    def judge(results):
        measured, failure = _ladder_ratios(results, x, y, classes)
        if failure:
            return failure
        loss0, rungs = measured
        if any(loss <= factor * loss0 for _, loss in rungs):
            return None
        # Say only what was measured: a loss that does not fall has many causes.
        who = "train_step" if trainer == "learner" else "the grader's Adam loop"
        tried = ", ".join(f"lr={lr}: {loss:.4f}" for lr, loss in rungs)
        tried_ja = "、".join(f"学習率 {lr} で {loss:.4f}" for lr, loss in rungs)
        return Failure(
            "the training loss does not fall\n学習で損失が十分に下がりませんでした",
            f"{steps} training steps ({who}, Adam) on copies of your model at each learning "
            f"rate did not lower the cross-entropy on the {len(x)} training clips from "
            f"{loss0:.4f} below {factor} × the start ({factor * loss0:.4f}): {tried}. Check "
            "that the logits come from the layers the statement names and that the state "
            "is not cut from the loss (no .detach() or .item() on the way).\n"
            f"モデルのコピーを各学習率で {steps} ステップ学習させましたが（Adam）、学習用の "
            f"{len(x)} 個の音声の交差エントロピーは開始時の {loss0:.4f} から {factor} 倍"
            f"（{factor * loss0:.4f}）より下がりませんでした: {tried_ja}。ロジットが問題文の"
            "層から計算されていること、途中で .detach() や .item() により計算グラフが切れて"
            "いないことを確かめてください。",
            msg(
                "training.loss_not_falling",
                steps=steps,
                trainer=msg(
                    "training.trainer_learner"
                    if trainer == "learner"
                    else "training.trainer_grader"
                ),
                clips=len(x),
                loss0=round(loss0, 4),
                factor=factor,
                target=round(factor * loss0, 4),
                tried=tried,
            ),
        )

    def values(results):
        return _ladder_curves(results, x, y, classes, steps)

    return Plan(
        calls, judge, metric=lambda results: loss_ratio(results, x, y, classes), values=values
    )


def _ladder_curves(results, x, y, classes: int, steps: int) -> dict | None:
    """The cross-entropy on the training clips after each step, one line per learning rate
    tried, computed here from the logits the ladder recorded."""
    found = results[0].value
    if not isinstance(found, dict) or not isinstance(found.get("rungs"), list):
        return None
    before, failure = _logits(found.get("before"), len(x), classes, "logits")
    if failure:
        return None
    series = {}
    for rung in found["rungs"]:
        logits = [before, *(rung.get("trace") or []), rung.get("after")]
        losses = []
        for value in logits:
            checked, failure = _logits(value, len(x), classes, "logits")
            if failure:
                break
            losses.append(cross_entropy(checked, y))
        if len(losses) == steps + 1:
            series[f"lr={rung['lr']:g}"] = losses
    if not series:
        return None
    return {"charts": [chart("loss", list(range(steps + 1)), series)]}


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
            msg("training.ignores_last_steps", tail=tail, steps=int(x.shape[1])),
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
            msg("training.batch_mixing"),
        )

    return Plan(
        [call("_grader_logits", MODEL, x), call("_grader_logits", MODEL, x[::-1].copy())], judge
    )


def _probe_plan(params: dict, seed: int, extra: list | None = None):
    x, _ = _digits(params, seed)
    kind = params["type"]
    return x, kind, [call("_grader_probe", MODEL, x, kind), *(extra or [])]


def _probe(results, kind: str) -> tuple[dict | None, Failure | None]:
    found = results[0].value
    if not isinstance(found, dict) or "layer_calls" not in found:
        return None, Failure(
            "build_model did not return a model",
            "build_model did not return a torch.nn.Module",
            msg("training.no_model"),
        )
    if not found["layer_calls"]:
        return None, Failure(
            f"the nn.{kind} is never called",
            f"model(x) never calls an nn.{kind}: the statement's layer must be on the way from "
            "the input to the logits\n"
            f"model(x) の計算で nn.{kind} が一度も呼ばれていません。問題文の層を入力から"
            "ロジットまでの計算の途中で使ってください。",
            msg("training.layer_never_called", kind=kind),
        )
    return found, None


def _shape_text(shape) -> str:
    return "something other than a tensor" if shape is None else f"an input of shape {tuple(shape)}"


def layer_used(params: dict, seed: int) -> Plan:
    """The named layer is called on the input with the expected shapes, and its parameters
    reach the logits: noise added to them (on a copy) changes the logits."""
    x, kind, calls = _probe_plan(params, seed)
    calls += [
        call("_grader_perturbed", MODEL, kind, seed % 2**31, store_as="perturbed"),
        call("_grader_logits", Ref("perturbed"), x),
    ]
    n, t, f = x.shape
    expected = [n, f, t] if kind == "Conv1d" else [n, t, f]
    classes = int(params["n_classes"])

    def judge(results):
        found, failure = _probe(results, kind)
        if failure:
            return failure
        if list(found["layer_input"] or []) != expected:
            layout = "(N, channels, T)" if kind == "Conv1d" else "(N, T, features)"
            return Failure(
                f"the nn.{kind} gets an input of the wrong shape",
                f"for x of shape {tuple(x.shape)} the nn.{kind} was called on "
                f"{_shape_text(found['layer_input'])}; expected a tensor of shape "
                f"{tuple(expected)}, {layout}",
                msg(
                    "training.layer_input_shape",
                    kind=kind,
                    x_shape=list(x.shape),
                    got=msg("training.not_a_tensor_input")
                    if found["layer_input"] is None
                    else msg("value.array", shape=list(found["layer_input"])),
                    expected=list(expected),
                    layout=layout,
                ),
            )
        a, failure = _logits(found["logits"], n, classes, "model(x)")
        if failure:
            return failure
        b, failure = _logits(results[2].value, n, classes, "model(x) with the layer changed")
        if failure:
            return failure
        if np.abs(a - b).max() > 1e-6 * (1 + np.abs(a).max()):
            return None
        return Failure(
            f"the nn.{kind}'s output does not reach the logits",
            f"changing the parameters of the nn.{kind} leaves the logits unchanged: the "
            f"logits must be computed from the nn.{kind}'s output, not from the raw input\n"
            f"nn.{kind} のパラメータを変えてもロジットが変わりません。ロジットは入力から直接では"
            f"なく、nn.{kind} の出力から計算してください。",
            msg("training.layer_unused", kind=kind),
        )

    return Plan(calls, judge)


def _close(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-4, atol=1e-5)


def _final_states(found: dict, bidirectional: bool) -> list[np.ndarray]:
    """What the statement allows as the dense layer's input: the state after the last step
    (both directions' final states, in either order, for a bidirectional layer)."""
    out = np.asarray(found["layer_output"], dtype=np.float64)
    state = found.get("layer_state")
    if not bidirectional:
        last = [out[:, -1]]
        if isinstance(state, np.ndarray) and state.ndim == 3:
            last.append(state[-1].astype(np.float64))
        return last
    h = out.shape[2] // 2
    forward, backward = out[:, -1, :h], out[:, 0, h:]
    return [np.concatenate([forward, backward], 1), np.concatenate([backward, forward], 1)]


def _linear_input(
    found: dict, what: str, what_code: str
) -> tuple[np.ndarray | None, Failure | None]:
    """The input of the last nn.Linear the forward pass called, or why there is none."""
    linear = found.get("linear_input")
    if not isinstance(linear, np.ndarray):
        return None, Failure(
            "the logits do not come from an nn.Linear",
            f"model(x) calls no nn.Linear: pass {what}",
            msg("training.no_linear", what=msg(what_code)),
        )
    return linear.astype(np.float64), None


def final_state(params: dict, seed: int) -> Plan:
    """The last nn.Linear called gets the state after the last time step (hooks on both)."""
    x, kind, calls = _probe_plan(params, seed)
    bidirectional = bool(params.get("bidirectional", False))
    n, classes = len(x), int(params["n_classes"])
    named = (
        "the final states of both directions (h_n[0] and h_n[1], concatenated)"
        if bidirectional
        else "the state after the last time step (out[:, -1] or h_n[-1])"
    )
    named_ja = (
        "順方向と逆方向の両方の最後の状態（h_n[0] と h_n[1] を連結したもの）"
        if bidirectional
        else "最後の時刻の後の状態（out[:, -1] または h_n[-1]）"
    )

    def judge(results):
        found, failure = _probe(results, kind)
        if failure:
            return failure
        out = found["layer_output"]
        if not isinstance(out, np.ndarray) or out.ndim != 3 or out.shape[:2] != x.shape[:2]:
            shape = getattr(out, "shape", None)
            return Failure(
                f"the nn.{kind}'s output has the wrong shape",
                f"the nn.{kind} returned an output of shape {shape} for x of shape "
                f"{tuple(x.shape)}; with batch_first=True it is (N, T, hidden)",
                msg(
                    "training.layer_output_shape",
                    kind=kind,
                    shape=str(shape),
                    x_shape=list(x.shape),
                ),
            )
        linear, failure = _linear_input(
            found, "the state to nn.Linear(H, n_classes)", "training.pass_state"
        )
        if failure:
            return failure
        states = _final_states(found, bidirectional)
        if any(_close(linear, s) for s in states):
            return None
        logits, failure = _logits(found["logits"], n, classes, "model(x)")
        if failure:
            return failure
        if not bidirectional and _close(linear, out.astype(np.float64)):
            # nn.Linear over every step, then the last step's logits: the same numbers.
            if _close(logits, np.asarray(found["linear_output"])[:, -1]):
                return None
        return Failure(
            "the dense layer does not get the state after the last step",
            f"the input of the last nn.Linear (shape {tuple(linear.shape)}) is not {named}: "
            "classify from the state after the whole sequence, not from an average over time, "
            "another step or another direction's output\n"
            f"最後の nn.Linear の入力（形 {tuple(linear.shape)}）が{named_ja}ではありません。"
            "時間方向の平均や別の時刻ではなく、系列全体を読んだ後の状態から分類してください。",
            msg(
                "training.not_final_state",
                shape=list(linear.shape),
                named=msg("training.both_final_states" if bidirectional else "training.last_state"),
            ),
        )

    return Plan(calls, judge)


def conv_pipeline(params: dict, seed: int) -> Plan:
    """Conv1d -> ReLU -> MaxPool1d(2) -> mean over time -> Linear, checked from the hooks:
    the dense layer's input is computed here from the convolution's output."""
    x, kind, calls = _probe_plan({**params, "type": "Conv1d"}, seed)

    def judge(results):
        found, failure = _probe(results, kind)
        if failure:
            return failure
        conv = np.asarray(found["layer_output"], dtype=np.float64)  # (N, C, T')
        linear, failure = _linear_input(
            found, "the pooled features to nn.Linear(32, n_classes)", "training.pass_pooled"
        )
        if failure:
            return failure
        t = conv.shape[2] // 2
        pooled = conv[:, :, : 2 * t].reshape(conv.shape[0], conv.shape[1], t, 2).max(axis=3)
        if _close(linear, np.maximum(pooled, 0).mean(axis=2)):
            return None
        if linear.min() < -1e-6 or _close(linear, pooled.mean(axis=2)):
            return Failure(
                "the features reaching the dense layer have had no ReLU",
                "the input of the dense layer is the pooled convolution without ReLU (its "
                f"smallest value is {linear.min():.3g}): apply ReLU to the convolution's output "
                "before pooling\n"
                "全結合層の入力が、ReLU をかけずにプーリングした畳み込みの出力になっています"
                f"（最小値 {linear.min():.3g}）。畳み込みの出力に ReLU をかけてからプーリングして"
                "ください。",
                msg("training.no_relu", min=float(linear.min())),
            )
        expected = np.maximum(pooled, 0).mean(axis=2)
        return Failure(
            "the dense layer does not get ReLU → MaxPool1d(2) → the mean over time",
            f"the input of the dense layer (shape {tuple(linear.shape)}) is not the mean over "
            f"time of MaxPool1d(2) of ReLU of the convolution's output (shape "
            f"{tuple(expected.shape)})\n"
            f"全結合層の入力（形 {tuple(linear.shape)}）が、畳み込みの出力に ReLU と "
            f"MaxPool1d(2) をかけて時間方向に平均したもの（形 {tuple(expected.shape)}）に"
            "なっていません。",
            msg(
                "training.not_conv_pipeline",
                shape=list(linear.shape),
                expected=list(expected.shape),
            ),
        )

    return Plan(calls, judge)


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
        "layer_used": layer_used,
        "final_state": final_state,
        "conv_pipeline": conv_pipeline,
    },
)

"""The classifiers' structure checks (``layer_used``, ``final_state``, ``conv_pipeline``):
forward hooks inside the sandbox return what the layers saw and gave, compared here."""

from __future__ import annotations

import numpy as np

from engine.messages import msg
from engine.sandbox.api import Ref
from engine.training.core import Failure, Plan, call
from engine.training.suites.spoken import MODEL, as_logits, digit_clips


def _probe_plan(params: dict, seed: int, extra: list | None = None):
    x, _ = digit_clips(params, seed)
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
        a, failure = as_logits(found["logits"], n, classes, "model(x)")
        if failure:
            return failure
        b, failure = as_logits(results[2].value, n, classes, "model(x) with the layer changed")
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
        logits, failure = as_logits(found["logits"], n, classes, "model(x)")
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

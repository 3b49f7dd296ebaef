"""The sin -> cos Seq2Seq exercise: encoder and decoder linked only by the state.

Learner entry points: ``build_model()``, ``encode(model, ex) -> state``,
``decode(model, dx, state) -> (y, state)``, ``train(model, ex, dx, dy, steps)`` (in place)
and ``predict(model, ex) -> y`` (autoregressive, start value 0). The setup trains the model
once per job on the seed's 26 windows; held-out targets (cos) never enter the sandbox.
"""

from __future__ import annotations

import math

import numpy as np

from engine.checks.pictures import chart
from engine.messages import msg
from engine.sandbox.api import Ref
from engine.training.core import Failure, Plan, Suite, call
from engine.training.data import sine_heldout_phases, sine_training_phases, sine_windows
from engine.training.suites.values import array_of_shape, pair

MODEL = Ref("model")
HIDDEN = 10
STEPS = 24
START = 0.0


def _setup(args: dict, seed: int) -> list:
    data = sine_windows(sine_training_phases(), STEPS)
    return [
        call("_grader_seed", seed),
        call("build_model", store_as="model"),
        call(
            "_grader_train",
            MODEL,
            data["ex"],
            data["dx"],
            data["dy"],
            int(args["steps"]),
            store_as="_trained",
        ),
    ]


def _heldout(params: dict, seed: int) -> dict:
    return sine_windows(sine_heldout_phases(int(params.get("windows", 8)), seed), STEPS)


def state_shape(params: dict, seed: int) -> Plan:
    n = int(params.get("windows", 3))
    ex = _heldout({"windows": n}, seed)["ex"]

    def judge(results):
        _, failure = array_of_shape(
            results[0].value, (1, n, HIDDEN), f"encode(model, ex) for {n} windows"
        )
        return failure

    return Plan([call("encode", MODEL, ex)], judge)


def decoder_step(params: dict, seed: int) -> Plan:
    n = int(params.get("windows", 3))
    rng = np.random.default_rng(seed)
    dx = rng.uniform(-1, 1, (n, 1, 1)).astype(np.float32)
    state = rng.uniform(-0.5, 0.5, (1, n, HIDDEN)).astype(np.float32)

    def judge(results):
        out, failure = pair(results[0].value, "decode(model, dx, state)")
        if failure:
            return failure
        _, failure = array_of_shape(out[0], (n, 1, 1), "y of decode(model, dx, state) for one step")
        if failure:
            return failure
        _, failure = array_of_shape(out[1], (1, n, HIDDEN), "the state returned by decode")
        return failure

    return Plan([call("decode", MODEL, dx, state)], judge)


def decoder_uses_state(params: dict, seed: int) -> Plan:
    """The same decoder input with two different states must give different outputs."""
    n = int(params.get("windows", 4))
    rng = np.random.default_rng(seed)
    dx = np.zeros((n, 1, 1), dtype=np.float32)
    states = [rng.uniform(-0.9, 0.9, (1, n, HIDDEN)).astype(np.float32) for _ in range(2)]

    def judge(results):
        ys = []
        for r in results:
            out, failure = pair(r.value, "decode(model, dx, state)")
            if failure:
                return failure
            y, failure = array_of_shape(out[0], (n, 1, 1), "y of decode(model, dx, state)")
            if failure:
                return failure
            ys.append(y)
        if np.abs(ys[0] - ys[1]).max() > 1e-4:
            return None
        return Failure(
            "the decoder ignores the state it is given",
            "decode(model, dx, state) gives the same y for two different states: the decoder "
            "must start from the state it is passed (the encoder's context), not from zeros",
            msg("training.decoder_ignores_state"),
        )

    return Plan([call("decode", MODEL, dx, s) for s in states], judge)


def heldout_mse(params: dict, seed: int) -> Plan:
    data = _heldout(params, seed)
    n = len(data["ex"])
    threshold = float(params["threshold"])
    target = data["dy"].astype(np.float64)  # stays here: only ex goes into the sandbox

    def judge(results):
        y, failure = array_of_shape(
            results[0].value, (n, STEPS, 1), f"predict(model, ex) for {n} windows"
        )
        if failure:
            return failure
        mse = float(((y - target) ** 2).mean())
        if mse <= threshold:
            return None
        return Failure(
            f"the held-out MSE is above {threshold}",
            f"on {n} held-out windows the mean squared error of predict is {mse:.4f}; it must "
            f"be at most {threshold}. Train for the whole step budget, decode from the "
            "encoder's state, and feed each prediction back as the next decoder input",
            msg("training.heldout_mse", n=n, mse=round(mse, 4), threshold=threshold),
        )

    def metric(results):
        y, failure = array_of_shape(results[0].value, (n, STEPS, 1), "predict")
        return math.inf if failure else float(((y - target) ** 2).mean())

    def values(results):
        # One held-out window: the sine in, the cosine computed here, what predict gave.
        y, failure = array_of_shape(results[0].value, (n, STEPS, 1), "predict")
        if failure:
            return None
        series = {"input": data["ex"][0, :, 0], "true": target[0, :, 0], "predicted": y[0, :, 0]}
        return {"charts": [chart("heldout", list(range(STEPS)), series)]}

    return Plan([call("predict", MODEL, data["ex"])], judge, metric, values)


def autoregressive(params: dict, seed: int) -> Plan:
    """predict must equal the loop the grader drives: encode, start value 0, feed y back."""
    ex = _heldout(params, seed)["ex"]
    n = len(ex)

    def judge(results):
        y, failure = array_of_shape(
            results[0].value, (n, STEPS, 1), f"predict(model, ex) for {n} windows"
        )
        if failure:
            return failure
        loop, failure = array_of_shape(
            results[1].value, (n, STEPS, 1), "the grader's decoding loop"
        )
        if failure:
            return failure
        diff = np.abs(y - loop)
        if diff.max() <= 1e-4 + 1e-3 * np.abs(loop).max():
            return None
        step = int(np.unravel_index(diff.argmax(), diff.shape)[1])
        return Failure(
            "predict does not feed back its own predictions",
            f"predict(model, ex) differs (by {diff.max():.3g}, first at step {step}) from "
            f"decoding step by step from the encoder's state with the start value {START} as "
            "the first input and each output as the next input, carrying the state along; at "
            "inference the decoder may see only its own predictions",
            msg("training.not_autoregressive", diff=float(diff.max()), step=step, start=START),
        )

    calls = [call("predict", MODEL, ex), call("_grader_rollout", MODEL, ex, STEPS, START)]
    return Plan(calls, judge)


def step_budget(params: dict, seed: int) -> Plan:
    """``train`` took at most ``steps`` optimiser steps (counted around it by a global
    torch.optim step hook, per optimiser; parameter updates made without an optimiser are
    counted from the parameters' version counters)."""
    budget = int(params["steps"])

    def judge(results):
        counted = results[0].value
        if not isinstance(counted, dict):
            return Failure(
                "the grader could not count the training steps",
                "the grader could not count the optimiser steps of train",
                msg("training.steps_not_counted"),
            )
        taken = int(counted["optimizer_steps"]) or int(counted["parameter_updates"])
        if taken <= budget:
            return None
        return Failure(
            f"train takes more than steps = {budget} optimiser steps",
            f"train(model, ex, dx, dy, steps) took {taken} optimiser steps with steps = "
            f"{budget}: take at most `steps` steps (the held-out error is judged for that "
            "budget)\n"
            f"train(model, ex, dx, dy, steps) は steps = {budget} に対して {taken} 回"
            "オプティマイザを更新しました。更新は steps 回までにしてください（未知の窓の誤差は"
            "この回数の学習で判定します）。",
            msg("training.over_budget", taken=taken, budget=budget),
        )

    return Plan([call("_grader_value", Ref("_trained"))], judge, values=_loss_curve)


def _loss_curve(results) -> dict | None:
    """The training MSE (teacher forcing, on the training windows), computed here from the
    decoder outputs the setup recorded during the learner's ``train``."""
    counted = results[0].value
    trace = counted.get("trace") if isinstance(counted, dict) else None
    if not isinstance(trace, dict):
        return None
    target = sine_windows(sine_training_phases(), STEPS)["dy"].astype(np.float64)
    steps, losses = [], []
    for step, y in zip(trace.get("steps") or [], trace.get("predictions") or [], strict=False):
        y, failure = array_of_shape(y, target.shape, "decode")
        if failure or not isinstance(step, int) or step < 0:
            break
        steps.append(step)
        losses.append(float(((y - target) ** 2).mean()))
    if len(steps) < 2:
        return None
    return {"charts": [chart("loss", steps, {"loss": losses})]}


SEQ2SEQ = Suite(
    name="seq2seq_sin_cos",
    entry_points=("build_model", "encode", "decode", "train", "predict"),
    setup=_setup,
    checks={
        "state_shape": state_shape,
        "decoder_step": decoder_step,
        "decoder_uses_state": decoder_uses_state,
        "heldout_mse": heldout_mse,
        "autoregressive": autoregressive,
        "step_budget": step_budget,
    },
)

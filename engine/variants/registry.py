"""The registry of answer functions: ``@answer("conv-output-size")``.

An answer function takes a problem's parameters as keyword arguments and returns its answer,
a number, or a `Solution` (the answer and named intermediate values, which explanations may
show: ``{{sigma:.4f}}``). It raises `IllPosed` for parameters that make no sense (an output
size below 1), so validation rejects a generator that can draw them. Misconceptions are the
values a named mistake gives, registered on the function; single-choice problems offer them
as distractors::

    @answer("conv-output-size", integer=True)
    def conv_output_size(*, H, K, P, S):
        return (H + 2 * P - K) // S + 1

    @conv_output_size.misconception("padding-forgotten")
    def _(*, H, K, P, S):
        return (H - K) // S + 1
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class IllPosed(ValueError):
    """These parameters give no well-posed problem; the message says why."""


@dataclass(frozen=True)
class Solution:
    value: float | int
    steps: dict[str, Any] = field(default_factory=dict)

    def __init__(self, value: float | int, **steps: Any):
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "steps", steps)


@dataclass
class AnswerFunction:
    name: str
    function: Callable[..., Any]
    integer: bool = False  # the answer must be a whole number (a size, a count)
    misconceptions: dict[str, Callable[..., Any]] = field(default_factory=dict)

    @property
    def parameters(self) -> list[str]:
        return list(inspect.signature(self.function).parameters)

    def misconception(self, name: str) -> Callable[[Callable], Callable]:
        def register(function: Callable) -> Callable:
            if name in self.misconceptions:
                raise ValueError(f"{self.name}: misconception '{name}' is registered twice.")
            self.misconceptions[name] = function
            return function

        return register

    def _number(self, value: Any, what: str) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise IllPosed(f"{what} is {value!r}, not a number.")
        if not math.isfinite(value):
            raise IllPosed(f"{what} is {value}, not a finite number.")
        if self.integer and value != int(value):
            raise IllPosed(f"{what} is {value}, not a whole number.")
        return int(value) if self.integer else float(value)

    def _arguments(self, params: dict[str, Any]) -> dict[str, Any]:
        # parameters the function does not take are for the texts only (a filter count)
        return {name: params[name] for name in self.parameters}

    def solve(self, params: dict[str, Any]) -> Solution:
        """The answer for these parameters (IllPosed when there is none)."""
        result = self.function(**self._arguments(params))
        solution = result if isinstance(result, Solution) else Solution(result)
        value = self._number(solution.value, f"{self.name}: the answer")
        return Solution(value, **solution.steps)

    def mistaken(self, name: str, params: dict[str, Any]) -> float | int:
        """The value the misconception `name` gives for these parameters."""
        return self._number(
            self.misconceptions[name](**self._arguments(params)),
            f"{self.name}: misconception '{name}'",
        )


_REGISTRY: dict[str, AnswerFunction] = {}


def answer(name: str, *, integer: bool = False) -> Callable[[Callable], AnswerFunction]:
    """Register an answer function under `name` (the content's `answer_function:`)."""

    def register(function: Callable) -> AnswerFunction:
        if name in _REGISTRY:
            raise ValueError(f"answer function '{name}' is registered twice.")
        _REGISTRY[name] = AnswerFunction(name=name, function=function, integer=integer)
        return _REGISTRY[name]

    return register


def answer_function(name: str) -> AnswerFunction:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"no answer function '{name}' is registered in engine.variants; "
            f"known: {', '.join(sorted(_REGISTRY))}."
        ) from None


def registered_names() -> list[str]:
    return sorted(_REGISTRY)

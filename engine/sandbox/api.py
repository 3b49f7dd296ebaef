"""The one interface between the grading engine and the sandbox.

The engine says *what* to run (a learner's source and a list of calls with plain
inputs); the sandbox says *how* (isolated processes, limits, a safe result channel).
Nothing here knows about problems, and nothing here imports Django.

Values that cross the boundary are plain data only:
``None``, ``bool``, ``int``, ``float``, ``str``, ``numpy.ndarray`` (numeric or bool
dtype), ``list``, ``tuple`` and ``dict`` with ``str`` keys, nested, and ``Ref``.
Learner return values are turned into these *inside* the sandbox (tensors are
detached and converted to arrays, NumPy scalars to Python scalars) and are decoded
again in the trusted process from JSON and ``.npy`` with ``allow_pickle=False``;
anything else arrives as ``Unsupported(type_name, repr)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


@dataclass(frozen=True)
class Ref:
    """A value a previous call stored with ``Call.store_as`` (e.g. a model object)."""

    name: str


@dataclass(frozen=True)
class Unsupported:
    """A learner value that could not be converted to plain data (an object, a generator...)."""

    type_name: str
    text: str


@dataclass(frozen=True)
class GradRequest:
    """Ask for gradients through PyTorch autograd (framework ``torch`` only).

    The named positional arguments are turned into tensors with ``requires_grad``;
    after the call the sandbox backpropagates ``sum_k (output[k] * upstream[k]).sum()``
    where ``upstream`` maps an output index (``0`` for a single return value) to an
    array of the output's shape or a float, and returns each argument's ``.grad``
    (``None`` when no gradient reached it).
    """

    wrt: tuple[int, ...]
    upstream: dict[int, Any]


@dataclass(frozen=True)
class Call:
    """Call ``entry(*args, **kwargs)`` in the learner's module.

    ``as_tensor``: convert ndarray arguments to ``torch.Tensor`` first (framework ``torch``).
    ``store_as``: keep the return value inside the sandbox under that name for later
    calls (``Ref(name)``); the value is then not sent back.
    ``return_args``: send the arguments back after the call so the trusted side can
    tell whether the learner modified an input.
    """

    entry: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    as_tensor: bool = False
    grad: GradRequest | None = None
    store_as: str | None = None
    return_args: bool = True


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 5.0
    cpu_seconds: float = 5.0
    memory_mb: int = 512
    output_bytes: int = 64 * 1024  # learner stdout + stderr kept, each
    result_bytes: int = 32 * 1024 * 1024  # result channel cap


@dataclass(frozen=True)
class Job:
    """A learner's source and the calls to make, in order.

    ``hidden_from``: ``calls[hidden_from:]`` are hidden. Their inputs enter the sandbox only
    once every call before them has returned its result, and nothing the job prints from
    then on reaches the trusted side (it is counted against the output caps, then
    discarded): ``RunResult.stdout``/``stderr`` hold what was printed before. The hidden
    calls get limits of their own (``wall_seconds``, ``cpu_seconds``, the output caps count
    afresh from the moment their inputs are handed over).
    """

    code: str
    calls: tuple[Call, ...]
    framework: Literal["numpy", "torch"] = "numpy"
    limits: Limits = field(default_factory=Limits)
    filename: str = "solution.py"
    hidden_from: int | None = None

    def __post_init__(self) -> None:
        if self.hidden_from is not None and not 0 <= self.hidden_from <= len(self.calls):
            raise ValueError(
                f"hidden_from {self.hidden_from} is outside the {len(self.calls)} calls"
            )

    @property
    def visible_calls(self) -> tuple[Call, ...]:
        return self.calls if self.hidden_from is None else self.calls[: self.hidden_from]

    @property
    def hidden_calls(self) -> tuple[Call, ...]:
        return () if self.hidden_from is None else self.calls[self.hidden_from :]


class RunStatus(StrEnum):
    OK = "ok"  # the harness ran every call (each call may still have raised)
    COMPILE_ERROR = "compile_error"  # SyntaxError / IndentationError in the learner's code
    IMPORT_ERROR = "import_error"  # module-level code raised
    TIMEOUT = "timeout"  # wall or CPU limit: supervisor clocks / SIGXCPU
    MEMORY = "memory"  # cgroup OOM event or memory rlimit
    OUTPUT_LIMIT = "output_limit"  # stdout/stderr or result channel over the cap
    CRASHED = "crashed"  # died by a signal or exited without a complete result
    INTERNAL = "internal"  # the sandbox itself failed: never the learner's fault


@dataclass(frozen=True)
class ErrorInfo:
    """An exception in learner code: frames of the harness removed."""

    type: str
    message: str
    line: int | None = None  # line in the learner's file
    column: int | None = None  # for syntax errors
    traceback: str = ""


@dataclass(frozen=True)
class CallResult:
    value: Any = None  # decoded plain value (see module docstring)
    error: ErrorInfo | None = None
    args_after: tuple[Any, ...] | None = None  # when Call.return_args
    kwargs_after: dict[str, Any] | None = None
    grads: dict[int, Any] | None = None  # arg index -> ndarray or None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RunResult:
    status: RunStatus
    calls: tuple[CallResult, ...] = ()
    error: ErrorInfo | None = None  # compile/import error, or what the sandbox knows of a crash
    message: str = ""  # a sentence for TIMEOUT/MEMORY/OUTPUT_LIMIT/CRASHED/INTERNAL
    # that sentence as a message code and its parameters, {"code", "params"} (the learner's
    # language: engine/message_table.py); None for INTERNAL and the statuses without one
    detail: dict | None = None
    stdout: str = ""  # printed before the hidden calls (``Job.hidden_from``), if any
    stderr: str = ""
    stdout_truncated: bool = False
    # the hidden calls' inputs had been handed over: the run's failure is theirs
    hidden_started: bool = False
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_memory_kb: int = 0

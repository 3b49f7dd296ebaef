"""What grading returns, and the steps every exercise kind shares.

``Verdict``, ``TestResult`` and ``GradeResult`` (with ``GradeResultDict``, the plain JSON
that crosses into ``problems``); the static checks made before anything runs (CE, forbidden
calls); the verdict of a run that failed as a whole (``run_failure``); the one sandbox run
of the visible and hidden tests (``grade_in_one_run``) and the summary of the judged tests
(``summarise``). A kind (``engine.kinds``) says only how to build the job and how to judge
its results.
"""

from __future__ import annotations

import ast
import builtins
import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypedDict

from engine.checks.forbidden import find_forbidden_calls
from engine.checks.pictures import cap_values
from engine.messages import hidden_params, msg
from engine.sandbox.api import ErrorInfo, Job, RunResult, RunStatus

log = logging.getLogger(__name__)

OUTPUT_CHARS = 8192


class Verdict(StrEnum):
    AC = "AC"  # every test passed
    WA = "WA"  # a test failed
    RE = "RE"  # the learner's code raised or crashed
    CE = "CE"  # syntax error, or an entry point is missing
    TLE = "TLE"
    MLE = "MLE"
    OLE = "OLE"
    IE = "IE"  # the engine's or the sandbox's own fault, never the learner's


class ErrorDict(TypedDict):
    """The learner's exception as plain data (for a hidden test, withheld)."""

    type: str
    message: str
    line: int | None
    column: int | None


class TestResultDict(TypedDict):
    name: str
    passed: bool
    points: float
    max_points: float
    message: str
    hidden: bool
    hint: Any
    values: dict | None  # visible tests: expected and returned arrays, charts (pictures)
    message_data: dict | None  # ``message`` as {code, params} (engine.messages)
    label: dict | None  # {ja, en}: the visible test's name for the page (``name`` identifies)


class GradeResultDict(TypedDict):
    """``GradeResult.to_dict()``: what ``problems`` stores and shows."""

    verdict: str
    score: float
    max_score: float
    tests: list[TestResultDict]
    message: str
    error: ErrorDict | None
    stdout: str
    stderr: str
    output_truncated: bool
    seed: int | None
    message_data: dict | None  # ``message`` as {code, params} (engine.messages)
    diagnosis: dict | None  # {"mutant": name}: a known misconception (engine.diagnosis)
    outputs: list | None  # the visible tests' outputs, when asked for (validation)


@dataclass(frozen=True)
class TestResult:
    name: str
    passed: bool
    points: float
    max_points: float
    message: str = ""
    hidden: bool = False
    hint: Any = None  # a string or {ja, en}, shown when the test fails
    # Visible tests only: expected and returned arrays, charts (engine.checks.pictures)
    values: dict | None = None
    message_data: dict | None = None  # ``message`` as {code, params} (engine.messages)
    label: dict | None = None  # {ja, en} for the page; never for a hidden test


@dataclass(frozen=True)
class GradeResult:
    verdict: Verdict
    score: float
    max_score: float
    tests: tuple[TestResult, ...] = ()
    message: str = ""
    error: ErrorDict | None = None  # {type, message, line, column} for RE and CE
    stdout: str = ""
    stderr: str = ""
    output_truncated: bool = False
    seed: int | None = None  # the submission seed hidden inputs were drawn from (regrades reuse it)
    message_data: dict | None = None  # ``message`` as {code, params} (engine.messages)
    # {"mutant": name} when the failing outputs match a known misconception (engine.diagnosis)
    diagnosis: dict | None = None
    # The visible tests' outputs as plain JSON (engine.diagnosis), when asked for (validation)
    outputs: list | None = None

    def to_dict(self) -> GradeResultDict:
        """Plain JSON-able data."""
        return GradeResultDict(
            verdict=str(self.verdict),
            score=self.score,
            max_score=self.max_score,
            tests=[_test_dict(t) for t in self.tests],
            message=self.message,
            error=None if self.error is None else ErrorDict(**self.error),
            stdout=self.stdout,
            stderr=self.stderr,
            output_truncated=self.output_truncated,
            seed=self.seed,
            message_data=copy.deepcopy(self.message_data),
            diagnosis=copy.deepcopy(self.diagnosis),
            outputs=copy.deepcopy(self.outputs),
        )


def _test_dict(t: TestResult) -> TestResultDict:
    return TestResultDict(
        name=t.name,
        passed=t.passed,
        points=t.points,
        max_points=t.max_points,
        message=t.message,
        hidden=t.hidden,
        hint=copy.deepcopy(t.hint),
        values=copy.deepcopy(t.values),
        message_data=copy.deepcopy(t.message_data),
        label=copy.deepcopy(t.label),
    )


Runner = Callable[[Job], RunResult]


class GradedTest(Protocol):
    """What the shared steps read of a kind's prepared test."""

    @property
    def index(self) -> int: ...
    @property
    def hidden(self) -> bool: ...


class Gradable(Protocol):
    """What the shared steps read of a kind's prepared problem."""

    @property
    def entry_points(self) -> tuple[str, ...]: ...
    @property
    def signatures(self) -> dict[str, list]: ...
    @property
    def forbidden_calls(self) -> tuple[str, ...]: ...
    @property
    def max_score(self) -> float: ...
    @property
    def tests(self) -> Sequence[GradedTest]: ...


# A judged test: its index in the spec, its result, and the learner's exception (if any).
Judged = tuple[int, TestResult, ErrorDict | None]


def truncate(text: str) -> tuple[str, bool]:
    if len(text) <= OUTPUT_CHARS:
        return text, False
    return text[:OUTPUT_CHARS] + "\n… [output truncated]", True


# -- before anything runs


def _compile_error(
    problem: Gradable, kind: str, message: str, line=None, column=None, data=None
) -> GradeResult:
    where = ", ".join(f"{k} {v}" for k, v in (("line", line), ("column", column)) if v is not None)
    text = f"{kind}{' at ' + where if where else ''}: {message}"
    error = ErrorDict(type=kind, message=message, line=line, column=column)
    if line is None:
        at = None
    elif column is None:
        at = msg("at_line", line=line)
    else:
        at = msg("at_line_column", line=line, column=column)
    data = data or msg("compile_error", type=kind, where=at, message=message)
    return GradeResult(
        Verdict.CE, 0, problem.max_score, message=text, error=error, message_data=data
    )


def static_rejection(problem: Gradable, code: str) -> GradeResult | None:
    """CE for syntax errors and missing entry points; WA for forbidden calls. Nothing runs."""
    too_deep = (
        "your code is nested too deeply to compile; split long expressions into several lines"
    )
    try:
        tree = ast.parse(code, filename="solution.py")
    except SyntaxError as exc:
        return _compile_error(problem, type(exc).__name__, exc.msg, exc.lineno, exc.offset)
    except (RecursionError, MemoryError, ValueError):
        return _compile_error(problem, "SyntaxError", too_deep, data=_too_deep())
    defined = _module_level_names(tree)
    missing = [e for e in problem.entry_points if e not in defined]
    if missing and "*" not in defined:
        params = {e: ", ".join(p.name for p in problem.signatures[e]) for e in missing}
        wanted = " and ".join(f"`def {e}({params[e]})`" for e in missing)
        message = (
            f"Your code defines no {wanted} at the top level; keep the name from the starter code."
        )
        data = msg("missing_entry", defs=[f"def {e}({params[e]})" for e in missing])
        return GradeResult(Verdict.CE, 0, problem.max_score, message=message, message_data=data)
    try:
        violations = find_forbidden_calls(code, list(problem.forbidden_calls))
    except RecursionError:
        return _compile_error(problem, "SyntaxError", too_deep, data=_too_deep())
    if not violations:
        return None
    v = violations[0]
    test = TestResult(
        "no forbidden calls",
        False,
        0,
        0,
        f"Your code {v.sentence}.",
        message_data=msg("forbidden_call", violation=v.data),
        label={"ja": "禁止された呼び出しがないこと", "en": "no forbidden calls"},
    )
    error = ErrorDict(type="ForbiddenCall", message=v.sentence, line=v.line, column=v.column)
    message = f"Not run: your code {v.sentence}."
    data = msg("not_run_forbidden", violation=v.data)
    return GradeResult(
        Verdict.WA, 0, problem.max_score, (test,), message=message, error=error, message_data=data
    )


def _too_deep() -> dict:
    return msg("too_deep")


def _module_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:  # assignments, and defs inside top-level if/try/with blocks
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
                elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.add(sub.name)
    return names


# -- a run that failed as a whole


def run_failure(problem: Gradable, run: RunResult, hidden: bool) -> dict | None:
    """The verdict fields when the run as a whole failed, else None."""
    where = " (in a hidden test)" if hidden else ""
    where_data = msg("in_hidden_test") if hidden else None
    base = {"score": 0, "max_score": problem.max_score}
    status = run.status
    if status == RunStatus.OK:
        return None
    if status == RunStatus.COMPILE_ERROR:
        e = run.error
        return {
            **base,
            "verdict": Verdict.CE,
            "message": f"{e.type if e else 'SyntaxError'} at line {e.line if e else '?'}, column {e.column if e else '?'}: {e.message if e else ''}",
            "error": error_dict(e),
            "message_data": msg(
                "compile_error",
                type=e.type if e else "SyntaxError",
                where=msg(
                    "at_line_column", line=e.line if e else "?", column=e.column if e else "?"
                ),
                message=e.message if e else "",
            ),
        }
    if status == RunStatus.IMPORT_ERROR:
        e = run.error
        line = f" at line {e.line}" if e and e.line else ""
        return {
            **base,
            "verdict": Verdict.RE,
            "message": f"Your module raised {e.type if e else 'an exception'}{line} while loading: {e.message if e else ''}",
            "error": error_dict(e),
            "message_data": msg(
                "import_error",
                type=e.type if e else "Exception",
                at_line=msg("at_line", line=e.line) if e and e.line else None,
                message=e.message if e else "",
            ),
        }
    if status == RunStatus.TIMEOUT:
        return {
            **base,
            "verdict": Verdict.TLE,
            "message": f"Time limit exceeded{where}: {run.message or 'your code ran too long'}. Look for an endless loop or an unvectorised loop over many elements.",
            "message_data": msg(
                "time_limit", where=where_data, detail=run.detail or msg("limit.unknown_time")
            ),
        }
    if status == RunStatus.MEMORY:
        return {
            **base,
            "verdict": Verdict.MLE,
            "message": f"Memory limit exceeded{where}: {run.message or 'your code used too much memory'}.",
            "message_data": msg(
                "memory_limit", where=where_data, detail=run.detail or msg("limit.unknown_memory")
            ),
        }
    if status == RunStatus.OUTPUT_LIMIT:
        return {
            **base,
            "verdict": Verdict.OLE,
            "message": f"Output limit exceeded{where}: {run.message or 'your code printed too much'}. Remove large prints.",
            "message_data": msg(
                "output_limit", where=where_data, detail=run.detail or msg("limit.unknown_output")
            ),
        }
    if status == RunStatus.CRASHED:
        return {
            **base,
            "verdict": Verdict.RE,
            "message": f"Your program crashed{where}: "
            + (
                "it ended without a result"
                if hidden
                else run.message or "it ended without a result"
            )
            + ".",
            "error": error_dict(run.error, hidden=hidden),
            "message_data": msg("crashed", where=where_data, detail=run.detail or run.message)
            if run.message and not hidden
            else msg("crashed_no_result", where=where_data),
        }
    log.error("sandbox internal error: %s", run.message)
    return {
        **base,
        "verdict": Verdict.IE,
        "message": "The sandbox failed (an internal error, not your fault); please try again.",
        "message_data": msg("sandbox_failed"),
    }


_BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def hidden_exception_type(name: str | None) -> str:
    """A built-in exception class's name, else "an exception": learner-chosen names never
    reach a learner from a hidden test (a type name can encode the test's inputs)."""
    return name if name in _BUILTIN_EXCEPTIONS else "an exception"


def error_dict(e: ErrorInfo | None, hidden: bool = False) -> ErrorDict | None:
    """The learner's exception as plain data; for a hidden test only a built-in type name."""
    if e is None:
        return None
    if hidden:
        return ErrorDict(
            type=hidden_exception_type(e.type),
            message="(withheld: hidden test)",
            line=None,
            column=None,
        )
    return ErrorDict(type=e.type, message=e.message, line=e.line, column=e.column)


# -- the one run of the visible and hidden tests, and the summary

# A kind's plan for the tests (visible, hidden): the job to run (its hidden calls from
# ``Job.hidden_from``), and how to judge its result.
RunPlan = tuple[Job, Callable[[RunResult], list[Judged]]]


def grade_in_one_run(
    problem: Gradable,
    code: str,
    runner: Runner,
    plan: Callable[[list[Any], list[Any]], RunPlan],
) -> GradeResult:
    """Static checks, then one sandbox job: the visible tests' calls, then the hidden
    tests' (which the sandbox hands over only after the visible ones returned, and whose
    output it discards), each judged by the kind; the verdict of the first failure in spec
    order."""
    rejection = static_rejection(problem, code)
    if rejection:
        return rejection
    if not problem.tests:  # nothing to run
        return summarise(problem, {}, {}, "", "")
    visible = [t for t in problem.tests if not t.hidden]
    hidden = [t for t in problem.tests if t.hidden]
    job, judge = plan(visible, hidden)
    run = runner(job)
    # only the visible calls' output comes back; none at all when every test is hidden
    stdout, stderr = (run.stdout, run.stderr) if visible else ("", "")
    stopped = run_failure(problem, run, hidden=run.hidden_started or not visible)
    if stopped:
        out, out_cut = truncate(stdout)
        err, err_cut = truncate(stderr)
        return GradeResult(
            **stopped,
            stdout=out,
            stderr=err,
            output_truncated=out_cut or err_cut or run.stdout_truncated,
        )
    if len(run.calls) != len(job.calls):
        raise RuntimeError(f"sandbox returned {len(run.calls)} results for {len(job.calls)} calls")
    results: dict[int, TestResult] = {}
    errors: dict[int, ErrorDict | None] = {}
    for index, result, error in judge(run):
        results[index] = result
        if error is not None:
            errors[index] = error
    return summarise(problem, results, errors, stdout, stderr)


def passed_result(name: str, test: Any, values: dict | None, label: Any) -> TestResult:
    """A passed test's result (``test``: a kind's prepared test, with ``points`` and ``hidden``)."""
    return TestResult(
        name, True, test.points, test.points, "", test.hidden, values=values, label=label
    )


def failed_result(
    name: str, test: Any, message: str, data: dict | None, values: dict | None, label: Any
) -> TestResult:
    """A failed test's result; a hidden test's says its inputs are not shown and keeps only
    the summary of its message data (``hidden_message``)."""
    if test.hidden:
        message = f"{message} (hidden test: its inputs are not shown)"
        data = hidden_message(data)
    return TestResult(
        name,
        False,
        0,
        test.points,
        message,
        test.hidden,
        test.hint,
        values,
        message_data=data,
        label=label,
    )


def hidden_message(data: dict | None) -> dict | None:
    """A hidden test's message: the summary of ``data`` and nothing of its inputs or values."""
    if data is None:
        return None
    if data["code"] != "hidden_raised":
        data = hidden_params(data)
    return msg("hidden_failure", failure=data)


def summarise(
    problem: Gradable,
    results: dict[int, TestResult],
    errors: dict[int, ErrorDict | None],
    stdout: str,
    stderr: str,
) -> GradeResult:
    tests = cap_values(tuple(results[t.index] for t in problem.tests))
    score = sum(t.points for t in tests if t.passed)
    failed = [t for t in tests if not t.passed]
    out, out_cut = truncate(stdout)
    err, err_cut = truncate(stderr)
    common: dict[str, Any] = {"stdout": out, "stderr": err, "output_truncated": out_cut or err_cut}
    if not failed:
        message = f"All {len(tests)} tests passed."
        data = msg("summary.passed", total=len(tests))
        return GradeResult(
            Verdict.AC, score, problem.max_score, tests, message, message_data=data, **common
        )
    first_index = next(t.index for t in problem.tests if not results[t.index].passed)
    first = results[first_index]
    error = errors.get(first_index)
    verdict = Verdict.RE if error else Verdict.WA
    what = "raised an exception" if error else "failed"
    message = (
        f"{len(failed)} of {len(tests)} tests failed; first, {first.name!r} {what}: {first.message}"
    )
    hidden_indices = [t.index for t in problem.tests if t.hidden]
    data = msg(
        "summary.raised" if error else "summary.failed",
        failed=len(failed),
        total=len(tests),
        test=msg("test.hidden", n=hidden_indices.index(first_index) + 1)
        if first.hidden
        else msg("test.named", name=first.label or first.name),
        first=first.message_data or msg("subject.text", text=first.message),
    )
    return GradeResult(
        verdict, score, problem.max_score, tests, message, error, message_data=data, **common
    )

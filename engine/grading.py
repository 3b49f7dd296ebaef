"""Grade a learner's submission to a code problem: the engine's public entry point.

    result = grade_submission(spec, code)          # spec: the problem's ``code:`` mapping
    result.verdict, result.score, result.to_dict()

The learner's code runs only in the sandbox (``engine.sandbox.run`` unless a ``runner``
is given); inputs go in, plain values come back, and every comparison with the
reference happens here, in the trusted process. Hidden tests run in a separate sandbox
job whose output is discarded, so nothing they print reaches the learner.
"""

from __future__ import annotations

import ast
import builtins
import copy
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from engine.checks.forbidden import find_forbidden_calls
from engine.checks.judge import find_failure
from engine.checks.pictures import cap_values, test_values
from engine.checks.plan import PreparedProblem, PreparedTest, prepare
from engine.messages import hidden_params, msg
from engine.sandbox.api import Call, CallResult, GradRequest, Job, Limits, RunResult, RunStatus

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


@dataclass(frozen=True)
class GradeResult:
    verdict: Verdict
    score: float
    max_score: float
    tests: tuple[TestResult, ...] = ()
    message: str = ""
    error: dict | None = None  # {type, message, line, column} for RE and CE
    stdout: str = ""
    stderr: str = ""
    output_truncated: bool = False
    seed: int | None = None  # the submission seed hidden inputs were drawn from (regrades reuse it)
    message_data: dict | None = None  # ``message`` as {code, params} (engine.messages)
    # {"mutant": name} when the failing outputs match a known misconception (engine.diagnosis)
    diagnosis: dict | None = None
    # The visible tests' outputs as plain JSON (engine.diagnosis), when asked for (validation)
    outputs: list | None = None

    def to_dict(self) -> dict:
        """Plain JSON-able data."""
        data = asdict(self)
        data["verdict"] = str(self.verdict)
        data["tests"] = [asdict(t) for t in self.tests]
        return data


Runner = Callable[[Job], RunResult]


def _default_runner(job: Job) -> RunResult:
    from engine.sandbox import run

    return run(job)


def _truncate(text: str) -> tuple[str, bool]:
    if len(text) <= OUTPUT_CHARS:
        return text, False
    return text[:OUTPUT_CHARS] + "\n… [output truncated]", True


def deliberate_shutdown(exc: BaseException) -> bool:
    """Only a deliberate stop passes a trusted boundary: Ctrl-C, a generator closing, or a
    Celery worker's warm/cold shutdown; any other BaseException (``SystemExit`` from code
    the grader ran, ...) becomes an internal-error result and the worker survives."""
    if isinstance(exc, (KeyboardInterrupt, GeneratorExit)):
        return True
    kind = type(exc)
    return kind.__name__ in ("WorkerShutdown", "WorkerTerminate") and kind.__module__.startswith(
        "celery"
    )


def grade_submission(
    spec: dict,
    code: str,
    *,
    runner: Runner | None = None,
    seed: int | None = None,
    record_outputs: bool = False,
    known_outputs: dict | None = None,
) -> GradeResult:
    """Grade ``code`` against ``spec`` (a validated ``code:`` mapping of a problem file).

    ``seed`` (e.g. the submission's id) draws the hidden tests' inputs; it is recorded in
    the result so a regrade with the same seed sees the same inputs. Without it, hidden
    inputs are the fixed ones of the problem file.

    ``record_outputs`` puts the visible tests' outputs in ``result.outputs`` (validation
    records the reference's and the mutants'); ``known_outputs`` (``{"reference": record,
    "mutants": [{"name", "record"}]}``, those records) diagnoses a wrong answer that behaves
    like one of the mutants (engine.diagnosis)."""
    try:
        problem = prepare(spec, seed)
    except BaseException as exc:  # any fault here is ours, not the learner's
        if deliberate_shutdown(exc):
            raise
        log.exception("could not prepare the problem's tests")
        return GradeResult(
            Verdict.IE,
            0,
            0,
            message="The problem's tests could not be prepared (an internal error); please report it.",
            message_data=msg("prepare_failed"),
        )
    try:
        if getattr(problem, "is_training", False):
            from engine.training import grade_training

            result = grade_training(problem, code, runner or _default_runner)
        else:
            visible_calls: list = []
            result = _grade(problem, code, runner or _default_runner, visible_calls)
            result = _with_diagnosis(problem, result, visible_calls, record_outputs, known_outputs)
        return replace(result, seed=seed) if seed is not None else result
    except BaseException as exc:  # SystemExit included: the worker survives
        if deliberate_shutdown(exc):
            raise
        log.exception("grading failed")
        return GradeResult(
            Verdict.IE,
            0,
            problem.max_score,
            message="Grading failed with an internal error; this is not your fault. Please try again.",
            message_data=msg("internal_error"),
        )


def _with_diagnosis(
    problem: PreparedProblem,
    result: GradeResult,
    visible_calls: list,
    record_outputs: bool,
    known_outputs: dict | None,
) -> GradeResult:
    """The result with the visible outputs recorded and/or a misconception diagnosed."""
    from engine import diagnosis

    if not visible_calls:
        return result
    tests = [t for t in problem.tests if not t.hidden]
    if record_outputs:
        judged = len(result.tests) == len(problem.tests)
        passed = [
            r.passed if judged else False
            for t, r in zip(problem.tests, result.tests or problem.tests, strict=False)
            if not t.hidden
        ]
        outputs = diagnosis.visible_record(tests, visible_calls, passed)
        result = replace(result, outputs=outputs)
    if known_outputs and result.verdict == Verdict.WA:
        found = diagnosis.diagnose(tests, visible_calls, known_outputs)
        result = replace(result, diagnosis=found)
    return result


def _compile_error(
    problem: PreparedProblem, kind: str, message: str, line=None, column=None, data=None
) -> GradeResult:
    where = ", ".join(f"{k} {v}" for k, v in (("line", line), ("column", column)) if v is not None)
    text = f"{kind}{' at ' + where if where else ''}: {message}"
    error = {"type": kind, "message": message, "line": line, "column": column}
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


def _static_rejection(problem: PreparedProblem, code: str) -> GradeResult | None:
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
    )
    error = {"type": "ForbiddenCall", "message": v.sentence, "line": v.line, "column": v.column}
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


def _job(problem: PreparedProblem, code: str, tests: list[PreparedTest]) -> Job:
    calls = []
    for t in tests:
        grad = (
            GradRequest(wrt=t.grad.wrt, upstream=copy.deepcopy(t.grad.upstream)) if t.grad else None
        )
        calls.append(
            Call(
                entry=t.entry,
                args=copy.deepcopy(t.args),
                kwargs=copy.deepcopy(t.kwargs),
                as_tensor=problem.framework == "torch",
                grad=grad,
                return_args=True,
            )
        )
    limits = Limits(**problem.limits) if problem.limits else Limits()
    return Job(
        code=code, calls=tuple(calls), framework=_sandbox_framework(problem, code), limits=limits
    )


def _sandbox_framework(problem: PreparedProblem, code: str) -> str:
    """Where the code runs. A NumPy problem solved with PyTorch (allowed unless forbidden) runs
    in the sandbox that has torch imported already: importing it takes 2-7 s on a busy
    machine, which would eat the 5 s wall-clock limit of a correct solution. The arguments
    stay NumPy arrays (`as_tensor` follows the problem)."""
    if problem.framework == "torch":
        return "torch"
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return problem.framework
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module or ""]
        else:
            continue
        if any(module.split(".")[0] == "torch" for module in modules):
            return "torch"
    return problem.framework


def _grade(
    problem: PreparedProblem, code: str, runner: Runner, visible_calls: list | None = None
) -> GradeResult:
    """``visible_calls``, when given, receives the visible tests' call results (diagnosis)."""
    rejection = _static_rejection(problem, code)
    if rejection:
        return rejection
    visible = [t for t in problem.tests if not t.hidden]
    hidden = [t for t in problem.tests if t.hidden]
    results: dict[int, TestResult] = {}
    errors: dict[int, dict | None] = {}
    stdout = stderr = ""
    for group in (visible, hidden):
        if not group:
            continue
        run = runner(_job(problem, code, group))
        if group is visible:
            stdout, stderr = run.stdout, run.stderr
        stopped = _run_failure(problem, run, hidden=group is hidden)
        if stopped:
            out, out_cut = _truncate(stdout)
            err, err_cut = _truncate(stderr)
            return GradeResult(
                **{
                    **stopped,
                    "stdout": out,
                    "stderr": err,
                    "output_truncated": out_cut or err_cut or run.stdout_truncated,
                }
            )
        if len(run.calls) != len(group):
            raise RuntimeError(f"sandbox returned {len(run.calls)} results for {len(group)} calls")
        if group is visible and visible_calls is not None:
            visible_calls.extend(run.calls)
        for k, (test, call) in enumerate(zip(group, run.calls, strict=True), start=1):
            name = f"hidden test {k}" if test.hidden else None
            results[test.index] = _judge(test, call, name, problem.pictures)
            if call.error is not None:
                errors[test.index] = _error_dict(call.error, hidden=test.hidden)
    return _summarise(problem, results, errors, stdout, stderr)


def _run_failure(problem: PreparedProblem, run: RunResult, hidden: bool) -> dict | None:
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
            "error": _error_dict(e),
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
            "error": _error_dict(e),
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
                "time_limit", where=where_data, detail=run.message or "your code ran too long"
            ),
        }
    if status == RunStatus.MEMORY:
        return {
            **base,
            "verdict": Verdict.MLE,
            "message": f"Memory limit exceeded{where}: {run.message or 'your code used too much memory'}.",
            "message_data": msg(
                "memory_limit",
                where=where_data,
                detail=run.message or "your code used too much memory",
            ),
        }
    if status == RunStatus.OUTPUT_LIMIT:
        return {
            **base,
            "verdict": Verdict.OLE,
            "message": f"Output limit exceeded{where}: {run.message or 'your code printed too much'}. Remove large prints.",
            "message_data": msg(
                "output_limit", where=where_data, detail=run.message or "your code printed too much"
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
            "error": _error_dict(run.error, hidden=hidden),
            "message_data": msg("crashed", where=where_data, detail=run.message)
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


def _error_dict(e, hidden: bool = False) -> dict | None:
    """The learner's exception as plain data; for a hidden test only a built-in type name."""
    if e is None:
        return None
    if hidden:
        return {
            "type": hidden_exception_type(e.type),
            "message": "(withheld: hidden test)",
            "line": None,
            "column": None,
        }
    return {"type": e.type, "message": e.message, "line": e.line, "column": e.column}


def _judge(
    test: PreparedTest, call: CallResult, name: str | None = None, pictures: dict | None = None
) -> TestResult:
    name = name or test.name
    failure = find_failure(test, call)
    values = None if test.hidden else test_values(test, call, pictures)
    if failure is None:
        return TestResult(name, True, test.points, test.points, "", test.hidden, values=values)
    data = failure.data
    if test.hidden and call.error is not None:
        message = f"raised {hidden_exception_type(call.error.type)}"
        data = msg("hidden_raised", type=hidden_exception_type(call.error.type))
    else:
        message = failure.summary if test.hidden else failure.detail
    if test.hidden:
        message = f"{message} (hidden test: its inputs are not shown)"
        data = hidden_message(data)
    return TestResult(
        name, False, 0, test.points, message, test.hidden, test.hint, values, message_data=data
    )


def hidden_message(data: dict | None) -> dict | None:
    """A hidden test's message: the summary of ``data`` and nothing of its inputs or values."""
    if data is None:
        return None
    if data["code"] != "hidden_raised":
        data = hidden_params(data)
    return msg("hidden_failure", failure=data)


def _summarise(
    problem: PreparedProblem,
    results: dict[int, TestResult],
    errors: dict[int, dict | None],
    stdout: str,
    stderr: str,
) -> GradeResult:
    tests = cap_values(tuple(results[t.index] for t in problem.tests))
    score = sum(t.points for t in tests if t.passed)
    failed = [t for t in tests if not t.passed]
    out, out_cut = _truncate(stdout)
    err, err_cut = _truncate(stderr)
    common = {"stdout": out, "stderr": err, "output_truncated": out_cut or err_cut}
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
        else msg("test.named", name=first.name),
        first=first.message_data or msg("subject.text", text=first.message),
    )
    return GradeResult(
        verdict, score, problem.max_score, tests, message, error, message_data=data, **common
    )

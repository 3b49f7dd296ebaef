"""The exercise kinds ``engine.grading`` dispatches over, one module each.

A kind module exposes ``errors(spec, *, run_reference=True) -> list[str]`` (what is wrong
with a schema-valid spec, as sentences naming the field), ``prepare(spec, seed=None)``
(the tests, ready to grade) and ``grade(prepared, code, runner) -> GradeResult``.

* ``function``: the learner writes a function; each test calls it once on generated
  inputs and compares the result with a trusted reference (``engine.checks``).
* ``training``: the learner builds and trains a model; a check suite of
  ``engine.training`` judges what it does on the grader's inputs.
"""

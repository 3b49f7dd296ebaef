"""The training exercises are fair across every choice their statements allow.

For each exercise, at least 20 combinations of an allowed choice (the hidden size H, Adam's
learning rate) and an initial seed: the model solution and every alternative get full marks
in every one, and every mutant is rejected in every one. Slow (minutes per exercise); the
figures of docs/engine.md come from the same sweep (``python -m bench.training_sweep``).
Set ENGINE_TEST_RUNNER=inprocess to grade without the sandbox (same verdicts, much faster).
"""

from __future__ import annotations

import pytest

from bench.training_sweep import CONTENT, EXERCISES, programs, sweep
from engine.grading import load_code_spec


@pytest.mark.parametrize("slug", EXERCISES)
def test_each_exercise_sweeps_at_least_twenty_combinations_of_every_program(slug):
    exercise = EXERCISES[slug]
    spec = load_code_spec(CONTENT / exercise.path)
    assert len(exercise.combos()) >= 20
    kinds = [kind for _, kind, _ in programs(spec)]
    assert kinds.count("alternative") >= 2 and kinds.count("mutant") >= 2
    if exercise.choice:  # the choice swept is really in every correct program
        assert all(exercise.choice in code for _, kind, code in programs(spec) if kind != "mutant")


@pytest.mark.slow
@pytest.mark.sweep  # out of `make test` (most of an hour under load): `make sweep` runs it
@pytest.mark.parametrize("slug", EXERCISES)
def test_correct_programs_pass_and_mutants_fail_in_every_combination(slug, runner):
    # when
    outcomes = sweep(slug, runner=runner)
    # then
    wrong = [
        f"{o.program} ({o.kind}) with {o.value}, seed {o.seed}: {o.verdict}, failed {o.failed}"
        for o in outcomes
        if (o.verdict == "AC") != (o.kind != "mutant")
    ]
    assert not wrong, "\n".join(wrong)

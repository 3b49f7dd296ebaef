"""Training exercises: learner PyTorch code builds and trains a model inside the sandbox,
and the grader judges the model by what it does on inputs the grader supplies.

Public: ``prepare_training``, ``training_spec_errors``, ``grade_training``; the check
suites are in ``engine.training.suites``. See "Training exercises" in docs/engine.md.
"""

from engine.training.core import PreparedTraining
from engine.training.spec import prepare_training, training_spec_errors


def grade_training(problem, code, runner):
    from engine.training.grading import grade_training as grade

    return grade(problem, code, runner)


__all__ = ["PreparedTraining", "grade_training", "prepare_training", "training_spec_errors"]

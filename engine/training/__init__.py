"""Training exercises: learner PyTorch code builds and trains a model inside the sandbox,
and the grader judges the model by what it does on inputs the grader supplies.

Public: ``prepare_training``, ``training_spec_errors``, ``PreparedTraining``; the check
suites are in ``engine.training.suites``; grading is the ``training`` kind's
(``engine.kinds.training``). See "Training exercises" in docs/engine.md.
"""

from engine.training.core import PreparedTraining
from engine.training.spec import prepare_training, training_spec_errors

__all__ = ["PreparedTraining", "prepare_training", "training_spec_errors"]

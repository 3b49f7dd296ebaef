"""The check suites of the training exercises, by the name a spec's ``reference.training`` uses."""

from engine.training.suites.classifier import CLASSIFIER
from engine.training.suites.seq2seq import SEQ2SEQ

SUITES = {s.name: s for s in (SEQ2SEQ, CLASSIFIER)}

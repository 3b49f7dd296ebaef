"""The learning loop: spaced repetition (FSRS) over problems, hints, and readiness.

It listens to `problems.events` (an answer recorded, a submission graded, a quiz finished) and
never changes what `problems` records; `problems` does not import it (docs/architecture.md).
"""

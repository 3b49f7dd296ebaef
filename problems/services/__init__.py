"""Writes, one module per entity: `answers`, `attempts`, `submissions` and `authoring`. Every
state change of learner data and of published content goes through one function here."""

"""Grading engine: references, checkers and the sandbox. Plain Python; never imports Django."""

"""Reference code written by an author runs in the sandbox, never in the grader's process."""

from __future__ import annotations

from pathlib import Path

from engine.grading import grade_submission, validate_spec

ROOT = Path(__file__).resolve().parents[2]


def relu_spec(reference: str) -> dict:
    return {
        "framework": "numpy",
        "entry_points": ["relu"],
        "starter": "import numpy as np\n\ndef relu(x):\n    pass\n",
        "reference": {"code": reference},
        "tests": [
            {"name": "matrix", "args": {"x": {"shape": [3, 5]}}},
            {"name": "hidden vector", "hidden": True, "args": {"x": {"shape": [7]}}},
        ],
    }


RELU = "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n"


def test_expected_values_come_from_the_authors_reference_code():
    spec = relu_spec(RELU)
    assert validate_spec(spec) == []
    assert grade_submission(spec, RELU).verdict == "AC"
    wrong = grade_submission(spec, "import numpy as np\n\ndef relu(x):\n    return np.abs(x)\n")
    assert wrong.verdict == "WA" and "max abs error" in wrong.tests[0].message


def test_reference_code_cannot_read_the_project_or_reach_the_database():
    probe = ROOT / "pyproject.toml"
    spying = f"import socket\n\ndef relu(x):\n    open({str(probe)!r}).read()\n    return x\n"
    errors = validate_spec(relu_spec(spying))
    assert errors and "No such file or directory" in errors[0]
    calling_home = "import socket\n\ndef relu(x):\n    socket.create_connection(('127.0.0.1', 5432), timeout=1)\n    return x\n"
    errors = validate_spec(relu_spec(calling_home))
    # seccomp refuses every socket family but AF_UNIX (docs/sandbox.md)
    assert errors and "Address family not supported" in errors[0]

"""Forbidden calls are found statically, in the trusted process, through the usual disguises."""

from __future__ import annotations

import pytest

from engine.checks import find_forbidden_calls

LSTM = ["torch.nn.LSTMCell"]


@pytest.mark.parametrize(
    "source",
    [
        "import torch\ncell = torch.nn.LSTMCell(3, 4)\n",
        "from torch import nn\ncell = nn.LSTMCell(3, 4)\n",
        "import torch.nn as tnn\ncell = tnn.LSTMCell(3, 4)\n",
        "from torch.nn import LSTMCell as Cell\ncell = Cell(3, 4)\n",
        "from torch.nn.modules.rnn import LSTMCell\n",
        "import torch\nm = torch.nn\ncell = m.LSTMCell(3, 4)\n",
        "import torch\ncell = getattr(torch.nn, 'LSTMCell')(3, 4)\n",
        "import torch\ncell = getattr(torch.nn, 'LSTM' + 'Cell')(3, 4)\n",
        "def f(obj):\n    return obj.LSTMCell\n",
        "from torch.nn import *\n",
    ],
    ids=[
        "attribute",
        "from-import",
        "module-alias",
        "name-alias",
        "re-export",
        "assigned-alias",
        "getattr",
        "getattr-concat",
        "any-attribute",
        "star-import",
    ],
)
def test_it_finds_the_forbidden_class_however_it_is_reached(source):
    violations = find_forbidden_calls(source, LSTM)
    assert violations, source
    assert violations[0].line >= 1


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nname = 'LSTM' + input()\ncell = getattr(torch.nn, name)\n",
        "mod = __import__('torch')\n",
        "import importlib\ntorch = importlib.import_module('torch')\n",
        "cell = eval('torch.nn.LSTMCell')\n",
        "import sys\nnn = sys.modules['torch.nn']\n",
    ],
    ids=["computed-getattr", "dunder-import", "importlib", "eval", "sys-modules"],
)
def test_it_refuses_escape_hatches_when_something_is_forbidden(source):
    assert find_forbidden_calls(source, LSTM)


def test_it_allows_ordinary_code_and_unrelated_torch_use():
    source = (
        "import numpy as np\nimport torch\nfrom torch import nn\n"
        "def lstm(x, prev_h, prev_c, W, U, b):\n"
        "    layer = nn.Linear(3, 4)\n"
        "    a, i, f, o = np.split(x.dot(W.T) + prev_h.dot(U.T) + b, 4, axis=1)\n"
        "    return torch.sigmoid(torch.tensor(o)), prev_c\n"
    )
    assert find_forbidden_calls(source, LSTM) == []


def test_nothing_is_refused_when_nothing_is_forbidden():
    assert find_forbidden_calls("x = eval('1 + 1')\n", []) == []


def test_violation_names_the_line_and_says_why():
    v = find_forbidden_calls(
        "import numpy as np\nfrom torch import nn\ncell = nn.LSTMCell(3, 4)\n", LSTM
    )[0]
    assert v.line == 3
    assert "torch.nn.LSTMCell" in v.sentence and "implement" in v.sentence

"""Forbidden calls are found statically, in the trusted process, through the usual disguises."""

from __future__ import annotations

import pytest

from engine.checks import find_forbidden_calls

LSTM = ["torch.nn.LSTMCell"]
SOFTMAX = ["scipy.special.softmax", "torch.softmax", "torch.nn.functional.softmax"]


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
        "mod = __import__('torch')\n",
        "import importlib\ntorch = importlib.import_module('torch')\n",
        "cell = eval('torch.nn.LSTMCell')\n",
        "import sys\nnn = sys.modules['torch.nn']\n",
    ],
    ids=["dunder-import", "importlib", "eval", "sys-modules"],
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


def test_it_allows_a_learners_own_method_named_like_the_forbidden_function():
    source = (
        "import numpy as np\n"
        "class Layer:\n"
        "    def softmax(self, x):\n"
        "        e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
        "        return e / e.sum(axis=-1, keepdims=True)\n"
        "def softmax(x):\n"
        "    return Layer().softmax(x)\n"
    )
    assert find_forbidden_calls(source, SOFTMAX) == []


def test_it_allows_getattr_with_a_computed_name():
    source = (
        "import numpy as np\n"
        "ACTS = {'r': 'sigmoid', 'n': 'tanh'}\n"
        "class Gates:\n"
        "    def sigmoid(self, x):\n        return 1 / (1 + np.exp(-x))\n"
        "    def tanh(self, x):\n        return np.tanh(x)\n"
        "def gate(kind, x):\n"
        "    return getattr(Gates(), ACTS[kind])(x)\n"
    )
    assert find_forbidden_calls(source, ["torch.nn.GRUCell", "torch.nn.GRU"]) == []


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\ny = np.tanh(1.0)\n",
        "import numpy as np\nt = np.tanh\ny = t(1.0)\n",
        "from numpy import tanh as th\ny = th(1.0)\n",
        "import numpy\nmath_ = numpy\ny = math_.tanh(1.0)\n",
    ],
    ids=["attribute", "assigned-alias", "from-import-alias", "module-alias"],
)
def test_it_still_refuses_a_forbidden_numpy_function_under_an_alias(source):
    violations = find_forbidden_calls(source, ["numpy.tanh"])
    assert [v.name for v in violations][:1] == ["numpy.tanh"]


def test_it_never_imports_a_module_named_in_learner_code():
    import sys

    sys.modules.pop("numpy.__main__", None)
    sys.modules.pop("torch.__main__", None)
    source = (
        "import numpy.__main__\nimport torch.__main__ as m\n"
        "from numpy import __main__\nx = numpy.__main__.softmax\n"
        "from torch.nn.modules import __main__ as q\n"
    )
    find_forbidden_calls(source, SOFTMAX)
    assert "numpy.__main__" not in sys.modules
    assert "torch.__main__" not in sys.modules
    assert "torch.nn.modules.__main__" not in sys.modules

"""The JSON Schema of a code problem's ``code:`` mapping (the test specification).

The schema is data; ``engine.checks.spec.validate_spec`` applies it and adds the checks a
schema cannot express (entry points defined by the starter, argument names, outputs).
``x-message`` is our own keyword: the sentence shown when a value fails that subschema.
"""

from __future__ import annotations

NUMBER_OR_SPECIAL = {
    "x-message": "expected a number or one of 'nan', 'inf', '-inf'",
    "anyOf": [{"type": "number"}, {"enum": ["nan", "inf", "-inf"]}],
}

SHAPE = {
    "x-message": "expected a list of positive integers",
    "type": "array",
    "items": {"type": "integer", "minimum": 1},
}

DTYPE = {"enum": ["float64", "float32", "int64", "int32", "uint8", "bool"]}

TOLERANCE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "rtol": {"type": "number", "minimum": 0},
        "atol": {"type": "number", "minimum": 0},
        "float64": {"type": "boolean"},
    },
}

RANDOM_ARRAY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["shape"],
    "properties": {
        "shape": {"$ref": "#/$defs/shape"},
        "dist": {"enum": ["normal", "uniform", "randint", "onehot", "zeros", "ones", "full"]},
        "mean": {"type": "number"},
        "std": {"type": "number", "minimum": 0},
        "low": {"type": "number"},
        "high": {"type": "number"},
        "fill": {"$ref": "#/$defs/number_or_special"},
        "dtype": {"$ref": "#/$defs/dtype"},
        "round": {"type": "integer", "minimum": 0},
        "distinct": {"type": "boolean"},
        "seed": {"type": "integer", "minimum": 0},
        "array": {
            "type": "boolean",
            "description": "shape [] gives a Python scalar unless array is true",
        },
        "set": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["index", "value"],
                "properties": {
                    "index": {"type": "array", "items": {"type": "integer"}},
                    "value": {"$ref": "#/$defs/number_or_special"},
                },
            },
        },
    },
}

LITERAL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value"],
    "properties": {"value": {}, "dtype": {"$ref": "#/$defs/dtype"}},
}

TREE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["tree", "leaf"],
    "properties": {
        "tree": {"$ref": "#/$defs/tree_structure"},
        "leaf": {"$ref": "#/$defs/random_array"},
    },
}

ARG = {
    "x-message": (
        "expected a literal (number, string, boolean or list), {value: ...}, "
        "{shape: [...], dist: ...} or {tree: ..., leaf: {...}}"
    ),
    "anyOf": [
        {"type": ["number", "string", "boolean", "null", "array"]},
        {"$ref": "#/$defs/literal"},
        {"$ref": "#/$defs/random_array"},
        {"$ref": "#/$defs/tree"},
    ],
}

# Mutants (wrong on purpose) and alternatives (right, written differently): named code.
NAMED_CODE = {
    "name": {"type": "string", "minLength": 1},
    "description": {"type": "string"},
    "code": {"type": "string", "minLength": 1},
}
NAMED_CODE_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "code"],
        "properties": NAMED_CODE,
    },
}
# A mutant may say, in both languages, what a learner who wrote it has misunderstood and how to
# think about it, without giving the code: what the page shows when a submission behaves like it.
MUTANT_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "code"],
        "properties": {
            **NAMED_CODE,
            "feedback": {
                "type": "object",
                "additionalProperties": False,
                "required": ["ja", "en"],
                "properties": {
                    "ja": {"type": "string", "minLength": 1},
                    "en": {"type": "string", "minLength": 1},
                },
            },
        },
    },
}

ARGS = {"type": "object", "additionalProperties": {"$ref": "#/$defs/arg"}}

UPSTREAM = {
    "x-message": "expected a number or {shape: [...], dist: ...}",
    "anyOf": [{"type": "number"}, {"$ref": "#/$defs/random_array"}],
}

TEXT = {
    "x-message": "expected a string or {ja: ..., en: ...}",
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["ja", "en"],
            "properties": {"ja": {"type": "string"}, "en": {"type": "string"}},
        },
    ],
}

# A visible test's name in both languages, for the page: ``name`` stays the identifier that
# logs, validation records and seeds use.
LABEL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ja", "en"],
    "properties": {
        "ja": {"type": "string", "minLength": 1},
        "en": {"type": "string", "minLength": 1},
    },
}

TEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "args"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "label": {"$ref": "#/$defs/label"},
        "check": {"type": "string", "description": "training exercises: the suite's check"},
        "entry": {"type": "string"},
        "points": {"type": "number", "exclusiveMinimum": 0},
        "hidden": {"type": "boolean"},
        "seed": {"type": "integer", "minimum": 0},
        "args": {"$ref": "#/$defs/args"},
        "tolerance": {"$ref": "#/$defs/tolerance"},
        "properties": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {"enum": ["finite", "sums_to_one", "probabilities", "nonnegative"]},
            },
        },
        "compare_values": {"type": "boolean"},
        "grad": {
            "type": "object",
            "additionalProperties": False,
            "required": ["wrt", "upstream"],
            "properties": {
                "wrt": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                "upstream": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/$defs/upstream"},
                },
            },
        },
        "mutable": {"type": "array", "items": {"type": "string"}},
        "hint": {"$ref": "#/$defs/text"},
    },
}

SPEC_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["framework", "entry_points", "starter", "reference", "tests"],
    "properties": {
        "framework": {"enum": ["numpy", "torch"]},
        "queue": {
            "enum": ["grading", "training"],
            "description": "the Celery queue; training exercises need the training workers",
        },
        "entry_points": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        },
        "starter": {"type": "string", "minLength": 1},
        "solution": {"type": "string", "minLength": 1},
        "reference": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {
                "engine": {
                    "x-message": "expected a reference function name or {entry point: name}",
                    "anyOf": [
                        {"type": "string"},
                        {"type": "object", "additionalProperties": {"type": "string"}},
                    ],
                },
                "code": {"type": "string"},
                # A training exercise: a check suite of engine.training judges the model.
                "training": {"type": "string"},
            },
        },
        "outputs": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "minItems": 2,
                "items": {"type": "string"},
            },
        },
        "tolerance": {"$ref": "#/$defs/tolerance"},
        "seed": {"type": "integer", "minimum": 0},
        "args": {"$ref": "#/$defs/args"},
        "tests": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/test"}},
        "mutants": MUTANT_LIST,
        "alternatives": NAMED_CODE_LIST,
        "limits": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "wall_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
                "cpu_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
                "memory_mb": {"type": "integer", "minimum": 64, "maximum": 4096},
            },
        },
        "forbidden_calls": {
            "type": "array",
            "items": {
                "type": "string",
                "pattern": "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$",
            },
        },
        # How the page draws visible tests' arrays (engine.checks.pictures): `kind: image`
        # draws (H, W, C) and (N, H, W, C) arrays as pictures; `inputs` are arguments drawn
        # beside the outputs (the image an augmentation starts from).
        "pictures": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "kind": {"enum": ["heatmap", "image"]},
                "inputs": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "$defs": {
        "shape": SHAPE,
        "dtype": DTYPE,
        "number_or_special": NUMBER_OR_SPECIAL,
        "tolerance": TOLERANCE,
        "random_array": RANDOM_ARRAY,
        "literal": LITERAL,
        "tree": TREE,
        "tree_structure": {
            "x-message": "expected a nested list of pairs whose leaves are 0, e.g. [[0, 0], 0]",
            "anyOf": [
                {"const": 0},
                {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": 2,
                    "items": {"$ref": "#/$defs/tree_structure"},
                },
            ],
        },
        "arg": ARG,
        "label": LABEL,
        "args": ARGS,
        "upstream": UPSTREAM,
        "text": TEXT,
        "test": TEST,
    },
}

"""Loaded by the schemathesis runs (SCHEMATHESIS_HOOKS, tests/contract/test_schemathesis.py): `ast.parse` one
thread at a time.

Schemathesis's two workers are threads, and Hypothesis describes each filter's lambda by parsing its source with
`ast.parse`. On CPython 3.11 before 3.11.8 the AST constructor keeps its recursion depth in state shared by the
threads (CPython gh-106905), so two parses at once can fail inside the interpreter: "SystemError: AST constructor
recursion depth mismatch". CI's Python is 3.11.7 and a run once ended on it with no finding at all; a lock around
the parse takes nothing from the run but the race."""

from __future__ import annotations

import ast
import threading

_lock = threading.Lock()
_parse = ast.parse


def _parse_alone(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _parse_alone

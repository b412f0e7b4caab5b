"""Load a script of ``benchmarks/`` as a module, for tests of its helpers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(script: str, name: str) -> ModuleType:
    """``benchmarks/<script>`` as module ``name``: registered in ``sys.modules`` (its dataclasses
    look themselves up there), with ``benchmarks/`` on the path while it runs (scripts import
    their siblings, e.g. ``common``)."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / script)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(BENCHMARKS))
    return mod

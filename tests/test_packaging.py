"""The install holds: every package the code imports is a declared runtime dependency, imports point
one way, and a built wheel carries everything `storyline run` and `storyline serve` read at run time.

A fresh `pip install -e .` once crashed on import because a package the code used came only with
the test extras, and another only through a dependency's dependency; these tests fail on that.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# Imported only by code that says it needs an extra, and only from inside a function or a guarded
# block, so the package imports and runs without them.
NEEDS_EXTRA = {
    "tilse": ("storyline/eval.py", "bench"),
    "psycopg": ("storyline/store/postgres.py", "postgres"),
    "dask": ("storyline/engines/dask.py", "dask"),
    "distributed": ("storyline/engines/dask.py", "dask"),
}


def _name(req: str) -> str:
    return re.split(r"[\s<>=!~\[;(]", req, maxsplit=1)[0].lower().replace("_", "-")


def _imports(path: Path) -> set[str]:
    """Top-level names of every absolute import in a file, at module level or inside functions."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def _third_party(path: Path) -> set[str]:
    return {m for m in _imports(path) if m not in sys.stdlib_module_names and m != "storyline"}


def test_every_import_is_a_declared_runtime_dependency() -> None:
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = {k: {_name(r) for r in v} for k, v in PYPROJECT["project"]["optional-dependencies"].items()}
    dists = md.packages_distributions()
    missing = []
    for f in sorted((ROOT / "storyline").rglob("*.py")):
        rel = f.relative_to(ROOT).as_posix()
        for mod in sorted(_third_party(f)):
            names = {d.lower().replace("_", "-") for d in dists.get(mod, [mod])}
            if names & declared:
                continue
            allowed = NEEDS_EXTRA.get(mod)
            if allowed and allowed[0] == rel and names & extras.get(allowed[1], set()):
                continue
            missing.append(f"{rel} imports {mod} ({', '.join(sorted(names))}), not a declared runtime dependency")
    assert not missing, "\n".join(missing)


def test_lazily_imported_extras_stay_inside_functions() -> None:
    """A module that needs an extra imports it where it is used, so importing the package works."""
    for mod, (rel, _) in NEEDS_EXTRA.items():
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        top = {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and n.module}
        top |= {a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        assert mod not in top, f"{rel} imports {mod} at module level"


def test_the_package_runs_without_the_optional_extras(tmp_path: Path) -> None:
    """With psycopg, dask and tilse unimportable, the commands and the app still import, and a
    PostgreSQL URL says which pip command brings its driver."""
    code = (
        "import sys\n"
        "for m in ('psycopg', 'dask', 'distributed', 'tilse'):\n"
        "    sys.modules[m] = None\n"
        "import storyline, storyline.cli, storyline.app, storyline.eval\n"
        "from storyline import open_store\n"
        "try:\n"
        "    open_store('postgresql://u@127.0.0.1:1/x')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "pip install 'storyline[postgres]'" in proc.stdout, proc.stdout


def test_the_api_never_imports_the_pages_or_the_app() -> None:
    for f in (ROOT / "storyline" / "api").rglob("*.py"):
        mods = {
            n.module
            for n in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
            if isinstance(n, ast.ImportFrom) and n.module
        }
        bad = {m for m in mods if m.startswith(("storyline.web", "storyline.app"))}
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"
    for f in (ROOT / "storyline" / "web").rglob("*.py"):
        assert "storyline.app" not in f.read_text(encoding="utf-8"), f"{f.relative_to(ROOT)} imports the app"


def test_benchmark_imports_have_no_cycle() -> None:
    """Benchmarks share helpers through benchmarks/common.py; a script may use another (run.py
    gathers them all) but never in a circle, so each one can be read and run on its own."""
    scripts = {f.stem: f for f in (ROOT / "benchmarks").glob("*.py")}
    graph = {name: (_imports(f) & scripts.keys()) - {name} for name, f in scripts.items()}

    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo.extend(graph[n])
        return seen

    cycles = sorted(n for n in graph if n in reach(n))
    assert not cycles, f"benchmarks importing each other in a circle: {cycles}"
    assert not graph["common"], "benchmarks/common.py must not import a benchmark"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="build is in the [test] extra")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (whl,) = out.glob("storyline-*.whl")
    return whl


def test_wheel_carries_what_run_and_serve_read(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "storyline"
    # Every data file, template, stylesheet, script and vendored asset of the source tree.
    wanted = {
        f.relative_to(ROOT).as_posix()
        for f in package.rglob("*")
        if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc"
    }
    missing = sorted(wanted - names)
    assert not missing, f"missing from {wheel.name}: {missing}"
    for must in ("storyline/data/line_weights.json", "storyline/data/e5_language_means.npz",
                 "storyline/web/templates/base.html", "storyline/web/static/app.css", "storyline/py.typed"):
        assert must in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names), "tests or benchmarks in the wheel"
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = {_name(line.split(":", 1)[1].strip()) for line in
                zipfile.ZipFile(wheel).read(meta).decode().splitlines() if line.startswith("Requires-Dist:")
                and "extra ==" not in line}
    assert {_name(r) for r in PYPROJECT["project"]["dependencies"]} <= requires

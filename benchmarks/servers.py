"""What the benchmarks that start processes share: a free loopback port, waiting for a server's
/healthz (stopping with its error output when it dies or never answers), and a process's own peak
memory. Peak memory is read from /proc VmHWM, never ``getrusage``: ``ru_maxrss`` survives ``exec``,
so a child of a big parent reports the parent's size, and RUSAGE_CHILDREN keeps the largest child
seen so far, not the one just run."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

# Run as the child: the command's own peak memory, written to stderr when it exits (also on
# sys.exit), whatever the size of the process that started it.
_PEAK_WRAPPER = (
    "import atexit, re, runpy, sys\n"
    "def _peak():\n"
    "    m = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())\n"
    "    sys.stderr.write(f'\\nVMHWM_KB {m.group(1) if m else -1}\\n')\n"
    "atexit.register(_peak)\n"
    "sys.argv = ['storyline', *sys.argv[1:]]\n"
    "runpy.run_module('storyline', run_name='__main__')\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:  # type: ignore[type-arg]
    """Return when ``base``/healthz answers 200; stop the benchmark if the server exits or never answers."""
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            if httpx2.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise SystemExit(f"the server exited ({proc.returncode}) before answering: "
                             f"{err.decode() if isinstance(err, bytes) else err}")
        time.sleep(0.1)
    raise SystemExit(f"the server at {base} did not answer /healthz within {seconds:.0f} s")


def status_mib(pid: int, key: str) -> float:
    """A /proc/PID/status field (VmRSS, VmHWM) in MiB; NaN once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_storyline(args: list[str], **kw: object) -> tuple[subprocess.CompletedProcess[str], float]:
    """`storyline ARGS` in a child process → (the finished process, its own peak memory in MiB)."""
    proc = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *args], capture_output=True, text=True,
                          **kw)  # type: ignore[call-overload]
    kb = [line.split()[1] for line in proc.stderr.splitlines() if line.startswith("VMHWM_KB ")]
    return proc, (int(kb[-1]) / 1024 if kb else float("nan"))

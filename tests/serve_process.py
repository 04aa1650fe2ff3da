"""`interdict serve` in a child process, for the reliability tests (soak, kill -9, hostile input, TLS).

The child's stdout and stderr go to files (a pipe nobody reads would fill with the server's log and block
it); its memory is read from /proc: VmRSS now, VmHWM the peak since start or since `reset_peak`.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from server.proto_gen.interdict.v1 import common_pb2 as c

REPO = Path(__file__).resolve().parents[1]
LIST = "national"
FIRST = c.Passenger(id="first", name="Zebulon Quackenbush", birth_date="1966-06-06")  # listed in version 1 only
SECOND = c.Passenger(id="second", name="Philippa Throckmorton", birth_date="1971-02-03")  # in version 2 only


def list_file(path: Path, rows: int, listed: c.Passenger) -> Path:
    """A list as FollowTheMoney JSON lines (a format the server detects): `listed` and rows-1 generated people."""
    given = ["Anna", "Jonas", "Marta", "Pavel", "Ines", "Tomas", "Lea", "Omar", "Yara", "Emil"]
    family = ["Kowal", "Haas", "Novak", "Berg", "Costa", "Varga", "Lind", "Moreau", "Sousa", "Keller"]
    people = [(listed.name, listed.birth_date)] + [
        (f"{given[i % 10]} {family[i // 10 % 10]}{i // 100}", f"{1940 + i % 60}-0{1 + i % 9}-1{i % 9}")
        for i in range(1, rows)
    ]
    with open(path, "w", encoding="utf-8") as f:
        for i, (name, born) in enumerate(people):
            f.write(json.dumps({"id": f"L-{i}", "schema": "Person",
                                "properties": {"name": [name], "birthDate": [born], "topics": ["sanction"]}}) + "\n")
    return path


@dataclass
class Served:
    proc: subprocess.Popen
    port: int
    out: Path
    err: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.err.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (drain) and wait; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> int:
        """SIGKILL: no clean-up of any kind."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(30)


_STARTED: list[subprocess.Popen] = []


@atexit.register
def _kill_leftovers() -> None:
    """Servers a failed test left running are killed when the test session ends."""
    for proc in _STARTED:
        if proc.poll() is None:
            proc.kill()


def serve(tmp: Path, *args: str, env: dict[str, str] | None = None, name: str = "serve", timeout: float = 120) -> Served:
    """Starts `interdict serve --port 0 ARGS` and waits for its usage hint (the bound port)."""
    out, err = tmp / f"{name}.out", tmp / f"{name}.err"
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", "0", *args],
                                cwd=REPO, stdout=o, stderr=e, env=full_env)
    _STARTED.append(proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out.read_text(errors="replace")
        m = re.search(r"on 127\.0\.0\.1:(\d+)", text)
        if m and "Stop with" in text:
            return Served(proc, int(m.group(1)), out, err)
        if proc.poll() is not None:
            raise AssertionError(f"interdict serve exited {proc.returncode}:\n{err.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"interdict serve did not start in {timeout} s:\n{err.read_text(errors='replace')[-3000:]}")


def _status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            out[key] = int(value.split()[0]) * 1024
    return out


def rss_bytes(pid: int) -> int:
    return _status(pid)["VmRSS"]


def peak_bytes(pid: int) -> int:
    """VmHWM: the most resident memory since the process started or since reset_peak(pid)."""
    return _status(pid)["VmHWM"]


def reset_peak(pid: int) -> bool:
    """Resets VmHWM to the current RSS (Linux: clear_refs 5); False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def mib(n: int) -> float:
    return n / (1024 * 1024)

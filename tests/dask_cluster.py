"""A two-worker local Dask cluster of processes for a test module, reached by its scheduler address as a
cluster of many machines would be (test_batch_screen.py, test_resolve_dask.py)."""

from __future__ import annotations

from collections.abc import Iterator


def two_worker_scheduler() -> Iterator[str]:
    """Yields the scheduler address of a fresh two-worker cluster (one thread each), closed afterwards. A
    cluster costs seconds to start: use it as a module-scoped fixture."""
    from dask.distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def workers_back(address: str, n: int = 2) -> None:
    """Waits until the cluster has `n` workers again: a worker killed by `kill_once` in an earlier test
    is restarted by its nanny in the background, slowly on a busy machine."""
    from dask.distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(n, timeout=120)


def kill_once(marker: str):
    """A task hook (`before=`) run in the worker: the first task to reach it kills its own worker process
    (SIGKILL), once; `marker` then holds that process's pid and the task's partition id."""

    def hook(part) -> None:
        import os
        import signal

        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, f"{os.getpid()} {part.pid}".encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)

    return hook

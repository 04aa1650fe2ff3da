"""Shared benchmark fixtures (the data itself is built in namedata.py)."""

from __future__ import annotations

import pytest

from namedata import N_PAIRS, N_PAIRS_DISABLED, BenchData, make_bench_data


@pytest.fixture(scope="session")
def bench_data() -> BenchData:
    """100,000 aligned name pairs, 100,000 name tokens and 100,000 raw names, always the same."""
    return make_bench_data(N_PAIRS)


@pytest.fixture
def n_pairs(benchmark) -> int:
    """How many pairs a batch benchmark uses: all of them, or a slice when benchmarks are disabled."""
    return N_PAIRS_DISABLED if benchmark.disabled else N_PAIRS


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """`--benchmark-only` means "time them": let it win over the project's default
    `--benchmark-disable` (pyproject addopts), which would otherwise be a usage error."""
    if config.getoption("benchmark_only", False) and config.getoption("benchmark_disable", False):
        config.option.benchmark_enable = True


def pytest_report_header(config):
    from namedata import load_name_tables

    return f"benchmark data: {N_PAIRS:,} pairs from {load_name_tables().source}"

"""Test-wide settings: every test and notebook runs from the recordings, without waiting.

Set before any kernel starts, so nbval's notebook kernels inherit them too. A developer's own
API key or course settings never make the suite go live or change what it compares.
"""

import os

import pytest

from helpers.config import reproducible_environment

reproducible_environment(os.environ)

SLOW_KINDS = ("browser", "kernel", "notebook", "subprocess", "realtime")  # longest first: that is the order they are run in


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """The notebooks are tests too: nbval runs each in this environment's kernel and compares outputs.

    Switched on here rather than in ``addopts``, so that the quick loop can leave nbval (and the
    seconds its imports take in every worker) out: ``pytest -p no:nbval -m "not slow"``.
    """
    if config.pluginmanager.hasplugin("nbval"):
        config.option.nbval = True
        config.option.nbval_current_env = True


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark nbval's notebook cells, mark every kernel, browser, notebook, subprocess or real-time test ``slow``, and put them first.

    ``pytest -p no:nbval -m "not slow"`` is then the quick loop: everything that needs no kernel or browser.
    """
    for item in items:
        notebook, _, _ = item.nodeid.partition("::")
        if notebook.endswith(".ipynb"):
            item.add_marker(pytest.mark.notebook)
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS):
            item.add_marker(pytest.mark.slow)
    items.sort(key=_slowness)


def _slowness(item: pytest.Item) -> int:
    """Where an item runs: the long waits first, so that two workers finish at about the same time."""
    return next((n for n, kind in enumerate(SLOW_KINDS) if item.get_closest_marker(kind)), len(SLOW_KINDS))

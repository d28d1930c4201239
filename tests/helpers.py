"""Helpers shared by the test modules.

``hold(obj)`` keeps a writer (or anything with ``close()``) alive until the
test's teardown and closes it there.  A StreamWriter dropped while its
transport is open closes that transport with a ResourceWarning (contract
PR-3), which fails the test under ``filterwarnings = error``: tests that
build writers over fake transports hold them instead of leaking them.
Modules using it import the autouse fixture ``close_held``.
"""

import pytest

_held = []


def hold(obj):
    """Keep ``obj`` until the test's teardown, then call ``obj.close()``."""
    _held.append(obj)
    return obj


@pytest.fixture(autouse=True)
def close_held():
    """Close what the test passed to hold(), newest first."""
    yield
    while _held:
        _held.pop().close()

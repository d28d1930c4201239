"""Makes a plain ``pytest`` run the suite against this checkout.

pytest loads this file first (it sits in the rootdir, next to tox.ini).
It does these things:

* It puts the checkout on ``sys.path``, so ``import trollius_streams``
  finds the working tree when the package is not installed.
* It loads the pytest plugin ``trollius_streams.testing`` through
  ``pytest_plugins``.  When the package is installed, its ``pytest11``
  entry point has already registered the plugin under that same name, and
  pytest then skips the name here: the plugin is registered once either way.
* It loads tests/helpers.py as a plugin too, so that its fixtures
  (``sock_dir``, and the autouse ``close_held``) reach every test without
  an import; its other helpers are imported where they are used.
* It refuses to run against a *different* installed copy.  An installed,
  non-editable package is imported by its entry point before this file
  runs, and a checkout cannot displace it; a copy that differs from the
  working tree (an old install in a reused virtualenv) would silently test
  old code, so pytest stops and says what to do.  A copy identical to the
  working tree, which is what tox installs, is fine.
* It registers the ``rule`` marker: ``@pytest.mark.rule("RD-8b", "FC-R1")``
  names the contract rules (docs/contract.md) a test checks;
  tests/test_contract.py checks that every ID is well formed and defined.
  ``pytest --rule RD-8b`` runs the tests that cite that rule, in a rule
  marker or in their docstring (repeat the option for several).
"""

import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.abspath(__file__))
PACKAGE = 'trollius_streams'
# A contract rule ID (the same pattern as tests/test_contract.py's).
RULE_ID_RE = re.compile(
    r'\b(?:(?:API|CO|FN|RD|PR|WR|DR|EX|HD|HB|Q|M)-|FC-[RW])[0-9]+[a-z]?\b')

for path in (os.path.join(ROOT, 'tests'), ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)

# pytest rewrites the asserts of modules it loads through an entry point;
# the same for the checkout when nothing has imported the package yet (not
# installed), so that it is imported the same way in both cases (the
# tests' own pytest runs expect it).
if PACKAGE not in sys.modules:
    pytest.register_assert_rewrite(PACKAGE)
pytest_plugins = ['trollius_streams.testing', 'helpers']


def _sources(directory):
    """``{relative path: bytes}`` of the .py files under ``directory``."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if d != '__pycache__']
        for name in filenames:
            if name.endswith('.py'):
                path = os.path.join(dirpath, name)
                with open(path, 'rb') as f:
                    found[os.path.relpath(path, directory)] = f.read()
    return found


def _check_package_is_this_checkout():
    """Raise UsageError if the imported package differs from the checkout."""
    module = sys.modules.get(PACKAGE)
    if module is None:
        return
    imported = os.path.dirname(os.path.realpath(module.__file__))
    here = os.path.realpath(os.path.join(ROOT, PACKAGE))
    if imported == here or _sources(imported) == _sources(here):
        return
    raise pytest.UsageError(
        '%s is imported from %s, an installed copy that differs from this '
        'checkout (%s): the tests would run against that copy.  Run '
        '"python -m pytest" (it puts the checkout first on sys.path), or '
        'reinstall the package ("pip install -e .").'
        % (PACKAGE, imported, here))


def pytest_addoption(parser, pluginmanager):
    # The check runs here because this hook runs as soon as pytest
    # registers this file, before tests/conftest.py imports the package,
    # and pytest reports a UsageError raised here as a plain message.
    _check_package_is_this_checkout()
    parser.addoption(
        '--rule', action='append', default=[], metavar='ID',
        help='run only the tests that cite this contract rule ID in a '
             'rule marker or their docstring (repeatable)')


def pytest_configure(config):
    config.addinivalue_line(
        'markers',
        'rule(*ids): the contract rules (docs/contract.md) this test '
        'checks, e.g. rule("RD-8b", "FC-R1")')


def pytest_collection_modifyitems(config, items):
    wanted = set(config.getoption('rule'))
    if not wanted:
        return
    selected, deselected = [], []
    for item in items:
        rules = {rule for mark in item.iter_markers('rule')
                 for rule in mark.args}
        doc = getattr(getattr(item, 'obj', None), '__doc__', None) or ''
        rules.update(RULE_ID_RE.findall(doc))
        (selected if rules & wanted else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected

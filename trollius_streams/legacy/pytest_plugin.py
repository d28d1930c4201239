"""pytest option ``--trollius-legacy``: run a 3.4-era test suite unchanged.

``pytest --trollius-legacy [--trollius-legacy-include PKG]...`` installs the
legacy environment (:func:`trollius_streams.legacy.install`) before the
initial conftest files are imported, with the rootdir as legacy root, and
removes it when pytest unconfigures.  Test modules under the rootdir are
compiled by the legacy import hook (``asyncio.async`` rewritten, plain
generators flagged) with pytest's assertion rewriting applied on top.

Generator tests run through :mod:`trollius_streams.testing`.  When
pytest-asyncio is not installed, the plugin also stands in for early
pytest-asyncio (2015-2017): the ``asyncio`` marker on generator tests (test,
class or module), the ``event_loop`` fixture (the test's loop) and
``unused_tcp_port``.  With pytest-asyncio installed it leaves markers and
fixtures to it (docs/legacy-runner.md says what then happens).

Without the option this module does nothing and imports nothing but pytest:
it is registered through its own ``pytest11`` entry point.
"""

__all__ = []  # hooks only

import os

import pytest

_STATE = {}


def pytest_addoption(parser):
    group = parser.getgroup('trollius_streams')
    group.addoption(
        '--trollius-legacy', action='store_true', dest='trollius_legacy',
        default=False,
        help='run a 3.4-era asyncio test suite unchanged: install the '
             'trollius_streams legacy environment before collection')
    group.addoption(
        '--trollius-legacy-include', action='append', default=[],
        dest='trollius_legacy_include', metavar='PKG',
        help='with --trollius-legacy: also treat package PKG as legacy '
             'code (repeatable)')


def _rootdir(config):
    root = getattr(config, 'rootpath', None)
    if root is None:  # pragma: no cover - pytest < 6.1
        root = config.rootdir
    return str(root)


def _install(config, include):
    if _STATE.get('installed'):
        return
    from trollius_streams import legacy
    from . import _importer
    _importer.ASSERT_REWRITER = _assertion_rewriter(config)
    legacy.install(include=include, roots=[_rootdir(config)],
                   _hook_first=True)
    _STATE['installed'] = True


def _assertion_rewriter(config):
    """pytest's assert rewriting for legacy test modules, if available."""
    try:
        from _pytest.assertion.rewrite import rewrite_asserts
    except ImportError:  # pragma: no cover - pytest internals moved
        return None
    if config.getoption('assertmode', 'rewrite') != 'rewrite':
        return None
    patterns = config.getini('python_files') or ['test_*.py', '*_test.py']

    def rewrite(tree, source, path):
        import fnmatch
        name = os.path.basename(path)
        if name == 'conftest.py' or any(fnmatch.fnmatch(name, p)
                                        for p in patterns):
            rewrite_asserts(tree, source, path, config)
    return rewrite


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    namespace = early_config.known_args_namespace
    if getattr(namespace, 'trollius_legacy', False):
        _install(early_config,
                 getattr(namespace, 'trollius_legacy_include', []) or [])


def pytest_configure(config):
    if not config.getoption('trollius_legacy', False):
        return
    _install(config, config.getoption('trollius_legacy_include') or [])
    manager = config.pluginmanager
    if not manager.has_plugin('trollius_streams.testing'):
        manager.import_plugin('trollius_streams.testing')
    if manager.has_plugin('asyncio'):  # pytest-asyncio is installed
        return
    _STATE['emulate'] = True
    config.addinivalue_line(
        'markers', 'asyncio: run this generator test on the event_loop '
        'fixture (early pytest-asyncio, emulated by --trollius-legacy)')
    from . import _pytest_fixtures
    manager.register(_pytest_fixtures, 'trollius_streams.legacy.fixtures')


def pytest_unconfigure(config):
    _STATE.pop('emulate', None)
    if _STATE.pop('installed', False):
        from trollius_streams import legacy
        from . import _importer
        legacy.uninstall()
        _importer.ASSERT_REWRITER = None


@pytest.hookimpl(hookwrapper=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """Early pytest-asyncio: a test under the asyncio marker (on the test,
    its class or module) becomes a trollius test, which
    trollius_streams.testing collects and runs (generator tests
    included).  A wrapper, so that the mark is there before any plugin
    looks at the function."""
    if _STATE.get('emulate') and collector.istestfunction(obj, name):
        func = getattr(obj, '__func__', obj)
        names = {getattr(m, 'name', None)
                 for m in getattr(func, 'pytestmark', [])}
        if 'trollius' not in names and (
                'asyncio' in names or
                collector.get_closest_marker('asyncio') is not None):
            pytest.mark.trollius(func)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    """Early pytest-asyncio ran a marked test on the ``event_loop`` fixture,
    which suites often redefined (a loop of their own making): the test
    then runs on that loop."""
    if _STATE.get('emulate'):
        funcargs = getattr(pyfuncitem, 'funcargs', {})
        own = funcargs.get('event_loop')
        if own is not None and funcargs.get('trollius_loop', own) is not own:
            funcargs['trollius_loop'] = own
    yield

"""``pytest --trollius-legacy``: a 3.4-era test suite runs unchanged.

Each test runs a small legacy test session in a subprocess through pytester
with ``-p trollius_streams.legacy.pytest_plugin`` (the pytest11 entry point
is not registered in development environments).  pytest-asyncio is not
installed in the test environments: the plugin emulates early
pytest-asyncio there.
"""

import asyncio
import os
import textwrap

import pytest

from helpers import NOT_REWRITTEN

import trollius_streams
from trollius_streams import compat, legacy

pytest_plugins = ['pytester']

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'legacy')
F = compat.legacy_features()

try:
    import uvloop  # noqa: F401
except ImportError:  # pragma: no cover - uvloop is installed in every env
    LOOPS = ['asyncio']
else:
    LOOPS = ['asyncio', 'uvloop']

ARGS = ('-p', 'trollius_streams.legacy.pytest_plugin',
        '-p', 'no:cacheprovider', '-W', 'error',
        # under python -O (the optimized env) pytest warns that plain
        # asserts are off
        '-W', 'ignore:assertions not in test modules'
        ':pytest.PytestConfigWarning') + NOT_REWRITTEN


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(
    trollius_streams.__file__)))


@pytest.fixture(autouse=True)
def _working_tree_first(monkeypatch):
    # The subprocess imports this trollius_streams, not an installed one.
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join(
        [ROOT] + [p for p in os.environ.get('PYTHONPATH', '').split(
            os.pathsep) if p]))
    monkeypatch.delenv('TROLLIUS_LEGACY_REPORT', raising=False)


def _corpus(name):
    with open(os.path.join(CORPUS, name)) as f:
        return f.read()


def _run(pytester, *args):
    return pytester.runpytest_subprocess(*(ARGS + args), timeout=120)


@pytest.mark.parametrize('loop', LOOPS)
@pytest.mark.parametrize('mode', ['subprocess', 'inline'])
def test_early_pytest_asyncio_module(pytester, loop, mode):
    """An early pytest-asyncio module (generator tests under
    @pytest.mark.asyncio, event_loop, unused_tcp_port) runs unchanged: four
    tests pass and the deliberately failing one is reported failed.  Also
    in this process (inline), which must be left as it was."""
    pytester.makepyfile(test_early=_corpus('early_pytest_asyncio.py'))
    args = ('--trollius-legacy', '-v', '--trollius-loop=%s' % loop)
    if mode == 'inline':
        result = pytester.runpytest(*(ARGS + args))
        assert not legacy.installed()
    else:
        result = _run(pytester, *args)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines([
        '*test_sleep PASSED*',
        '*test_echo PASSED*',
        '*test_deliberately_failing FAILED*',
        '*test_loop_used_directly PASSED*',
        '*TestInAClass::test_method PASSED*',
        '*this test fails on purpose*',
    ])


def test_suite_with_its_own_event_loop_fixture(pytester):
    """Suites redefined event_loop; marked tests then run on that loop."""
    pytester.makepyfile(test_own='''
        import asyncio
        import pytest

        @pytest.fixture
        def event_loop():
            loop = asyncio.new_event_loop()
            loop.made_by_the_suite = True
            yield loop
            loop.close()

        @pytest.mark.asyncio
        @asyncio.coroutine
        def test_runs_on_the_suite_loop(event_loop):
            yield from asyncio.sleep(0.001, loop=event_loop)
            task = asyncio.Task.current_task(loop=event_loop)
            assert task is not None
            assert event_loop.made_by_the_suite
    ''')
    result = _run(pytester, '--trollius-legacy')
    result.assert_outcomes(passed=1)


def test_without_the_option_the_module_does_not_run(pytester):
    """The control: without --trollius-legacy the same module does not pass
    (unknown marker, generator tests, and where it is gone,
    asyncio.coroutine)."""
    pytester.makepyfile(test_early=_corpus('early_pytest_asyncio.py'))
    result = _run(pytester)
    assert result.ret != 0
    assert result.parseoutcomes().get('passed', 0) < 4


def test_unittest_style_module(pytester):
    """A unittest-style module (self.loop.run_until_complete, generator
    helpers, loop= everywhere) passes under --trollius-legacy."""
    pytester.makepyfile(test_unit=_corpus('legacy_unittest.py'))
    result = _run(pytester, '--trollius-legacy')
    result.assert_outcomes(passed=4)


def test_legacy_test_module_is_rewritten_and_keeps_assert_details(pytester):
    """Test modules are legacy code: asyncio.async is rewritten, plain
    generator helpers are flagged, and pytest's assertion rewriting still
    explains a failing assert."""
    pytester.makepyfile(test_old=textwrap.dedent('''\
        import asyncio
        import pytest

        def helper():
            yield from asyncio.sleep(0)
            return 2

        @pytest.mark.asyncio
        def test_async_name(event_loop):
            task = asyncio.async(helper(), loop=event_loop)
            assert (yield from task) == 2

        @pytest.mark.asyncio
        def test_explained(event_loop):
            value = yield from helper()
            assert value == 3
        '''))
    result = _run(pytester, '--trollius-legacy')
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(['*assert 2 == 3*'])


OLD_LIB = textwrap.dedent('''\
    import asyncio

    def countdown(n):
        while n:
            yield from asyncio.sleep(0)
            n -= 1
        return 'liftoff'

    def launch(loop):
        return asyncio.async(countdown(2), loop=loop)
    ''')


def test_include_option(pytester, tmp_path_factory, monkeypatch):
    """--trollius-legacy-include PKG: a legacy library outside the rootdir
    is rewritten too."""
    lib = tmp_path_factory.mktemp('libs') / 'site-packages'
    (lib / 'oldlib_pt').mkdir(parents=True)
    (lib / 'oldlib_pt' / '__init__.py').write_text(OLD_LIB)
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join(
        [str(lib), os.environ['PYTHONPATH']]))
    pytester.makepyfile(test_lib='''
        import oldlib_pt

        def test_launch(event_loop):
            assert event_loop.run_until_complete(
                oldlib_pt.launch(event_loop)) == 'liftoff'
    ''')
    result = _run(pytester, '--trollius-legacy',
                  '--trollius-legacy-include', 'oldlib_pt')
    result.assert_outcomes(passed=1)
    if F.async_is_keyword:
        without = _run(pytester, '--trollius-legacy')
        assert without.ret != 0
        without.stdout.fnmatch_lines(['*SyntaxError*'])


def test_plugin_is_inert_without_the_option(pytester):
    """Loaded but not asked for, the plugin patches nothing."""
    pytester.makepyfile(test_inert='''
        import asyncio, sys

        def test_untouched():
            import trollius_streams.legacy as legacy
            assert not legacy.installed()
            assert asyncio.StreamReader.__module__ == 'asyncio.streams'
            assert not hasattr(sys.modules['asyncio.streams'],
                               '__trollius_streams_legacy__')
    ''')
    result = _run(pytester)
    result.assert_outcomes(passed=1)


def test_environment_removed_at_unconfigure(pytester):
    """An in-process session with --trollius-legacy installs the environment
    for the session (the test sees our streams) and removes it at the end."""
    original = asyncio.StreamReader
    pytester.makepyfile(test_inside='''
        import asyncio
        import trollius_streams

        def test_ours():
            assert asyncio.StreamReader is trollius_streams.StreamReader
    ''')
    result = pytester.runpytest(*(ARGS + ('--trollius-legacy',)))
    result.assert_outcomes(passed=1)
    assert not legacy.installed()
    assert asyncio.StreamReader is original
    assert asyncio.StreamReader is not trollius_streams.StreamReader

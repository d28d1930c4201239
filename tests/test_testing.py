"""The pytest plugin trollius_streams.testing (SPEC API-2), run via pytester.

Each test runs a small legacy test module in a separate pytest session
(in-process) with ``-p trollius_streams.testing``; where the package is
installed (tox), the ``pytest11`` entry point loads the plugin as well,
which must not break anything.
"""

import os
import sys

import pytest

pytest_plugins = ['pytester']

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, os.pardir, 'examples', 'legacy_tests',
                      'test_legacy_sample.py')

try:
    import uvloop  # noqa: F401
except ImportError:  # pragma: no cover - uvloop is installed in every env
    HAVE_UVLOOP = False
else:
    HAVE_UVLOOP = True


def _run(pytester, *args):
    return pytester.runpytest('-p', 'trollius_streams.testing',
                              '-p', 'no:cacheprovider', '-W', 'error',
                              # under python -O (the optimized env) pytest
                              # warns that plain asserts are off
                              '-W', 'ignore:assertions not in test modules'
                              ':pytest.PytestConfigWarning',
                              *args)


def test_sample_legacy_module_passes(pytester):
    """API-2, CO-4: the sample legacy module (generator tests, a coroutine
    fixture, parametrized and class-based generator tests) passes."""
    with open(SAMPLE) as f:
        pytester.makepyfile(test_legacy_sample=f.read())
    result = _run(pytester, '-v')
    result.assert_outcomes(passed=12)
    result.stdout.fnmatch_lines(['*test_echo_server PASSED*',
                                 '*test_parametrized?bc? PASSED*',
                                 '*TestInAClass::test_method PASSED*'])


@pytest.mark.skipif(not HAVE_UVLOOP, reason='uvloop not installed')
def test_sample_legacy_module_on_uvloop(pytester):
    """API-2: --trollius-loop=uvloop runs the tests on a uvloop loop."""
    with open(SAMPLE) as f:
        pytester.makepyfile(test_legacy_sample=f.read())
    pytester.makepyfile(test_kind='''
        import pytest, uvloop

        @pytest.mark.trollius
        def test_kind(trollius_loop):
            assert isinstance(trollius_loop, uvloop.Loop)
            yield from trollius_loop.create_future() if False else ()
    ''')
    result = _run(pytester, '--trollius-loop=uvloop')
    result.assert_outcomes(passed=13)


def test_failing_generator_test_is_a_failure(pytester):
    """API-2: a generator test whose assertion fails after it waited is
    reported as failed, not silently passed after its first yield."""
    pytester.makepyfile(test_fails='''
        import asyncio
        import pytest
        from trollius_streams import coroutine

        @pytest.mark.trollius
        def test_fails_after_waiting(trollius_loop):
            yield from asyncio.sleep(0)
            fut = trollius_loop.create_future()
            trollius_loop.call_soon(fut.set_result, 1)
            value = yield from fut
            assert value == 2

        @pytest.mark.trollius
        def test_raises_at_once():
            raise KeyError('early')
            yield

        @coroutine
        def test_decorated_fails():
            yield from asyncio.sleep(0)
            assert False, 'decorated failure'

        @pytest.mark.trollius
        def test_passes():
            yield from asyncio.sleep(0)
    ''')
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(['*assert 1 == 2*', '*KeyError*early*',
                                 '*decorated failure*'])


def test_pending_task_fails_the_test(pytester):
    """API-2: a test that leaves a task pending fails (and the task is
    cancelled, so it does not leak into the next test)."""
    pytester.makepyfile(test_leak='''
        import asyncio
        import pytest

        @pytest.mark.trollius
        def test_leaks_a_task(trollius_loop):
            trollius_loop.create_task(asyncio.sleep(60))
            yield from asyncio.sleep(0)

        @pytest.mark.trollius
        def test_next_one_is_clean(trollius_loop):
            yield from asyncio.sleep(0)
    ''')
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(['*test left 1 task(s) pending*'])


def test_timeout_marker(pytester):
    """API-2: @pytest.mark.trollius(timeout=...) fails a hanging test."""
    pytester.makepyfile(test_hang='''
        import pytest

        @pytest.mark.trollius(timeout=0.05)
        def test_hangs(trollius_loop):
            yield from trollius_loop.create_future()
    ''')
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['*TimeoutError*'])


def test_coroutine_fixture_error_is_reported(pytester):
    """API-2: an exception in a coroutine fixture is a setup error."""
    pytester.makepyfile(test_fixture_error='''
        import asyncio
        import pytest
        from trollius_streams import coroutine

        @pytest.fixture
        @coroutine
        def broken(trollius_loop):
            yield from asyncio.sleep(0)
            raise RuntimeError('fixture broke')

        @pytest.mark.trollius
        def test_uses_it(broken):
            yield from asyncio.sleep(0)
    ''')
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(['*fixture broke*'])


def test_unmarked_tests_are_left_alone(pytester):
    """API-2: without the marker or decorator, ordinary tests run as usual
    and the loop fixture is not forced on them."""
    pytester.makepyfile(test_plain='''
        def test_plain(request):
            assert 'trollius_loop' not in request.fixturenames

        def test_fixture_on_demand(trollius_loop):
            assert trollius_loop.run_until_complete(
                trollius_loop.create_task(_coro())) == 3

        async def _coro():
            return 3
    ''')
    result = _run(pytester)
    result.assert_outcomes(passed=2)


def test_pending_after_teardown_is_an_error(pytester):
    """API-2: a task left pending by a fixture's teardown is reported."""
    pytester.makepyfile(test_teardown_leak='''
        import asyncio
        import pytest

        @pytest.fixture
        def leaky(trollius_loop):
            yield
            trollius_loop.create_task(asyncio.sleep(60))

        def test_it(leaky):
            pass
    ''')
    result = _run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(['*tasks left pending after teardown*'])


def test_double_registration_is_harmless(pytester):
    """API-2: loading the plugin by -p and again by a root conftest's
    pytest_plugins (as the entry point would) registers it once."""
    pytester.makeconftest("pytest_plugins = ['trollius_streams.testing']")
    pytester.makepyfile(test_one='''
        import pytest

        @pytest.mark.trollius
        def test_one():
            yield from ()
    ''')
    result = _run(pytester)
    result.assert_outcomes(passed=1)


def test_uvloop_option_without_uvloop(pytester, monkeypatch):
    """API-2: --trollius-loop=uvloop without uvloop is a usage error."""
    monkeypatch.setitem(sys.modules, 'uvloop', None)
    pytester.makepyfile(test_x='def test_x():\n    pass\n')
    result = _run(pytester, '--trollius-loop=uvloop')
    assert result.ret != 0
    result.stderr.fnmatch_lines(['*uvloop is not installed*'])

"""The pytest plugin trollius_streams.testing (contract API-2), run via
pytester.

Each test runs a small legacy test module in a separate pytest session
(in-process) with ``-p trollius_streams.testing``; where the package is
installed (tox), the ``pytest11`` entry point loads the plugin as well,
which must not break anything.
"""

import os
import sys

import pytest

from helpers import NOT_REWRITTEN

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
                              *(NOT_REWRITTEN + args))


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
    result.stdout.fnmatch_lines([
        '*test_hangs did not finish within 0.05s '
        '(@pytest.mark.trollius(timeout=0.05))*'])


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


# --- Time limits -------------------------------------------------------------

HANGING = '''
    import asyncio
    import pytest
    from trollius_streams import StreamReader

    pytestmark = pytest.mark.trollius

    def test_hangs_in_readline(trollius_loop):
        reader = StreamReader(loop=trollius_loop)
        yield from asyncio.sleep(0)
        line = yield from reader.readline()  # the waiting line

    def test_quick():
        yield from asyncio.sleep(0)
'''


def _failure_section(result, name):
    """The lines pytest printed for failed test ``name`` (its section)."""
    lines = result.stdout.lines
    start = [i for i, ln in enumerate(lines) if ln.startswith('_')
             and ' %s ' % name in ln][0] + 1
    end = start
    while end < len(lines) and not lines[end].startswith(('_', '=')):
        end += 1
    return lines[start:end]


def test_default_limit_fires_with_a_short_message(pytester, monkeypatch):
    """API-2: an opted-in test without any timeout setting still gets the
    default limit; it fails with a few lines that name the limit, the test's
    waiting line and the innermost wait, instead of a traceback."""
    from trollius_streams import testing
    monkeypatch.setattr(testing, 'DEFAULT_TIMEOUT', 0.2)
    pytester.makepyfile(test_default=HANGING)
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    section = _failure_section(result, 'test_hangs_in_readline')
    assert 2 <= len(section) <= 5, section
    assert section[0] == ('test_hangs_in_readline did not finish within 0.2s '
                          '(default limit); its coroutine was cancelled.')
    assert section[1].startswith(
        '  test waiting at test_default.py:10 in test_hangs_in_readline: '
        'line = yield from reader.readline()')
    assert section[2].startswith('  innermost wait  ')
    assert '_reader.py:' in section[2] and ' in readline' in section[2]
    assert 'Traceback' not in result.stdout.str()
    assert 'CancelledError' not in result.stdout.str()


def test_ini_option_sets_the_limit(pytester):
    """API-2: the trollius_timeout ini option sets the limit."""
    pytester.makeini('[pytest]\ntrollius_timeout = 0.2\n')
    pytester.makepyfile(test_ini=HANGING)
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        '*test_hangs_in_readline did not finish within 0.2s '
        '(ini option trollius_timeout)*'])


def test_command_line_overrides_ini(pytester):
    """API-2: --trollius-timeout wins over the ini option."""
    pytester.makeini('[pytest]\ntrollius_timeout = 30\n')
    pytester.makepyfile(test_cli=HANGING)
    result = _run(pytester, '--trollius-timeout=0.2')
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        '*did not finish within 0.2s (--trollius-timeout)*'])


def test_zero_means_no_limit_and_marker_overrides(pytester, monkeypatch):
    """API-2: --trollius-timeout=0 removes the limit (even a tiny default);
    a marker's timeout= wins over the command line."""
    from trollius_streams import testing
    monkeypatch.setattr(testing, 'DEFAULT_TIMEOUT', 0.05)
    pytester.makepyfile(test_slow='''
        import asyncio
        import pytest

        @pytest.mark.trollius
        def test_slow_unlimited():
            yield from asyncio.sleep(0.3)

        @pytest.mark.trollius(timeout=10)
        def test_slow_marker_wins():
            yield from asyncio.sleep(0.3)
    ''')
    result = _run(pytester, '--trollius-timeout=0', '-k', 'unlimited')
    result.assert_outcomes(passed=1, deselected=1)
    result = _run(pytester, '--trollius-timeout=0.05', '-k', 'marker_wins')
    result.assert_outcomes(passed=1, deselected=1)
    result = _run(pytester, '-k', 'unlimited')
    result.assert_outcomes(failed=1, deselected=1)
    result.stdout.fnmatch_lines(['*within 0.05s (default limit)*'])


def test_malformed_limit_is_a_usage_error(pytester):
    """API-2: a limit that is not a number is reported as a usage error."""
    pytester.makepyfile(test_x='def test_x():\n    pass\n')
    result = _run(pytester, '--trollius-timeout=soon')
    assert result.ret != 0
    result.stderr.fnmatch_lines(['*--trollius-timeout*seconds*soon*'])


def test_swallowed_cancellation_still_times_out(pytester, monkeypatch):
    """API-2: a test that catches the cancellation and keeps waiting is
    stopped after the grace period and still reported as timed out."""
    from trollius_streams import testing
    monkeypatch.setattr(testing, '_CANCEL_GRACE', 0.1)
    pytester.makepyfile(test_stubborn='''
        import asyncio
        import pytest

        @pytest.mark.trollius(timeout=0.1)
        def test_stubborn(trollius_loop):
            try:
                yield from asyncio.sleep(30)
            except asyncio.CancelledError:
                yield from asyncio.sleep(30)
    ''')
    result = _run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(['*test_stubborn did not finish within '
                                 '0.1s*', '*test waiting at '
                                 'test_stubborn.py:7 in test_stubborn*'])


def test_unmarked_generator_test_gets_a_hint(pytester):
    """API-2: a generator test that is not opted in fails with a hint to
    the marker and the decorator, on every pytest version, while the other
    tests of its module still run."""
    pytester.makepyfile(test_unmarked='''
        import asyncio

        def test_forgot_the_marker():
            yield from asyncio.sleep(0)

        def test_plain():
            pass
    ''')
    result = _run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        '*test_forgot_the_marker is a generator function*'
        '@pytest.mark.trollius*@trollius_streams.coroutine*'])


def test_repo_ini_works_without_pytest_timeout(pytester):
    """The [pytest] section of the repository's tox.ini needs no plugin
    that a plain checkout may lack: with pytest-timeout disabled, a run
    under it works (filterwarnings = error turns an unknown key into an
    INTERNALERROR)."""
    import configparser
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(HERE, os.pardir, 'tox.ini'))
    section = dict(parser.items('pytest'))
    section.pop('testpaths', None)
    pytester.makeini('[pytest]\n' + ''.join(
        '%s = %s\n' % (key, value.replace('\n', '\n    '))
        for key, value in section.items()))
    pytester.makepyfile(test_x='def test_x():\n    pass\n')
    result = pytester.runpytest('-p', 'no:timeout', '-p', 'no:cacheprovider',
                                *NOT_REWRITTEN)
    assert 'INTERNALERROR' not in result.stdout.str() + result.stderr.str()
    result.assert_outcomes(passed=1)


@pytest.mark.skipif(not HAVE_UVLOOP or sys.version_info >= (3, 12),
                    reason='needs uvloop and asyncio.get_child_watcher() '
                           '(deprecated from 3.12)')
def test_uvloop_after_a_child_watcher(pytester):
    """API-2: once asyncio's child watcher exists (a subprocess test ran
    earlier), the uvloop fixture still sets its loop as current without
    uvloop's "trying to install its ChildWatcher" warning (an error under
    -W error on 3.6/3.7), and detaches the watcher before closing."""
    pytester.makepyfile(test_watcher='''
        import asyncio
        import pytest

        def test_creates_the_watcher():
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            asyncio.get_child_watcher()
            asyncio.set_event_loop(None)
            loop.close()

        @pytest.mark.trollius
        def test_on_uvloop(trollius_loop):
            assert asyncio.get_event_loop() is trollius_loop
            yield from asyncio.sleep(0)
    ''')
    result = _run(pytester, '--trollius-loop=uvloop')
    result.assert_outcomes(passed=2)

"""Acceptance: the 3.4-era corpus (tests/legacy/) runs unchanged through
``python -m trollius_streams.legacy`` on this Python, on both loops, and,
where the files parse and need nothing (Python 3.6), under plain python.

Each program runs in a subprocess with a timeout; its stdout, stderr and
exit status are checked.
"""

import os
import subprocess
import sys

import pytest

import trollius_streams
from trollius_streams import compat

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'legacy')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(
    trollius_streams.__file__)))

try:
    import uvloop  # noqa: F401
except ImportError:  # pragma: no cover - uvloop is installed in every env
    LOOPS = ['asyncio']
else:
    LOOPS = ['asyncio', 'uvloop']

F = compat.legacy_features()

BROADCAST = [
    '%s heard: ann says hello from ann; bob says hello from bob; '
    "cid says hello from cid b''" % name for name in ('ann', 'bob', 'cid')]

#: program (script, or ['-m', module]), arguments, expected stdout lines
PROGRAMS = {
    'line_server': (['line_server.py'], [
        'idle client: echo:PING',
        'echo:ALPHA echo:BETA bye',
        'echo:GAMMA bye',
        'server closed with 1 client(s) connected',
        'clients left: 0']),
    'broadcast': (['broadcast.py'],
                  BROADCAST + ['members: 3 lock free: True']),
    'odds_and_ends': (['odds_and_ends.py'], [
        "async: a ['a0', 'a1']",
        "wait: ['b', 'c'] 0",
        'current task listed: True',
        'wait_for: timeout',
        "gather: ['d', 'e']",
        'shield: f',
        "as_completed: ['h', 'g']",
        'Task: i',
        'ticks: 11']),
    'subprocess_user': (['subprocess_user.py'], ['child said 42, exit 0']),
    'joinable_queue': (['joinable_queue.py'],
                       ['squares: [0, 1, 4, 9, 16]']),
    'legacypkg': (['-m', 'legacypkg', '5'], ['sum to 5: 15']),
    'shutdown_except_exception': (
        ['shutdown_except_exception.py'],
        ["stopped cleanly ['CancelledError']"] if F.cancelled_is_exception
        else ['cancellation escaped the worker []']),
}

#: Programs that need a shim even on 3.6 (JoinableQueue is gone there).
NOT_PLAIN = {'joinable_queue'}


def env():
    environ = dict(os.environ)
    environ['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + [p for p in environ.get('PYTHONPATH', '').split(os.pathsep)
                  if p])
    environ.pop('TROLLIUS_LEGACY_REPORT', None)
    environ['PYTHONWARNINGS'] = 'default'
    return environ


def run(args, timeout=90, **kwargs):
    return subprocess.run(args, cwd=CORPUS, env=env(), timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kwargs)


def runner(*args):
    return run([sys.executable, '-m', 'trollius_streams.legacy'] +
               list(args))


@pytest.mark.parametrize('loop', LOOPS)
@pytest.mark.parametrize('name', sorted(PROGRAMS))
def test_corpus_program_through_the_runner(name, loop):
    """Each corpus program prints what it printed on 3.4, exits 0 and
    writes nothing on stderr (no warning, no error) through the runner."""
    args, expected = PROGRAMS[name]
    out = runner('--loop', loop, *args)
    assert (out.returncode, out.stderr) == (0, ''), out.stderr
    assert out.stdout.splitlines() == expected


@pytest.mark.parametrize('loop', LOOPS)
def test_corpus_unittest_module_through_the_runner(loop):
    """The unittest-style module (self.loop = asyncio.new_event_loop(),
    generator helpers) passes all its tests through the runner."""
    out = runner('--loop', loop, 'legacy_unittest.py', '-v')
    assert out.returncode == 0, out.stderr
    assert 'Ran 4 tests' in out.stderr
    assert out.stderr.rstrip().endswith('OK')
    assert 'Warning' not in out.stderr


@pytest.mark.parametrize('loop', LOOPS)
def test_cancelled_is_exception_switch(loop):
    """Item l: with --cancelled-is-exception the 3.4 worker that stops
    through ``except Exception`` stops cleanly on every Python."""
    out = runner('--loop', loop, '--cancelled-is-exception',
                 'shutdown_except_exception.py')
    assert (out.returncode, out.stderr) == (0, ''), out.stderr
    assert out.stdout.splitlines() == ["stopped cleanly ['CancelledError']"]


@pytest.mark.skipif(F.async_is_keyword,
                    reason='the corpus uses async as a name: parses only '
                           'on Python 3.6')
@pytest.mark.parametrize('name', sorted(set(PROGRAMS) - NOT_PLAIN) +
                         ['legacy_unittest'])
def test_corpus_is_genuine_34_code_under_plain_python(name):
    """On Python 3.6 the corpus programs run with plain python, no runner:
    they are genuine 3.4-era code, and print the same."""
    if name == 'legacy_unittest':
        out = run([sys.executable, 'legacy_unittest.py'])
        assert out.returncode == 0, out.stderr
        assert 'Ran 4 tests' in out.stderr
        return
    args, expected = PROGRAMS[name]
    out = run([sys.executable] + args)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == expected

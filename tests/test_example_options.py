"""The echo examples' defaults and their --uvloop error, as a new user
meets them: both scripts default to the same port, and --uvloop without
uvloop is a one-line error, not a traceback."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples')
TIMEOUT = 60
NO_UVLOOP = '''
import sys
class _NoUvloop(object):
    def find_spec(self, name, path=None, target=None):
        if name == 'uvloop':
            raise ImportError('No module named uvloop (hidden by the test)')
sys.meta_path.insert(0, _NoUvloop())
sys.modules.pop('uvloop', None)
sys.argv = sys.argv[1:]
sys.path.insert(0, %r)
import runpy
runpy.run_path(sys.argv[0], run_name='__main__')
''' % EXAMPLES


def _help(script):
    proc = subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, script), '--help'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=TIMEOUT, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_server_and_client_default_to_the_same_port():
    """Run the server, then the client, with no options: they meet, since
    both default to port 8888 (the server's --help and the client's say
    so, and the client's default is the server's constant)."""
    sys.path.insert(0, EXAMPLES)
    try:
        import echo_client
        import echo_server
    finally:
        sys.path.remove(EXAMPLES)
    assert echo_server.DEFAULT_PORT == 8888
    assert echo_client.DEFAULT_PORT is echo_server.DEFAULT_PORT
    assert 'default 8888' in _help('echo_server.py')
    assert 'default 8888' in _help('echo_client.py')


@pytest.mark.parametrize('script', ['echo_server.py', 'echo_client.py'])
def test_uvloop_flag_without_uvloop_is_a_clear_error(script):
    """--uvloop with uvloop missing: exit status 1 and one line naming the
    install command, no traceback."""
    proc = subprocess.run(
        [sys.executable, '-c', NO_UVLOOP, os.path.join(EXAMPLES, script),
         '--uvloop', '--self-test'] if script == 'echo_client.py' else
        [sys.executable, '-c', NO_UVLOOP, os.path.join(EXAMPLES, script),
         '--uvloop', '--port', '0'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=TIMEOUT, cwd=ROOT)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: --uvloop needs uvloop, which is not installed: "
        "pip install 'trollius_streams[uvloop]'"]

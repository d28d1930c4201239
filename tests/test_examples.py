"""The scripts in examples/, run as subprocesses with this interpreter.

Each example runs as ``python -W error examples/<name>.py ...`` so that any
warning (DeprecationWarning from a removed idiom, ResourceWarning from an
unclosed transport, ...) is an error; a warning raised in a ``__del__``
cannot change the exit status, so every test also requires an empty stderr
where the script should print nothing there.
"""

import ast
import http.server
import os
import re
import signal
import subprocess
import sys
import threading

import pytest

from helpers import closed_port
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples')
TIMEOUT = 60

try:
    import uvloop  # noqa: F401
except ImportError:  # uvloop is optional
    LOOP_FLAGS = [pytest.param([], id='asyncio')]
else:
    LOOP_FLAGS = [pytest.param([], id='asyncio'),
                  pytest.param(['--uvloop'], id='uvloop')]


@pytest.fixture(scope='module')
def example_env(tmp_path_factory):
    """The environment for the example subprocesses.

    In tox trollius_streams is installed; from a plain checkout it may not
    be, and then PYTHONPATH points at the repository root.
    """
    env = dict(os.environ)
    env.pop('PYTHONWARNINGS', None)
    probe = subprocess.run(
        [sys.executable, '-c', 'import trollius_streams'],
        cwd=str(tmp_path_factory.mktemp('probe')), env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    if probe.returncode != 0:
        old = env.get('PYTHONPATH')
        env['PYTHONPATH'] = ROOT + (os.pathsep + old if old else '')
    return env


def command(script, *args):
    return ([sys.executable, '-W', 'error', os.path.join(EXAMPLES, script)]
            + list(args))


def run_example(env, script, *args):
    return subprocess.run(
        command(script, *args), cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=TIMEOUT)


# --- print_http_headers.py ---------------------------------------------------


@pytest.mark.parametrize('flags', LOOP_FLAGS)
def test_print_http_headers_local_server(example_env, flags):
    """FN-1, FN-2, RD-10, DR-1, M-11, M-15: with no URL the example starts its
    own start_server() HTTP server, sends HEAD with open_connection() and
    prints every header line; exits 0 with nothing on stderr."""
    proc = run_example(example_env, 'print_http_headers.py', *flags)
    assert proc.stderr == ''
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert re.match(r'Querying the local example server at '
                    r'http://127\.0\.0\.1:\d+/$', lines[0])
    assert lines[1:] == [
        'HTTP header> HTTP/1.0 200 OK',
        'HTTP header> Server: trollius_streams-example',
        'HTTP header> Content-Type: text/plain; charset=utf-8',
        'HTTP header> Content-Length: 28',
    ]


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    """Answers HEAD with fixed headers and records what it received."""

    requests = None  # set per server

    def do_HEAD(self):
        self.requests.append((self.command, self.path, self.request_version,
                              self.headers.get('Host')))
        self.send_response(200)
        self.send_header('X-Example', 'yes')
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A stdlib HTTP server on 127.0.0.1, in a thread; yields (port,
    requests)."""
    requests = []
    handler = type('Handler', (_RecordingHandler,), {'requests': requests})
    server = http.server.HTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05})
    thread.start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.mark.parametrize('flags', LOOP_FLAGS)
def test_print_http_headers_with_url(example_env, http_server, flags):
    """FN-1, RD-10, DR-1: with a URL the example sends ``HEAD <path?query>
    HTTP/1.0`` with a Host header to the URL's host and port and prints the
    reply's header lines."""
    port, requests = http_server
    url = 'http://127.0.0.1:%d/some/path?q=1' % port
    proc = run_example(example_env, 'print_http_headers.py', url, *flags)
    assert proc.stderr == ''
    assert proc.returncode == 0
    assert requests == [('HEAD', '/some/path?q=1', 'HTTP/1.0',
                         '127.0.0.1:%d' % port)]
    lines = proc.stdout.splitlines()
    assert lines[0] == 'HTTP header> HTTP/1.0 200 OK'
    assert 'HTTP header> X-Example: yes' in lines
    assert all(line.startswith('HTTP header> ') for line in lines)


def test_print_http_headers_empty_path(example_env, http_server):
    """FN-1: a URL without a path asks for ``/``."""
    port, requests = http_server
    proc = run_example(example_env, 'print_http_headers.py',
                       'http://127.0.0.1:%d' % port)
    assert (proc.returncode, proc.stderr) == (0, '')
    assert [r[1] for r in requests] == ['/']


@pytest.mark.parametrize('url', ['https://127.0.0.1/', 'ftp://127.0.0.1/',
                                 'http://', 'not a url'])
def test_print_http_headers_rejects_other_urls(example_env, url):
    """The example only speaks plain http:// and says so (usage error, 2)."""
    proc = run_example(example_env, 'print_http_headers.py', url)
    assert proc.returncode == 2
    assert 'only http:// URLs are supported' in proc.stderr
    assert proc.stdout == ''


def test_print_http_headers_connection_refused(example_env):
    """FN-1: the connection error propagates unchanged; the example reports
    it on stderr and exits 1 (no traceback, no warning)."""
    with closed_port() as port:
        proc = run_example(example_env, 'print_http_headers.py',
                           'http://127.0.0.1:%d/' % port)
    assert proc.returncode == 1
    assert proc.stderr.startswith('error: ')
    assert 'Traceback' not in proc.stderr
    assert proc.stderr.count('\n') == 1


# --- echo_server.py / echo_client.py ----------------------------------------


def expected_client_output(messages):
    return (['echo> %s' % m for m in messages]
            + ['after EOF> bye: %d lines' % len(messages)])


@pytest.mark.parametrize('flags', LOOP_FLAGS)
def test_echo_client_self_test(example_env, flags):
    """FN-1, FN-2, PR-2, PR-5, RD-9, RD-10, DR-1: --self-test runs the echo
    server in-process; every line is echoed, and after the client's
    write_eof() the server's reply still arrives (half-close)."""
    proc = run_example(example_env, 'echo_client.py', '--self-test',
                       'one', 'two words', 'three', *flags)
    assert proc.stderr == ''
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert re.match(r'self-test: echo server on 127\.0\.0\.1:\d+$', lines[0])
    assert lines[1:-1] == expected_client_output(['one', 'two words', 'three'])
    assert lines[-1] == 'self-test passed'


def test_echo_client_default_messages(example_env):
    """FN-1, FN-2: with no messages the client sends its two sample lines."""
    proc = run_example(example_env, 'echo_client.py', '--self-test')
    assert (proc.returncode, proc.stderr) == (0, '')
    assert proc.stdout.splitlines()[1:-1] == expected_client_output(
        ['Hello, World!', 'yield from is still here'])


def test_echo_client_connection_refused(example_env):
    """FN-1: no server → error on stderr, exit status 1."""
    with closed_port() as port:
        proc = run_example(example_env, 'echo_client.py',
                           '--port', str(port), 'x')
    assert proc.returncode == 1
    assert proc.stderr.startswith('error: ')
    assert 'Traceback' not in proc.stderr


def start_server_process(env, *args):
    proc = subprocess.Popen(
        command('echo_server.py', '--port', '0', *args), cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True)
    first = proc.stdout.readline()
    match = re.match(r'serving on 127\.0\.0\.1:(\d+)$', first.rstrip('\n'))
    if match is None:
        proc.kill()
        out, err = proc.communicate(timeout=TIMEOUT)
        pytest.fail('echo server did not start: %r %r %r' % (first, out, err))
    return proc, int(match.group(1))


def stop(proc):
    """Kill the server process if a test failed before it exited."""
    if proc.returncode is None:
        proc.kill()
        proc.communicate(timeout=TIMEOUT)


@pytest.mark.parametrize('flags', LOOP_FLAGS)
def test_echo_server_and_client_processes(example_env, flags):
    """FN-1, FN-2, PR-2, PR-5: a server process on port 0 (the port read from
    its stdout) serves two client processes, then exits 0 by --max-clients."""
    proc, port = start_server_process(example_env, '--max-clients', '2',
                                      *flags)
    with proc:
        try:
            for messages in (['a', 'b'], ['c']):
                client = run_example(example_env, 'echo_client.py',
                                     '--port', str(port), *(messages + flags))
                assert (client.returncode, client.stderr) == (0, '')
                assert client.stdout.splitlines() == \
                    expected_client_output(messages)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            stop(proc)
    assert err == ''
    assert proc.returncode == 0
    assert out.splitlines() == ['served 2 clients']


@pytest.mark.skipif(not hasattr(signal, 'SIGTERM') or sys.platform == 'win32',
                    reason='needs POSIX signals and loop signal handlers')
@pytest.mark.parametrize('flags', LOOP_FLAGS)
def test_echo_server_stops_on_sigterm(example_env, flags):
    """FN-2: SIGTERM stops the echo server cleanly (exit 0, no warning)."""
    proc, _ = start_server_process(example_env, *flags)
    with proc:
        try:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            stop(proc)
    assert err == ''
    assert proc.returncode == 0
    assert out.splitlines() == ['served 0 clients']


# --- The examples themselves -------------------------------------------------


@pytest.mark.parametrize('script', ['print_http_headers.py', 'echo_server.py',
                                    'echo_client.py'])
def test_examples_avoid_removed_idioms(script):
    """M-9, M-11, M-12, M-15: the examples' code uses none of the 3.4 idioms
    that newer Pythons removed or warn about: asyncio.async (a SyntaxError
    from 3.7), asyncio.coroutine, get_event_loop() to make a loop,
    Task.current_task()."""
    with open(os.path.join(EXAMPLES, script)) as f:
        tree = ast.parse(f.read(), script)
    attributes = {node.attr for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute)}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert 'trollius_streams' in names
    for removed in ('async', 'coroutine', 'get_event_loop', 'current_task'):
        if removed == 'coroutine':
            # trollius_streams.coroutine is the replacement; asyncio's is not.
            assert not any(
                isinstance(node, ast.Attribute) and node.attr == 'coroutine'
                and isinstance(node.value, ast.Name)
                and node.value.id == 'asyncio'
                for node in ast.walk(tree))
        else:
            assert removed not in attributes

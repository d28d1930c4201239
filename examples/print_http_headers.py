"""Print the HTTP headers of a URL: the example of the Python 3.4 streams doc.

Usage::

    python examples/print_http_headers.py                 # query a local server
    python examples/print_http_headers.py http://127.0.0.1:8080/path
    python examples/print_http_headers.py --uvloop http://example.com/

With a URL (``http://`` only; the port comes from the URL, else 80) it sends
a ``HEAD`` request and prints each response header line.  With no URL it
first starts a tiny HTTP server of its own on 127.0.0.1 (an ephemeral port,
written with ``trollius_streams.start_server``) and queries that, so the
example runs anywhere without network access.

Written the 3.4 way, with ``@coroutine`` and ``yield from``, but with what
still works on Python 3.6-3.13: the doc's ``asyncio.async(...)`` is a
SyntaxError from 3.7 on (``async`` became a keyword), so the task is made
with ``compat.ensure_future``; and the loop is created and closed here
rather than taken from ``asyncio.get_event_loop()``, which warns on 3.12+
when no loop is set.
"""

import argparse
import asyncio
import sys
import urllib.parse

import trollius_streams
from trollius_streams import compat


@trollius_streams.coroutine
def print_http_headers(url, loop=None):
    """Send ``HEAD`` for ``url`` and print the header lines of the reply."""
    url = urllib.parse.urlsplit(url)
    port = url.port or 80
    reader, writer = yield from trollius_streams.open_connection(
        url.hostname, port, loop=loop)
    try:
        path = url.path or '/'
        if url.query:
            path += '?' + url.query
        host = url.hostname
        if ':' in host:  # an IPv6 literal goes back into brackets
            host = '[%s]' % host
        if port != 80:
            host = '%s:%d' % (host, port)
        query = ('HEAD {path} HTTP/1.0\r\n'
                 'Host: {host}\r\n'
                 '\r\n').format(path=path, host=host)
        writer.write(query.encode('latin-1'))
        # drain() returns () or a Future; ``yield from`` handles both.
        yield from writer.drain()
        while True:
            line = yield from reader.readline()
            if not line:
                break
            line = line.decode('latin-1').rstrip()
            if line:
                print('HTTP header> %s' % line)
    finally:
        writer.close()


# --- The local server used when no URL is given -----------------------------

SERVER_NAME = 'trollius_streams-example'
BODY = b'Hello from trollius_streams\n'


@trollius_streams.coroutine
def handle_http(reader, writer):
    """Answer one HTTP/1.0 request: 200 for HEAD and GET, 405 otherwise."""
    try:
        request_line = yield from reader.readline()
        while True:  # skip the request headers
            line = yield from reader.readline()
            if line in (b'\r\n', b'\n', b''):
                break
        method = request_line.split(b' ', 1)[0]
        if method in (b'HEAD', b'GET'):
            status, body = '200 OK', BODY
        else:
            status, body = '405 Method Not Allowed', b''
        head = ('HTTP/1.0 {status}\r\n'
                'Server: {server}\r\n'
                'Content-Type: text/plain; charset=utf-8\r\n'
                'Content-Length: {length}\r\n'
                '\r\n').format(status=status, server=SERVER_NAME,
                               length=len(body))
        writer.write(head.encode('latin-1'))
        if method == b'GET':
            writer.write(body)
        yield from writer.drain()
    finally:
        writer.close()


@trollius_streams.coroutine
def query_local_server(loop):
    """Start the local server, query it once, and shut it down."""
    server = yield from trollius_streams.start_server(
        handle_http, '127.0.0.1', 0, loop=loop)
    try:
        port = server.sockets[0].getsockname()[1]
        url = 'http://127.0.0.1:%d/' % port
        print('Querying the local example server at %s' % url)
        yield from print_http_headers(url, loop=loop)
    finally:
        server.close()
        yield from server.wait_closed()


@trollius_streams.coroutine
def settle():
    """Give closed transports a few loop iterations to finish closing."""
    for _ in range(3):
        yield from asyncio.sleep(0)


def new_event_loop(use_uvloop):
    if use_uvloop:
        import uvloop
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Print the HTTP headers of an http:// URL (HEAD request); '
                    'with no URL, query a local server started here.')
    parser.add_argument('url', nargs='?',
                        help='http://host[:port]/path (default: a local server)')
    parser.add_argument('--uvloop', action='store_true',
                        help='run on uvloop instead of the stdlib event loop')
    args = parser.parse_args(argv)
    if args.url is not None:
        parts = urllib.parse.urlsplit(args.url)
        if parts.scheme != 'http' or not parts.hostname:
            parser.error('only http:// URLs are supported: %r' % (args.url,))

    loop = new_event_loop(args.uvloop)
    try:
        if args.url is None:
            coro = query_local_server(loop)
        else:
            coro = print_http_headers(args.url, loop=loop)
        # The doc wrote ``asyncio.async(...)`` here.
        task = compat.ensure_future(coro, loop=loop)
        try:
            loop.run_until_complete(task)
        except OSError as exc:
            print('error: %s' % (exc,), file=sys.stderr)
            return 1
        finally:
            loop.run_until_complete(settle())
    finally:
        shutdown = getattr(loop, 'shutdown_default_executor', None)
        if shutdown is not None:  # Python 3.9+: join the resolver threads
            loop.run_until_complete(shutdown())
        loop.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python
"""Benchmark: the legacy runner's cost (issue 10, section 6).

The same two workloads written twice:

* ``legacy`` - as a 2014 program: ``@asyncio.coroutine``, ``asyncio.async``,
  ``asyncio.open_connection``/``start_server`` with ``loop=``, a module-level
  ``get_event_loop()``; run with ``python -m trollius_streams.legacy``;
* ``direct`` - the same program ported by hand (``trollius_streams.coroutine``
  and streams, ``compat.ensure_future``, no ``loop=`` to asyncio), run with
  plain ``python``.

Workloads: ``echo`` (request/response round trips of one short line) and
``lines`` (a client streams lines, the server reads them with readline()).
Each program times its workload itself (imports, the runner's start-up and
compiling are outside the measurement).  Every run is a fresh process; the
two variants alternate over the rounds; the table gives the medians and the
median and minimum of the per-round ratios legacy/direct (1.00 = no cost).

    python bench/legacy.py                 # both loops, 5 rounds
    python bench/legacy.py --quick         # well under a minute
    python bench/legacy.py --loop uvloop --rounds 9
"""

from __future__ import print_function

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

COMMON = '''
import sys
import time

WORKLOAD, COUNT = sys.argv[1], int(sys.argv[2])
LINE = b'x' * 79 + b'\\n'
'''

# The workloads, once; each variant fills in its own spelling of the same
# calls, so that the two programs cannot drift apart.
WORKLOADS = '''

@{coroutine}
def serve(reader, writer):
    if WORKLOAD == 'echo':
        while True:
            line = yield from reader.readline()
            if not line:
                break
            writer.write(line)
            yield from writer.drain()
    else:
        count = 0
        while (yield from reader.readline()):
            count += 1
        writer.write(b'%d\\n' % count)
        yield from writer.drain()
    writer.close()


@{coroutine}
def client(port):
    reader, writer = yield from {streams}.open_connection(
        '127.0.0.1', port, loop=loop)
    start = time.perf_counter()
    if WORKLOAD == 'echo':
        for _ in range(COUNT):
            writer.write(LINE)
            yield from writer.drain()
            yield from reader.readline()
    else:
        for i in range(0, COUNT, 100):
            writer.write(LINE * 100)
            yield from writer.drain()
        writer.write_eof()
        assert int((yield from reader.readline())) == COUNT
    elapsed = time.perf_counter() - start
    writer.close()
    return elapsed


server = loop.run_until_complete({streams}.start_server(
    accept, '127.0.0.1', 0, loop=loop))
port = server.sockets[0].getsockname()[1]
elapsed = loop.run_until_complete(client(port))
server.close()
loop.run_until_complete(server.wait_closed())
loop.close()
print(elapsed)
'''

LEGACY = COMMON + '''
import asyncio

loop = asyncio.get_event_loop()


def accept(reader, writer):
    asyncio.async(serve(reader, writer))
''' + WORKLOADS.format(coroutine='asyncio.coroutine', streams='asyncio')

DIRECT = COMMON + '''
import asyncio

import trollius_streams
from trollius_streams import compat, coroutine

if len(sys.argv) > 3 and sys.argv[3] == 'uvloop':
    import uvloop
    loop = uvloop.new_event_loop()
else:
    loop = asyncio.new_event_loop()


def accept(reader, writer):
    compat.ensure_future(serve(reader, writer), loop=loop)
''' + WORKLOADS.format(coroutine='coroutine', streams='trollius_streams')

COUNTS = {'echo': 20000, 'lines': 200000}
QUICK_COUNTS = {'echo': 3000, 'lines': 100000}


def run_once(python, directory, variant, workload, count, loop):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep)
                  if p])
    env.pop('TROLLIUS_LEGACY_REPORT', None)
    if variant == 'legacy':
        args = [python, '-m', 'trollius_streams.legacy', '--loop', loop,
                os.path.join(directory, 'legacy_prog.py'), workload,
                str(count)]
    else:
        args = [python, os.path.join(directory, 'direct_prog.py'), workload,
                str(count), loop]
    out = subprocess.run(args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, timeout=300,
                         universal_newlines=True)
    if out.returncode != 0:
        raise SystemExit('%s %s failed:\n%s' % (variant, workload,
                                                 out.stderr))
    return float(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--loop', action='append', choices=['asyncio',
                                                            'uvloop'])
    parser.add_argument('--rounds', type=int,
                        help='rounds (default 5, 3 with --quick)')
    parser.add_argument('--quick', action='store_true',
                        help='smaller workloads, 3 rounds: under a minute')
    parser.add_argument('--json', help='also write the rows to this file')
    args = parser.parse_args()
    loops = args.loop
    if not loops:
        loops = ['asyncio']
        try:
            import uvloop  # noqa: F401
            loops.append('uvloop')
        except ImportError:
            pass
    counts = QUICK_COUNTS if args.quick else COUNTS
    rounds = args.rounds or (3 if args.quick else 5)
    directory = tempfile.mkdtemp(prefix='legacy-bench-')
    rows = []
    try:
        with open(os.path.join(directory, 'legacy_prog.py'), 'w') as f:
            f.write(LEGACY)
        with open(os.path.join(directory, 'direct_prog.py'), 'w') as f:
            f.write(DIRECT)
        print('Python %s, %d rounds, fresh process per run'
              % (sys.version.split()[0], rounds))
        print('%-6s %-8s %8s %10s %10s %8s %8s' % (
            'work', 'loop', 'count', 'direct s', 'legacy s', 'ratio',
            'min'))
        for loop in loops:
            for workload in ('echo', 'lines'):
                times = {'direct': [], 'legacy': []}
                for i in range(rounds):
                    order = ('direct', 'legacy') if i % 2 == 0 else \
                        ('legacy', 'direct')
                    for variant in order:
                        times[variant].append(run_once(
                            sys.executable, directory, variant, workload,
                            counts[workload], loop))
                ratios = [t / d for t, d in zip(times['legacy'],
                                                times['direct'])]
                row = {'workload': workload, 'loop': loop,
                       'count': counts[workload],
                       'direct': statistics.median(times['direct']),
                       'legacy': statistics.median(times['legacy']),
                       'ratio': statistics.median(ratios),
                       'ratio_min': min(ratios)}
                rows.append(row)
                print('%-6s %-8s %8d %10.4f %10.4f %8.2f %8.2f' % (
                    workload, loop, row['count'], row['direct'],
                    row['legacy'], row['ratio'], row['ratio_min']))
    finally:
        shutil.rmtree(directory)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'python': sys.version.split()[0], 'rounds': rounds,
                       'rows': rows}, f, indent=2)


if __name__ == '__main__':
    main()

"""bench/bench.py prints its memory rows as readable figures, never as raw
result dicts."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_bench():
    spec = importlib.util.spec_from_file_location(
        'bench_for_test', os.path.join(ROOT, 'bench', 'bench.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_memory_rows_are_readable():
    bench = load_bench()
    values = {'ours': [{'value': 1.04}], 'stdlib': [{'value': 2.03}]}
    row = bench.summarise('mem_readexactly', values)
    assert row.split() == ['mem_readexactly', 'ours', 'peak/n', '1.04', '|',
                           'stdlib', 'peak/n', '2.03']
    held = {'value': 10, 'peak_held': 100, 'peak_retained': 90,
            'max_recv': 7}
    over = dict(held, peak_held=10 ** 9)
    row = bench.summarise('mem_slow_reader',
                          {'ours': [held], 'stdlib': [over]})
    bound = 2 * bench.LIMIT + 7
    assert row == ('mem_slow_reader  ours 100 unread, 90 retained '
                   '(bound %d: ok) | stdlib %d unread, 90 retained '
                   '(bound %d: OVER)' % (bound, 10 ** 9, bound))
    assert '{' not in row


def test_lifecycle_script_reports_no_open_connection():
    """bench/lifecycle.py runs, and with this library every row shows 0
    connections left open and wait_closed() returning (contract PR-3)."""
    import subprocess
    import sys
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'bench', 'lifecycle.py'),
         '--clients', '5', '--loop', 'asyncio'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split('|')[1:-1] for line in proc.stdout.splitlines()
            if line.startswith('| asyncio')]
    assert len(rows) == 4
    for row in rows:
        assert [c.strip() for c in row[3:]] == ['0', 'returns'], row

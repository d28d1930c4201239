"""Counting shim uses, and the report that turns them into a to-do list.

Each shim calls :func:`record` with its key when it does something the
running Python would not have done by itself.  The first three distinct call
sites in legacy code are kept (file:line of the nearest frame outside
asyncio, uvloop, the import machinery and trollius_streams); after that a
use costs one dict update.
"""

__all__ = ['SHIMS', 'Usage', 'record', 'record_site', 'current']

import json
import os
import sys

import asyncio

from .. import compat

#: key -> (what legacy code did, the modern replacement)
SHIMS = {
    'asyncio.coroutine': (
        '@asyncio.coroutine', '@trollius_streams.coroutine (or async def)'),
    'asyncio.async': (
        'asyncio.async()', 'asyncio.ensure_future()'),
    'async-identifier': (
        "'async' as a name (asyncio.async, from asyncio import async), "
        'rewritten in the source',
        'asyncio.ensure_future (async is a keyword from Python 3.7)'),
    'plain-generator': (
        'undecorated generator function run as a coroutine (flagged when '
        'compiled)',
        '@trollius_streams.coroutine on the function (or async def)'),
    'generator-object': (
        'generator object passed to Task(), create_task(), '
        'run_until_complete(), ensure_future() or an asyncio helper',
        '@trollius_streams.coroutine on its function, or '
        'trollius_streams.compat.as_coroutine(gen)'),
    'loop-argument': (
        'loop= passed to an asyncio function or class that lost it',
        'drop loop=; create the object inside the running loop'),
    'lock-yield-from': (
        '`yield from lock` / `with (yield from lock):` (also conditions and '
        'semaphores)',
        'yield from lock.acquire() ... finally: lock.release() '
        '(async with lock in async def)'),
    'Task.current_task': (
        'asyncio.Task.current_task()', 'asyncio.current_task()'),
    'Task.all_tasks': (
        'asyncio.Task.all_tasks()', 'asyncio.all_tasks()'),
    'JoinableQueue': (
        'asyncio.JoinableQueue', 'asyncio.Queue'),
    'wait-coroutines': (
        'coroutines passed to asyncio.wait()',
        'asyncio.wait([asyncio.ensure_future(c) for c in coros])'),
    'implicit-loop': (
        'asyncio.get_event_loop() with no loop set (a loop was created)',
        'loop = asyncio.new_event_loop(); asyncio.set_event_loop(loop)'),
    'Server.wait_closed': (
        'Server.wait_closed() while client connections were open',
        'close the client connections before (3.12.1+ waits for them)'),
    'streams': (
        'asyncio stream functions (open_connection, start_server, ...)',
        'trollius_streams.open_connection / start_server / ...'),
    'cancelled-is-exception': (
        'asyncio.CancelledError made an Exception subclass for the run '
        '(--cancelled-is-exception)',
        'let CancelledError through `except Exception:` handlers '
        '(except asyncio.CancelledError: raise)'),
}

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SKIP = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep
              for m in (asyncio, os) if getattr(m, '__file__', None))
# The whole stdlib directory is skipped through os's directory; our own
# package through _HERE; uvloop and pytest's internals by name below.
_SKIP_PARTS = (_HERE + os.sep, os.sep + 'uvloop' + os.sep,
               os.sep + '_pytest' + os.sep, os.sep + 'pluggy' + os.sep)


class Usage(object):
    """Counts and call sites per shim key, for one installation."""

    def __init__(self):
        self.counts = {}
        self.sites = {}
        self._foreign = {}

    def _is_foreign(self, filename):
        try:
            return self._foreign[filename]
        except KeyError:
            pass
        path = os.path.abspath(filename)
        foreign = (filename.startswith('<') or path.startswith(_SKIP) or
                   any(part in path for part in _SKIP_PARTS))
        self._foreign[filename] = foreign
        return foreign

    def record(self, key, frame=None, count=1):
        counts = self.counts
        counts[key] = counts.get(key, 0) + count
        sites = self.sites.setdefault(key, [])
        if len(sites) >= 3:
            return
        if frame is None:
            frame = sys._getframe(2)
        while frame is not None and self._is_foreign(frame.f_code.co_filename):
            frame = frame.f_back
        if frame is not None:
            self.record_site(key, frame.f_code.co_filename, frame.f_lineno)

    def record_site(self, key, filename, lineno):
        sites = self.sites.setdefault(key, [])
        site = '%s:%d' % (_short(filename), lineno)
        if len(sites) < 3 and site not in sites:
            sites.append(site)

    def entries(self):
        """The report's entries: most used first."""
        out = []
        for key, count in sorted(self.counts.items(),
                                 key=lambda item: (-item[1], item[0])):
            what, instead = SHIMS.get(key, (key, ''))
            out.append({'shim': key, 'what': what, 'count': count,
                        'sites': list(self.sites.get(key, ())),
                        'replacement': instead})
        return out

    def as_json(self, loop_kind=None):
        return {
            'python': '%d.%d.%d' % sys.version_info[:3],
            'loop': loop_kind or 'asyncio',
            'features': compat.legacy_features().as_dict(),
            'shims': self.entries(),
        }

    def as_text(self, loop_kind=None):
        entries = self.entries()
        lines = ['trollius_streams.legacy report (Python %d.%d.%d, %s loop): '
                 '%d shim(s) used' % (sys.version_info[:3] +
                                      (loop_kind or 'asyncio', len(entries)))]
        if not entries:
            lines.append('  nothing: this program runs without the runner '
                         'on this Python')
        for entry in entries:
            lines.append('  %dx  %s' % (entry['count'], entry['what']))
            lines.append('        instead: %s' % entry['replacement'])
            if entry['sites']:
                lines.append('        at: %s' % ', '.join(entry['sites']))
        return '\n'.join(lines) + '\n'

    def write(self, target, loop_kind=None):
        """Write the report: JSON to file path ``target``, else text to
        stderr (``target`` None or '-')."""
        if target in (None, '-', ''):
            sys.stderr.write(self.as_text(loop_kind))
            sys.stderr.flush()
            return
        with open(target, 'w') as f:
            json.dump(self.as_json(loop_kind), f, indent=2, sort_keys=True)
            f.write('\n')


def _short(filename):
    try:
        rel = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if rel.startswith(os.pardir) else rel


_current = [Usage()]


def current():
    return _current[0]


def record(key):
    """Count one use of shim ``key`` from the caller's caller."""
    _current[0].record(key, sys._getframe(2))


def record_site(key, filename, lineno, count=1):
    usage = _current[0]
    usage.counts[key] = usage.counts.get(key, 0) + count
    usage.record_site(key, filename, lineno)

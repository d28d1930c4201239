"""The legacy runner: unmodified 3.4-era asyncio programs on Python 3.6-3.13.

Opt-in.  Importing this package (or trollius_streams) changes nothing;
:func:`install` puts the legacy environment in place, :func:`uninstall`
restores every name it replaced, and :func:`legacy_environment` is the
context manager form.  From the command line::

    python -m trollius_streams.legacy [options] (SCRIPT | -m MODULE) [ARGS...]

and for test suites ``pytest --trollius-legacy`` (plugin module
:mod:`trollius_streams.legacy.pytest_plugin`).  What each shim does, where it
is applied and what the report says: docs/legacy-runner.md.
"""

__all__ = ['install', 'uninstall', 'installed', 'legacy_environment',
           'usage', 'write_report', 'REPORT_ENV']

import atexit
import contextlib
import os
import sys

REPORT_ENV = 'TROLLIUS_LEGACY_REPORT'

_state = {}


def installed():
    """True while the legacy environment is installed."""
    return 'patches' in _state


def install(include=(), report=None, roots=(), loop=None,
            cancelled_is_exception=False, _hook_first=False):
    """Install the legacy environment (idempotent: a second call while
    installed does nothing and returns False).

    ``include``: names of packages whose modules are legacy code (rewritten
    and flagged when imported, even from site-packages).  ``roots``:
    directories (or files) whose modules are legacy code.  ``report``: where
    to write the usage report at :func:`uninstall` (a ``.json`` path, or
    ``'-'`` for text on stderr); ``$TROLLIUS_LEGACY_REPORT`` names a JSON
    file written at process exit.  ``loop``: ``'uvloop'`` to make uvloop's
    policy the one the environment wraps.  ``cancelled_is_exception``: make
    asyncio.CancelledError an Exception subclass (off by default).
    """
    if installed():
        return False
    from . import _importer, _patch, _shims, _usage
    if loop not in (None, 'asyncio', 'uvloop'):
        raise ValueError('loop must be asyncio or uvloop, not %r' % (loop,))
    patches = _patch.Patches()
    usage = _usage.Usage()
    try:
        import asyncio
        # First, so that it is restored last: the policy as it was before
        # anything (feature probes included) could make one.
        patches.set(asyncio.events, '_event_loop_policy',
                    asyncio.events._event_loop_policy)
        if loop == 'uvloop':
            import uvloop
            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        _usage._current[0] = usage  # internal state: kept after uninstall
        env = _shims.apply(patches, cancelled_is_exception)
        include_roots = []
        for name in include:
            root = _importer.package_root(name)
            if root is None:
                raise ImportError('--include %s: no such package' % (name,))
            include_roots.append(root)
        finder = _importer.LegacyFinder(roots, include_roots)
        index = len(sys.meta_path)
        for i, entry in enumerate(sys.meta_path):
            if getattr(entry, '__name__', None) == 'PathFinder':
                index = i
                break
        if _hook_first:  # before pytest's assertion rewriting hook
            index = 0
        patches.insert(sys.meta_path, index, finder)
    except BaseException:
        patches.undo()
        raise
    _state.update(patches=patches, usage=usage, finder=finder, env=env,
                  report=report, loop=loop or 'asyncio')
    if os.environ.get(REPORT_ENV) and not _state.get('atexit'):
        _state['atexit'] = True  # survives uninstall(): one handler only
        atexit.register(_write_at_exit)
    return True


def _write_at_exit():
    # The report of the last installation of the process.
    path = os.environ.get(REPORT_ENV)
    if path:
        write_report(path)


def uninstall():
    """Restore everything install() replaced; write the report if one was
    asked for.  Idempotent: returns False when nothing was installed."""
    if not installed():
        return False
    state = dict(_state)
    for key in ('patches', 'usage', 'finder', 'env', 'report'):
        del _state[key]
    state['patches'].undo()
    if state['report'] is not None:
        state['usage'].write(state['report'], state['loop'])
    return True


def usage():
    """The usage record of the current (or last) installation."""
    from . import _usage
    return _state['usage'] if installed() else _usage.current()


def write_report(target=None):
    """Write the usage report of the current (or last) installation: JSON
    to path ``target``, else text to stderr."""
    usage().write(target, _state.get('loop'))


def finder():
    """The import hook of the current installation (None if not installed)."""
    return _state.get('finder')


def patched_targets():
    """(object, name) of every attribute or item replaced by install()."""
    return _state['patches'].targets() if installed() else []


@contextlib.contextmanager
def legacy_environment(**kwargs):
    """``with legacy_environment(...):`` install() for the block; takes
    install()'s arguments.  Nested use inside an installed environment
    leaves it as it is."""
    mine = install(**kwargs)
    try:
        yield usage()
    finally:
        if mine:
            uninstall()

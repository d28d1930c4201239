"""``python -m trollius_streams.legacy``: run a 3.4-era program as is."""

__all__ = ['main', 'USAGE']

import builtins
import os
import runpy
import sys
import types

from .. import compat

USAGE = """\
usage: python -m trollius_streams.legacy [--include PKG]...
           [--loop asyncio|uvloop] [--report[=FILE.json]]
           [--cancelled-is-exception] (SCRIPT | -m MODULE) [ARGS...]

Run an asyncio program written for Python 3.4 (yield from, @asyncio.coroutine,
asyncio.async, loop=...) unchanged, as `python SCRIPT ARGS` or
`python -m MODULE ARGS` would run it.  The script's directory (or the module's
top-level package) is legacy code: rewritten and flagged when imported.

  --include PKG             also treat package PKG as legacy code (repeatable;
                            it may live in site-packages)
  --loop asyncio|uvloop     the event loop (default: asyncio)
  --report[=FILE.json]      at exit, list the shims used, where, and what to
                            write instead: on stderr, or as JSON in FILE.json
  --cancelled-is-exception  CancelledError is an Exception, as on 3.4-3.7
  -h, --help                show this help
The environment variable TROLLIUS_LEGACY_REPORT=FILE.json also writes the JSON
report at exit.  Details: docs/legacy-runner.md.
"""

_RUNNER_FILES = (os.path.dirname(os.path.abspath(__file__)) + os.sep,
                 os.path.abspath(runpy.__file__).rsplit('.', 1)[0],
                 '<frozen importlib', '<frozen runpy')


def _usage_error(message):
    sys.stderr.write(USAGE.split('\n\n')[0] + '\n')
    sys.stderr.write('python -m trollius_streams.legacy: error: %s\n'
                     % message)
    return 2


def parse(argv):
    """Return (options dict, kind, target, args) or an exit status."""
    opts = {'include': [], 'loop': 'asyncio', 'report': None,
            'cancelled_is_exception': False}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition('=')
        if arg in ('-h', '--help'):
            sys.stdout.write(USAGE)
            return 0
        if arg == '--':
            i += 1
            break
        if arg == '-m':
            if i + 1 >= len(argv):
                return _usage_error('-m needs a module name')
            return opts, 'module', argv[i + 1], argv[i + 2:]
        if arg.startswith('-m') and len(arg) > 2 and not arg.startswith('--'):
            return opts, 'module', arg[2:], argv[i + 1:]
        if name in ('--include', '--loop'):
            if not eq:
                if i + 1 >= len(argv):
                    return _usage_error('%s needs a value' % name)
                i += 1
                value = argv[i]
            if name == '--include':
                opts['include'].append(value)
            elif value not in ('asyncio', 'uvloop'):
                return _usage_error('--loop: asyncio or uvloop, not %r'
                                    % value)
            else:
                opts['loop'] = value
        elif name == '--report':
            opts['report'] = value if eq else '-'
        elif arg == '--cancelled-is-exception':
            opts['cancelled_is_exception'] = True
        elif arg.startswith('-') and arg != '-':
            return _usage_error('unknown option %s' % arg)
        else:
            break
        i += 1
    if i >= len(argv):
        return _usage_error('no SCRIPT or -m MODULE given')
    return opts, 'script', argv[i], argv[i + 1:]


def _strip_runner_frames(tb):
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(
            _RUNNER_FILES):
        tb = tb.tb_next
    return tb


def _excepthook(hook):
    def excepthook(exc_type, exc, tb):
        tb = _strip_runner_frames(tb)
        if isinstance(exc, BaseException):
            # The default hook prints the exception's own __traceback__.
            exc = exc.with_traceback(tb)
        return hook(exc_type, exc, tb)
    return excepthook


def _run_script(path, args):
    from . import _source
    sys.argv = [path] + list(args)
    sys.path[0] = os.path.dirname(os.path.realpath(path))
    if compat.MAIN_FILE_IS_ABSOLUTE:
        path = os.path.abspath(path)
    from ._importer import LegacyLoader
    loader = LegacyLoader('__main__', path)
    code = _source.compile_legacy(loader.get_data(path), path)
    main = types.ModuleType('__main__')
    main.__dict__.update(__file__=path, __cached__=None, __loader__=loader,
                         __spec__=None, __package__=None,
                         __builtins__=builtins)
    sys.modules['__main__'] = main
    exec(code, main.__dict__)


def _run_module(name, args):
    sys.argv = ['-m'] + list(args)
    run = getattr(runpy, '_run_module_as_main', None)
    if run is not None:
        run(name, alter_argv=True)
    else:  # pragma: no cover - every supported Python has it
        runpy.run_module(name, run_name='__main__', alter_sys=True)


def main(argv=None):
    """Run the command line; returns the exit status (or raises SystemExit,
    KeyboardInterrupt and the program's uncaught exception)."""
    parsed = parse(sys.argv[1:] if argv is None else argv)
    if not isinstance(parsed, tuple):
        return parsed
    opts, kind, target, args = parsed
    from . import _importer
    import trollius_streams.legacy as legacy
    if kind == 'script':
        if not os.path.isfile(target):
            sys.stderr.write("%s: can't open file %r: no such file\n"
                             % (sys.executable, target))
            return 2
        roots = [os.path.dirname(os.path.realpath(target))]
    else:
        if os.getcwd() not in sys.path and '' not in sys.path:
            sys.path.insert(0, os.getcwd())
        try:
            root = _importer.package_root(target)
        except (ImportError, ValueError):
            root = None
        roots = [root] if root else []
    if opts['loop'] == 'uvloop':
        try:
            import uvloop  # noqa: F401 - before asyncio names are patched
        except ImportError:
            return _usage_error('--loop uvloop: uvloop is not installed')
    try:
        legacy.install(include=opts['include'], roots=roots,
                       loop=opts['loop'],
                       cancelled_is_exception=opts['cancelled_is_exception'])
    except ImportError as exc:
        return _usage_error(str(exc))
    sys.excepthook = _excepthook(sys.excepthook)
    try:
        if kind == 'script':
            _run_script(target, args)
        else:
            _run_module(target, args)
    finally:
        if opts['report'] is not None:
            legacy.write_report(opts['report'])
    return 0

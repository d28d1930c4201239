"""The command line ``python -m trollius_streams.legacy``: it behaves as
``python SCRIPT`` / ``python -m MODULE`` (argv, __main__, exit status,
tracebacks, KeyboardInterrupt), takes --include, writes no bytecode, and
its report (stderr, --report=FILE.json, $TROLLIUS_LEGACY_REPORT) lists the
shims used with their call sites and replacements."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import trollius_streams
from trollius_streams import compat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(
    trollius_streams.__file__)))
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'legacy')
F = compat.legacy_features()
OK = compat.OK


def env(**extra):
    environ = dict(os.environ)
    environ['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + [p for p in environ.get('PYTHONPATH', '').split(os.pathsep)
                  if p])
    environ.pop('TROLLIUS_LEGACY_REPORT', None)
    environ.update(extra)
    return environ


def run(args, cwd, environ=None):
    return subprocess.run([sys.executable] + args, cwd=str(cwd),
                          env=environ or env(), timeout=90,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def runner(args, cwd, environ=None):
    return run(['-m', 'trollius_streams.legacy'] + args, cwd, environ)


SHOW = textwrap.dedent('''\
    import json, os, sys
    print(json.dumps({
        'argv': sys.argv,
        'name': __name__,
        'file': __file__,
        'spec': __spec__ is None,
        'path0': os.path.realpath(sys.path[0]),
        'main': sys.modules['__main__'].__dict__ is globals(),
    }, sort_keys=True))
    ''')


def test_script_sees_what_python_script_would(tmp_path):
    """sys.argv, __name__, __file__, __spec__, sys.path[0] and
    sys.modules['__main__'] are those of ``python SCRIPT ARGS``."""
    sub = tmp_path / 'sub'
    sub.mkdir()
    (sub / 'show.py').write_text(SHOW)
    args = ['sub/show.py', 'a', '--b', '-m', 'c']
    direct = run(args, tmp_path)
    through = runner(args, tmp_path)
    assert direct.returncode == through.returncode == 0, through.stderr
    assert json.loads(through.stdout) == json.loads(direct.stdout)
    assert through.stderr == direct.stderr == ''


def test_module_sees_what_python_m_would(tmp_path):
    """``-m MODULE ARGS`` runs the package's __main__ with the argv and
    __name__ of ``python -m MODULE ARGS``."""
    pkg = tmp_path / 'showpkg'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / '__main__.py').write_text(SHOW.replace("'spec': __spec__ is None",
                                                  "'spec': __spec__.name"))
    direct = run(['-m', 'showpkg', 'x', '-y'], tmp_path)
    through = runner(['-m', 'showpkg', 'x', '-y'], tmp_path)
    assert direct.returncode == through.returncode == 0, through.stderr
    assert json.loads(through.stdout) == json.loads(direct.stdout)


@pytest.mark.parametrize('body', [
    'import sys\nsys.exit(3)\n',
    'import sys\nsys.exit("a message")\n',
    'def f():\n    raise ValueError("boom")\n\nf()\n',
    'raise KeyboardInterrupt\n',
    'x = (\n',
], ids=['exit-3', 'exit-message', 'exception', 'keyboard-interrupt',
        'syntax-error'])
def test_exit_status_and_traceback_as_python(tmp_path, body):
    """Exit status and stderr (the traceback, without the runner's frames)
    are those of a plain ``python SCRIPT`` run; KeyboardInterrupt included
    (on 3.8+ the process dies of SIGINT, as plain python does)."""
    (tmp_path / 'prog.py').write_text(body)
    direct = run(['prog.py'], tmp_path)
    through = runner(['prog.py'], tmp_path)
    assert through.returncode == direct.returncode != 0
    if body.startswith('x = ('):
        # Same error, same place; the runner compiles the file itself.
        assert through.stderr.splitlines()[-1] == \
            direct.stderr.splitlines()[-1]
        assert 'prog.py' in through.stderr
    else:
        assert through.stderr == direct.stderr
    assert 'trollius_streams' not in through.stderr or 'x = (' in body


def test_help_is_short_and_clear(tmp_path):
    """--help prints the usage and the options in a few lines, exit 0."""
    out = runner(['--help'], tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith('usage: python -m trollius_streams.legacy')
    for option in ('--include', '--loop', '--report', '-m MODULE',
                   'SCRIPT', '--cancelled-is-exception',
                   'TROLLIUS_LEGACY_REPORT'):
        assert option in out.stdout
    assert len(out.stdout.splitlines()) <= 25


@pytest.mark.parametrize('args', [[], ['--bogus', 'x.py'], ['--loop', 'x'],
                                  ['-m']])
def test_usage_errors(tmp_path, args):
    """Bad command lines exit 2 with a one-line error."""
    out = runner(args, tmp_path)
    assert out.returncode == 2
    assert 'error:' in out.stderr


OLD_LIB = textwrap.dedent('''\
    import asyncio

    def countdown(n):
        while n:
            yield from asyncio.sleep(0)
            n -= 1
        return 'liftoff'

    def launch(loop):
        return asyncio.async(countdown(3), loop=loop)
    ''')

APP = textwrap.dedent('''\
    import asyncio
    import oldlib

    loop = asyncio.new_event_loop()
    print(loop.run_until_complete(oldlib.launch(loop)))
    loop.close()
    ''')


def test_include_package_from_site_packages(tmp_path):
    """Item j: a 3.4-era dependency installed in site-packages is legacy
    code only when named with --include."""
    site = tmp_path / 'lib' / 'site-packages'
    (site / 'oldlib').mkdir(parents=True)
    (site / 'oldlib' / '__init__.py').write_text(OLD_LIB)
    app = tmp_path / 'app'
    app.mkdir()
    (app / 'main.py').write_text(APP)
    environ = env()
    environ['PYTHONPATH'] += os.pathsep + str(site)
    report = tmp_path / 'report.json'
    out = runner(['--include', 'oldlib', '--report=%s' % report, 'main.py'],
                 app, environ)
    assert (out.returncode, out.stderr) == (0, ''), out.stderr
    assert out.stdout == 'liftoff\n'
    shims = {e['shim']: e for e in json.loads(report.read_text())['shims']}
    sites = shims['asyncio.async']['sites']
    assert sites and all('oldlib' in s for s in sites)
    if F.async_is_keyword:
        without = runner(['main.py'], app, environ)
        assert without.returncode == 1
        assert 'SyntaxError' in without.stderr


def test_no_bytecode_written_for_legacy_modules(tmp_path):
    """Item j: modules compiled by the runner leave no bytecode where a
    normal run would read it; the control package, imported by plain
    python in the same environment, does get its __pycache__."""
    # Without a __pycache__ an earlier plain-python run of the corpus made.
    shutil.copytree(os.path.join(CORPUS, 'legacypkg'),
                    str(tmp_path / 'legacypkg'),
                    ignore=shutil.ignore_patterns('__pycache__'))
    (tmp_path / 'ctrlpkg').mkdir()
    (tmp_path / 'ctrlpkg' / '__init__.py').write_text('x = 1\n')
    environ = env()
    environ.pop('PYTHONDONTWRITEBYTECODE', None)
    out = runner(['-m', 'legacypkg', '3'], tmp_path, environ)
    assert (out.returncode, out.stdout) == (0, 'sum to 3: 6\n'), out.stderr
    assert not (tmp_path / 'legacypkg' / '__pycache__').exists()
    control = run(['-c', 'import ctrlpkg'], tmp_path, environ)
    assert control.returncode == 0
    assert (tmp_path / 'ctrlpkg' / '__pycache__').exists()


# --- The report --------------------------------------------------------------


def _expected_shims(loop='asyncio'):
    """The shims odds_and_ends.py must report on this Python and loop, with
    the lines of their call sites (any of them for a decorator)."""
    expected = {'plain-generator': {9, 17}, 'streams': None}
    expected.pop('streams')
    if F.async_alias != OK:
        expected['asyncio.async'] = {31}
    if F.async_is_keyword:
        expected['async-identifier'] = {31}
    if F.task_classmethods != OK:
        expected['Task.current_task'] = {18}
        expected['Task.all_tasks'] = {20}
    if F.wait_coroutines != OK:
        expected['wait-coroutines'] = {34}
    if F.loop_argument != OK:
        expected['loop-argument'] = None
    if F.asyncio_coroutine != OK:
        expected['asyncio.coroutine'] = {23, 24, 28, 29}
    if not F.generators_are_coroutines:
        expected['generator-object'] = None
    policy = None
    if loop == 'uvloop':
        import uvloop
        policy = uvloop.EventLoopPolicy
    if compat.implicit_loop_state(policy) != OK:
        # 3.12+, and uvloop 0.23's policy, which raises
        expected['implicit-loop'] = {6}
    return expected


def _check_report(report, loop):
    assert report['python'] == '%d.%d.%d' % sys.version_info[:3]
    assert report['loop'] == loop
    assert report['features'] == F.as_dict()
    shims = {entry['shim']: entry for entry in report['shims']}
    expected = _expected_shims(loop)
    assert set(shims) == set(expected)
    for name, lines in expected.items():
        entry = shims[name]
        assert entry['count'] >= 1
        assert entry['replacement'] and entry['what']
        assert 1 <= len(entry['sites']) <= 3
        for site in entry['sites']:
            filename, _, line = site.rpartition(':')
            assert filename == 'odds_and_ends.py', site
            if lines is not None:
                assert int(line) in lines, (name, site)
    if 'loop-argument' in shims:
        # sleep x11 (ticker), wait, wait_for, gather, shield, as_completed,
        # Task is not counted (it kept loop=): 16 calls at least
        assert shims['loop-argument']['count'] >= 16
    if 'asyncio.async' in shims:
        assert shims['asyncio.async']['count'] == 1


@pytest.mark.parametrize('loop', ['asyncio', 'uvloop'])
def test_json_report_content(tmp_path, loop):
    """--report=FILE.json: for each shim the count, up to three call sites
    in the legacy file and the replacement; exactly the shims this Python
    needs for odds_and_ends.py."""
    pytest.importorskip('uvloop') if loop == 'uvloop' else None
    path = tmp_path / 'report.json'
    out = runner(['--loop', loop, '--report=%s' % path, 'odds_and_ends.py'],
                 CORPUS)
    assert (out.returncode, out.stderr) == (0, ''), out.stderr
    _check_report(json.loads(path.read_text()), loop)


def test_report_from_environment_variable(tmp_path):
    """$TROLLIUS_LEGACY_REPORT writes the same JSON report at exit."""
    path = tmp_path / 'env-report.json'
    out = runner(['odds_and_ends.py'], CORPUS,
                 env(TROLLIUS_LEGACY_REPORT=str(path)))
    assert (out.returncode, out.stderr) == (0, ''), out.stderr
    _check_report(json.loads(path.read_text()), 'asyncio')


def test_text_report_on_stderr():
    """--report alone: a human-readable to-do list on stderr, one block per
    shim (count and what, the replacement, the call sites)."""
    out = runner(['--report', 'odds_and_ends.py'], CORPUS)
    assert out.returncode == 0
    lines = out.stderr.splitlines()
    assert lines[0].startswith('trollius_streams.legacy report (Python %d.%d'
                               % sys.version_info[:2])
    expected = _expected_shims()
    assert lines[0].endswith('%d shim(s) used' % len(expected))
    assert sum(1 for line in lines if line.strip().startswith('instead:')) \
        == len(expected)
    assert sum(1 for line in lines if line.strip().startswith('at: ')) \
        == len(expected)
    assert 'at: odds_and_ends.py:9, odds_and_ends.py:17' in out.stderr


# --- The same, in process (what the subprocess tests run, measured) ----------


@pytest.fixture
def in_process(monkeypatch):
    """Runs _cli.main() in this process and restores what it changes:
    sys.argv, sys.path[0], __main__, sys.excepthook, the environment."""
    from trollius_streams import legacy
    import asyncio
    saved_main = sys.modules['__main__']
    saved_policy = asyncio.events._event_loop_policy
    monkeypatch.setattr(sys, 'argv', list(sys.argv))
    monkeypatch.setattr(sys, 'path', list(sys.path))
    monkeypatch.setattr(sys, 'excepthook', sys.excepthook)
    try:
        from trollius_streams.legacy import _cli
        yield _cli.main
    finally:
        legacy.uninstall()
        sys.modules['__main__'] = saved_main
        asyncio.events._event_loop_policy = saved_policy


def test_main_in_process_runs_script(tmp_path, in_process, capsys):
    """main() runs a legacy script as __main__ with its argv, and writes the
    text report when asked."""
    (tmp_path / 'prog.py').write_text(textwrap.dedent('''\
        import asyncio, sys

        def gen():
            yield from asyncio.sleep(0)
            return sys.argv[1:]

        loop = asyncio.new_event_loop()
        print(__name__, loop.run_until_complete(asyncio.async(gen(), loop=loop)))
        loop.close()
        '''))
    assert in_process(['--report', str(tmp_path / 'prog.py'), 'x']) == 0
    out, err = capsys.readouterr()
    assert out == "__main__ ['x']\n"
    assert 'asyncio.async()' in err and 'prog.py:8' in err


def test_main_in_process_runs_module(tmp_path, in_process, capsys,
                                     monkeypatch):
    """main() runs ``-m PACKAGE`` with the package's legacy modules."""
    pkg = tmp_path / 'inprocpkg'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / '__main__.py').write_text('import sys\nprint(sys.argv[1:])\n')
    monkeypatch.chdir(tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        assert in_process(['-m', 'inprocpkg', 'y']) == 0
    finally:
        for name in ('inprocpkg', 'inprocpkg.__main__'):
            sys.modules.pop(name, None)
    assert capsys.readouterr().out == "['y']\n"


@pytest.mark.parametrize('argv,status', [
    (['--help'], 0), (['-h'], 0), ([], 2), (['--include'], 2),
    (['--loop=nope', 'x.py'], 2), (['--frob'], 2), (['-m'], 2),
    (['missing_file.py'], 2), (['--include', 'no_such_pkg_zz', __file__], 2),
])
def test_main_in_process_usage(argv, status, in_process, capsys):
    """Help and usage errors, without running anything."""
    assert in_process(argv) == status
    out, err = capsys.readouterr()
    assert (out if status == 0 else err)


def test_parse_options():
    """The option parser stops at SCRIPT / -m MODULE and leaves the
    program's own arguments alone."""
    from trollius_streams.legacy._cli import parse
    opts, kind, target, args = parse([
        '--include', 'a', '--include=b', '--loop=uvloop', '--report=r.json',
        '--cancelled-is-exception', 'prog.py', '--include', 'c'])
    assert opts == {'include': ['a', 'b'], 'loop': 'uvloop',
                    'report': 'r.json', 'cancelled_is_exception': True}
    assert (kind, target, args) == ('script', 'prog.py', ['--include', 'c'])
    assert parse(['-mpkg.mod', '-v'])[1:] == ('module', 'pkg.mod', ['-v'])
    assert parse(['--', '-odd.py'])[1:] == ('script', '-odd.py', [])

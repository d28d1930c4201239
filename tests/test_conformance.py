"""The conformance kit (trollius_streams.conformance) and its command line.

The first test runs the kit's own battery (no second copy of the
scenarios) against trollius_streams on every loop flavour; the others check
that the kit reports failures, hangs and missing names, and that
``python -m trollius_streams`` prints and exits as documented.
"""

import asyncio
import io
import json
import socket
import sys
import types

import pytest

import trollius_streams
from trollius_streams import __main__ as cli
from trollius_streams import compat, conformance

try:
    import uvloop  # noqa: F401
except ImportError:  # pragma: no cover - uvloop is installed in every env
    LOOP_KINDS = ['asyncio']
else:
    LOOP_KINDS = ['asyncio', 'uvloop']


@pytest.mark.parametrize('loop_kind', LOOP_KINDS)
@pytest.mark.parametrize('sc', conformance.REGISTRY,
                         ids=[s.key.replace(' ', ':')
                              for s in conformance.REGISTRY])
def test_battery_passes_on_trollius_streams(sc, loop_kind):
    """Every scenario of the kit passes on trollius_streams, with no warning
    and no loop error.  The battery covers API-1, API-4, CO-1, CO-2, CO-5,
    FN-1, FN-2, FN-3, FN-4, RD-1 .. RD-12 (RD-8a, RD-8b), PR-1, PR-2, PR-4,
    PR-5, PR-6, FC-R1, FC-R2, FC-W1, FC-W2, FC-W3, WR-1, WR-2, WR-3, DR-1,
    DR-2, DR-5, EX-1, EX-2, EX-3."""
    result = conformance.run_scenario(sc, trollius_streams, loop_kind)
    if result.status == conformance.NA:  # pragma: no cover - non-UNIX only
        assert not hasattr(socket, 'AF_UNIX'), result.why
        return
    assert result.status == conformance.PASS, result.detail()
    assert result.warnings == []
    assert result.loop_errors == []


def test_scenario_keys_are_unique_and_keyed_by_rule():
    """The kit's scenarios have unique keys, each starting with a contract
    rule ID, and cover contract sections 1-8 (API, CO, FN, RD, PR, FC,
    WR/DR, EX)."""
    keys = [s.key for s in conformance.REGISTRY]
    assert len(keys) == len(set(keys))
    prefixes = {s.rule.split('-')[0] for s in conformance.REGISTRY}
    assert prefixes >= {'API', 'CO', 'FN', 'RD', 'PR', 'FC', 'WR', 'DR', 'EX'}
    assert 40 <= len({(s.rule, s.name) for s in conformance.REGISTRY})
    for s in conformance.REGISTRY:
        assert s.sentence and s.label in ('DOC', '3.4', 'FIX', 'Decision')


def _module(name, **overrides):
    """A target module: trollius_streams' names, some replaced."""
    mod = types.ModuleType(name)
    for attr in trollius_streams.__all__:
        setattr(mod, attr, getattr(trollius_streams, attr))
    for attr, value in overrides.items():
        if value is None:
            delattr(mod, attr)
        else:
            setattr(mod, attr, value)
    return mod


def _scenario(key):
    [sc] = [s for s in conformance.REGISTRY if s.key == key]
    return sc


class _CoroutineDrainWriter(trollius_streams.StreamWriter):
    @compat.coroutine
    def drain(self):
        return (yield from trollius_streams.StreamWriter.drain(self))


class _HangingReader(trollius_streams.StreamReader):
    @compat.coroutine
    def readline(self):
        yield from compat.create_future(self._loop)


class _GeneratorReader(trollius_streams.StreamReader):
    # An undecorated generator, as a user's 3.4-era module might have.
    def readline(self):
        return (yield from trollius_streams.StreamReader.readline(self))


def test_fail_reports_observed_and_expected():
    """DR-5: a target whose drain() is a coroutine fails the "returns ()"
    scenario, with the observed value."""
    mod = _module('coro_drain', StreamWriter=_CoroutineDrainWriter)
    result = conformance.run_scenario(
        _scenario('DR-5 drain-returns-empty-tuple'), mod)
    assert result.status == conformance.FAIL
    assert 'returned <' in result.observed
    assert result.expected == '()'
    assert result.detail().startswith('observed: returned <')
    assert result.to_dict()['observed'] == result.observed
    # The same target still passes the scenario about the yield-from use.
    assert conformance.run_scenario(
        _scenario('FC-W2 drain-blocks-until-resumed'), mod).status == 'pass'


def test_hang_is_a_failure_not_a_hang():
    """RD-10: a readline() that never returns fails as hung within the
    timeout."""
    mod = _module('hanging', StreamReader=_HangingReader)
    result = conformance.run_scenario(_scenario('RD-10 readline[feed]'), mod,
                                      timeout=0.2)
    assert result.status == conformance.FAIL
    assert result.observed.startswith('hung')


def test_missing_names_are_not_applicable():
    """API-1: a target without the 3.4 names gets n/a, with why."""
    mod = _module('partial', StreamWriter=None)
    result = conformance.run_scenario(_scenario('RD-2 exception'), mod)
    assert result.status == conformance.NA
    assert result.why == 'target has no StreamWriter'
    assert result.to_dict()['why'] == result.why
    mod = _module('no_unix', open_unix_connection=None,
                  start_unix_server=None)
    result = conformance.run_scenario(_scenario('FN-3 unix-round-trip'), mod)
    assert result.status == conformance.NA
    result = conformance.run_scenario(_scenario('API-1 unix-exports'), mod)
    if hasattr(socket, 'AF_UNIX'):
        assert result.status == conformance.FAIL
        assert 'open_unix_connection' in result.observed


def test_plain_generator_target_is_driven():
    """RD-10, CO-1: an undecorated generator method of a user module runs
    through the kit like any coroutine."""
    mod = _module('generators', StreamReader=_GeneratorReader)
    for key in ('RD-10 readline[feed]', 'RD-10 readline[loopback]',
                'RD-10 readline-eof-partial[feed]'):
        result = conformance.run_scenario(_scenario(key), mod)
        assert result.status == conformance.PASS, (key, result.detail())


def test_unexpected_exception_is_a_failure_with_location():
    """RD-7: a scenario that meets an unexpected exception fails and says
    where it came from."""
    class Broken(trollius_streams.StreamReader):
        def at_eof(self):
            raise KeyError('boom')
    mod = _module('broken', StreamReader=Broken)
    result = conformance.run_scenario(_scenario('RD-7 at_eof'), mod)
    assert result.status == conformance.FAIL
    assert result.observed.startswith("raised KeyError: 'boom' at ")
    assert result.expected == 'no exception'


def test_run_battery_by_name_with_filter_and_progress():
    """run_battery() imports a dotted target, filters with k and reports
    progress; EX-2 on the stdlib shows the 3.8+ message difference (M-18)."""
    seen = []
    results = conformance.run_battery(
        'asyncio', k='ex-2', progress=lambda i, n, sc: seen.append((i, n)))
    assert [r.scenario.key for r in results] == [
        'EX-2 attributes', 'EX-2 message-expected-None']
    assert seen == [(0, 2), (1, 2)]
    assert results[0].status == conformance.PASS
    expected = 'fail' if sys.version_info >= (3, 8) else 'pass'
    assert results[1].status == expected
    assert conformance.summarize(results)['pass'] >= 1


def test_stdlib_drain_differs():
    """DR-5 / M-1: the stdlib's drain() is a coroutine on every supported
    Python, so the kit reports the difference with the observed value."""
    [r] = conformance.run_battery(asyncio, k='drain-returns-empty-tuple')
    assert r.status == conformance.FAIL
    assert 'StreamWriter.drain' in r.observed


def test_new_loop_rejects_unknown_kind():
    """The kit runs on 'asyncio' and 'uvloop' loops only."""
    with pytest.raises(ValueError):
        conformance.new_loop('tokio')


def test_describe_target():
    """The report names the stdlib with the Python version."""
    assert conformance.describe_target(asyncio).startswith(
        'asyncio (stdlib, Python %d.' % sys.version_info[0])
    assert conformance.describe_target(trollius_streams) == (
        'trollius_streams ' + trollius_streams.__version__)
    assert conformance.describe_target(types.ModuleType('x')) == 'x'
    assert repr(conformance.REGISTRY[0]).startswith('<Scenario API-1')
    result = conformance.Result(conformance.REGISTRY[0], 'x', 'pass',
                                warnings=['W'], loop_errors=['E'])
    assert result.to_dict()['warnings'] == ['W']
    assert result.to_dict()['loop_errors'] == ['E']
    assert result.detail() == ''
    assert repr(result) == '<Result API-1 exports x pass>'


# --- python -m trollius_streams ----------------------------------------------


def _main(*argv):
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_main_side_by_side():
    """DR-5: with no --target both columns are shown; the stdlib failure
    comes with its observed value; exit 0 as trollius_streams passes."""
    status, out, err = _main('-k', 'DR-5')
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ['RULE', 'SCENARIO', 'trollius_streams',
                                'asyncio', 'WHAT', 'THE', 'RULE', 'SAYS']
    row = [ln for ln in lines if 'drain-returns-empty-tuple' in ln][0]
    assert row.split()[2:4] == ['pass', 'FAIL']
    assert row.endswith('  ' + conformance.RULES['DR-5'])
    assert '    asyncio: observed: returned <' in out
    assert 'trollius_streams %s: 2 scenarios, 2 pass, 0 fail, 0 n/a' % (
        trollius_streams.__version__) in out
    assert 'done' in err  # progress on stderr


def test_main_single_target_exit_status():
    """DR-5: with --target the exit status judges that target."""
    status, out, err = _main('--target', 'asyncio', '-k',
                             'drain-returns-empty-tuple')
    assert status == 1
    assert 'FAIL' in out
    status, out, err = _main('--target', 'trollius_streams', '-k', 'EX-1')
    assert status == 0


def test_main_json():
    """EX-2: --json gives every scenario with each target's result."""
    status, out, err = _main('--json', '-k', 'EX-2')
    doc = json.loads(out)
    assert status == 0
    assert [t['name'] for t in doc['targets']] == ['trollius_streams',
                                                    'asyncio']
    assert doc['scenarios'][0]['rule'] == 'EX-2'
    result = doc['scenarios'][0]['results']['trollius_streams']
    assert result['status'] == 'pass'


def test_main_list_and_errors():
    """--list prints the scenarios; bad -k, target or loop is a usage
    error (status 2)."""
    status, out, err = _main('--list', '-k', 'RD-9')
    assert status == 0
    assert out.splitlines()[-1] == '%d scenarios covering 1 rule' % len(
        conformance.select('RD-9'))
    assert 'read(n=-1)' in out
    assert _main('-k', 'no-such-scenario')[0] == 2
    status, out, err = _main('--target', 'no_such_module_xyz')
    assert status == 2 and 'cannot import' in err


def test_main_uvloop_missing(monkeypatch):
    """--loop uvloop without uvloop installed is a usage error."""
    monkeypatch.setitem(sys.modules, 'uvloop', None)
    status, out, err = _main('--loop', 'uvloop', '-k', 'EX-1')
    assert status == 2 and 'uvloop' in err


def test_main_tty_progress_and_na_detail(monkeypatch):
    """Progress rewrites one line on a terminal; a single-target table shows
    why a scenario is n/a."""
    class TTY(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.setattr(conformance, 'load_target', lambda name: _module(
        'partial', StreamWriter=None))
    out, err = io.StringIO(), TTY()
    status = cli.main(['--target', 'partial', '-k', 'EX-1'], out=out, err=err)
    assert status == 0
    assert '\r[  1/1] partial: EX-1' in err.getvalue()
    assert 'partial: target has no StreamWriter' in out.getvalue()


def _stdlib_differences():
    """The scenarios where the stdlib really differs from the 3.4 docs."""
    keys = {'RD-1 limit-None',                       # HB-4: limit=None
            'RD-10 readline-limit-counts-newline',   # M-5
            'RD-11 readexactly-negative',            # M-6
            'FC-W2 drain-paused-returns-Future',     # M-1
            'DR-5 drain-returns-empty-tuple',        # M-1
            'DR-2 drain-raises-at-once'}             # M-1
    if sys.version_info >= (3, 8):
        keys.add('EX-2 message-expected-None')       # M-18
    if sys.version_info >= (3, 10):                  # M-8
        keys |= {'FN-1 open_connection-loop-kw', 'FN-2 start_server-loop-kw'}
        if hasattr(socket, 'AF_UNIX'):
            keys.add('FN-4 unix-loop-kw')
    if sys.version_info >= (3, 12):                  # M-10
        keys.add('FN-2 start_server-generator-callback')
    if sys.flags.optimize:
        # HB-5: the stdlib's integrity checks are assert statements, gone
        # under python -O (the optimized tox env); ours are explicit.
        keys |= {'RD-4 set_transport', 'RD-6 feed_data-after-eof'}
    return keys


def test_stdlib_fails_exactly_where_it_differs():
    """M-1, M-5, M-6, M-8, M-10, M-18, HB-4: run against this Python's
    stdlib asyncio, the battery fails exactly the scenarios where the stdlib
    differs from the 3.4 documentation, each with an observed value."""
    results = conformance.run_battery('asyncio')
    failed = {r.scenario.key for r in results if r.status == conformance.FAIL}
    assert failed == _stdlib_differences()
    for r in results:
        if r.status == conformance.FAIL:
            assert r.observed and r.expected


class _SloppyReader(trollius_streams.StreamReader):
    """A reader with the mistakes a hand-written target might make."""

    def __init__(self, limit=65536, loop=None):
        if limit <= 0:
            raise RuntimeError('bad limit')
        trollius_streams.StreamReader.__init__(self, limit, loop)

    def read(self, n=-1):
        raise RuntimeError('read() is not a coroutine here')

    def set_transport(self, transport):
        self._transport = transport

    def feed_data(self, data):
        if self._eof:
            return
        trollius_streams.StreamReader.feed_data(self, data)


class _UnpicklableError(EOFError):
    def __init__(self, partial, expected):
        EOFError.__init__(self, 'short read')
        self.partial = partial
        self.expected = expected


def _sync_open_connection(*args, **kwargs):
    raise OSError('refused at call time')


def test_sloppy_target_fails_without_breaking_the_kit():
    """RD-1, RD-4, RD-6, CO-1, EX-2, EX-3: a target with common mistakes
    gets failures with observed values; the kit itself completes."""
    mod = _module('sloppy', StreamReader=_SloppyReader,
                  IncompleteReadError=_UnpicklableError,
                  open_connection=_sync_open_connection)
    results = {r.scenario.key: r
               for r in conformance.run_battery(mod, timeout=0.5)}
    for r in results.values():
        assert r.status in (conformance.PASS, conformance.FAIL,
                            conformance.NA)
        if r.status == conformance.FAIL:
            assert r.observed and r.expected
    observed = {k: r.observed for k, r in results.items()}
    assert 'at call time' in observed['CO-1 read-methods-are-coroutines']
    assert 'at call time' in observed['CO-1 functions-are-coroutines']
    assert observed['RD-1 limit-None'].startswith('StreamReader(limit=None)')
    assert 'RuntimeError' in observed['RD-1 limit-not-positive']
    assert observed['RD-4 set_transport'] == 'second set_transport() accepted'
    assert observed['RD-6 feed_data-after-eof'] == 'accepted'
    assert observed['EX-3 picklable'].startswith('pickling raised')
    assert results['EX-2 attributes'].status == conformance.FAIL
    assert results['EX-1 subclass-of-EOFError'].status == conformance.PASS


# --- Rule texts, legend and counts -------------------------------------------


def test_every_rule_has_a_one_line_text():
    """Every rule ID the kit checks has a one-line plain-English text,
    stored with the registration, and no text is left without a
    scenario."""
    used = {sc.rule for sc in conformance.REGISTRY}
    assert used == set(conformance.RULES)
    for sc in conformance.REGISTRY:
        text = sc.rule_text
        assert text == conformance.RULES[sc.rule]
        assert text.strip() == text and '\n' not in text and len(text) > 20
        assert sc.to_dict()['rule_text'] == text


def test_registration_needs_a_rule_text():
    """A scenario for a rule without a text cannot be registered, and a
    rule cannot get two different texts."""
    before = list(conformance.REGISTRY)
    with pytest.raises(ValueError, match='ZZ-1 has no text'):
        conformance.register('ZZ-1', 'nothing', 'A sentence.')
    with pytest.raises(ValueError, match='RD-9 defined twice'):
        conformance.define_rules({'RD-9': 'Something else entirely.'})
    with pytest.raises(ValueError, match='one line'):
        conformance.define_rules({'ZZ-2': 'two\nlines'})
    assert 'ZZ-1' not in conformance.RULES and 'ZZ-2' not in conformance.RULES
    assert conformance.REGISTRY == before


def test_main_rows_show_rule_text_and_legend():
    """Each row of the table ends with its rule's text; a legend says what
    pass/FAIL/n/a mean, and that a FAIL for stdlib asyncio marks where
    modern asyncio departs from the 3.4 documentation; the summary counts
    scenarios and rules."""
    status, out, err = _main('-k', 'RD-1')
    selected = conformance.select('RD-1')
    rows = [ln for ln in out.splitlines()
            if ln.split()[:1] and ln.split()[0] in {s.rule for s in selected}]
    assert len(rows) == len(selected)
    for row, sc in zip(rows, selected):
        assert row.startswith(sc.rule) and sc.title in row
        assert row.endswith('  ' + sc.rule_text)
    text = ' '.join(out.split())
    assert 'Legend: pass = the target does what the rule says' in text
    assert ('A FAIL for the stdlib asyncio target means that modern asyncio '
            'departs from the 3.4 documentation there') in text
    assert '%d scenarios covering %d rules' % (
        len(selected), len({s.rule for s in selected})) in out


def test_main_json_has_rule_text():
    """--json carries each scenario's rule text."""
    status, out, err = _main('--json', '-k', 'EX-3')
    doc = json.loads(out)
    assert doc['scenarios'][0]['rule_text'] == conformance.RULES['EX-3']


def test_readme_counts_match_the_tool():
    """Where the README states how many scenarios (or rules) the kit has,
    the numbers are the ones the tool prints for the whole battery."""
    import os
    import re
    printed = cli._count(conformance.REGISTRY)
    assert printed == '%d scenarios covering %d rules' % (
        len(conformance.REGISTRY), len(conformance.RULES))
    path = os.path.join(os.path.dirname(__file__), os.pardir, 'README.md')
    with open(path) as f:
        readme = ' '.join(f.read().split())
    for number in re.findall(r'\b(\d+) (?:conformance )?scenarios\b',
                             readme):
        assert int(number) == len(conformance.REGISTRY), printed
    for number in re.findall(r'\bscenarios covering (\d+) rules\b', readme):
        assert int(number) == len(conformance.RULES), printed

"""``python -m trollius_streams``: run the conformance kit.

With no arguments the battery runs against trollius_streams and, side by
side, against this Python's stdlib asyncio streams, prints one row per
scenario with both results and the one-line text of the rule it checks
(and, under a failure, what was observed), a legend, then a summary.
The exit status is 0 when trollius_streams passes everything (with
``--target``, when every named target does), 1 otherwise, 2 for a usage
error.  See ``--help``.
"""

import argparse
import json
import platform
import sys
import time

from . import conformance

DEFAULT_TARGETS = ('trollius_streams', 'asyncio')

_STATUS_TEXT = {conformance.PASS: 'pass', conformance.FAIL: 'FAIL',
                conformance.NA: 'n/a'}


def _parser():
    p = argparse.ArgumentParser(
        prog='python -m trollius_streams',
        description='Check stream modules against the Python 3.4 Streams '
                    'documentation, scenario by scenario (each keyed by the '
                    'ID of the contract rule it checks, shown with the '
                    'rule\'s text).')
    p.add_argument('--target', action='append', metavar='MODULE',
                   help='dotted path of a module providing the 3.4 names '
                        '(open_connection, start_server, StreamReader, ...); '
                        'may be repeated; default: trollius_streams and '
                        'asyncio side by side')
    p.add_argument('--loop', choices=list(conformance.LOOP_KINDS),
                   default='asyncio',
                   help='event loop to run on (default: asyncio)')
    p.add_argument('--json', action='store_true',
                   help='print the results as JSON instead of a table')
    p.add_argument('--list', action='store_true',
                   help='list the scenarios (with -k: those matching) and exit')
    p.add_argument('-k', metavar='SUBSTRING',
                   help='only scenarios whose rule ID, name, sentence or '
                        'rule text contains SUBSTRING (case-insensitive)')
    p.add_argument('--timeout', type=float,
                   default=conformance.DEFAULT_TIMEOUT, metavar='SECONDS',
                   help='a wait inside a scenario longer than this counts as '
                        'hung (default: %(default)s)')
    return p


class _Progress(object):
    """Progress on stderr: a rewritten line on a terminal, dots otherwise."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = hasattr(stream, 'isatty') and stream.isatty()

    def start(self, target, total):
        if not self.tty:
            self.stream.write('%s: %d scenarios ' % (target, total))
            self.stream.flush()

    def __call__(self, target):
        def report(index, total, sc):
            if self.tty:
                line = '[%3d/%d] %s: %s' % (index + 1, total, target, sc.key)
                self.stream.write('\r' + line[:78].ljust(78))
            else:
                self.stream.write('.')
            self.stream.flush()
        return report

    def done(self, target, seconds):
        if self.tty:
            self.stream.write('\r' + ' ' * 78 + '\r')
        else:
            self.stream.write(' done (%.1fs)\n' % seconds)
        self.stream.flush()


def _count(selected):
    """'N scenarios covering M rules', as the table and --list print it."""
    rules = len(set(sc.rule for sc in selected))
    return '%d scenario%s covering %d rule%s' % (
        len(selected), '' if len(selected) == 1 else 's',
        rules, '' if rules == 1 else 's')


def _list(selected, out):
    for sc in selected:
        out.write('%-8s %-46s [%s] %s\n' % (sc.rule, sc.title, sc.label,
                                            sc.sentence))
        out.write('%-8s %s\n' % ('', 'rule: ' + sc.rule_text))
    out.write(_count(selected) + '\n')


LEGEND = """\
Legend: pass = the target does what the rule says (the rule comes from the
Python 3.4 Streams documentation, 3.4's behaviour, or a fix of a 3.4
defect); FAIL = it does not, with the observed and expected values under
the row; n/a = the scenario cannot run on this target or platform.
A FAIL for the stdlib asyncio target means that modern asyncio departs
from the 3.4 documentation there; it is not a bug report against asyncio.
"""


def _table(targets, descriptions, results, selected, loop_kind, out):
    names = [sc.title for sc in selected]
    name_w = max([len('SCENARIO')] + [len(n) for n in names])
    rule_w = max([len('RULE')] + [len(sc.rule) for sc in selected])
    col_w = [max(len(t), 4) for t in targets]
    header = '%-*s  %-*s' % (rule_w, 'RULE', name_w, 'SCENARIO')
    for t, w in zip(targets, col_w):
        header += '  %-*s' % (w, t)
    out.write(header + '  WHAT THE RULE SAYS\n')
    for i, sc in enumerate(selected):
        row = '%-*s  %-*s' % (rule_w, sc.rule, name_w, names[i])
        for t, w in zip(targets, col_w):
            row += '  %-*s' % (w, _STATUS_TEXT[results[t][i].status])
        out.write(row + '  ' + sc.rule_text + '\n')
        for t in targets:
            r = results[t][i]
            if r.status == conformance.FAIL:
                out.write('%*s%s: %s\n' % (rule_w + 4, '', t, r.detail()))
            elif r.status == conformance.NA and len(targets) == 1:
                out.write('%*s%s: %s\n' % (rule_w + 4, '', t, r.detail()))
    out.write('\n' + LEGEND)
    out.write('\nSummary (Python %s, %s loop, %s):\n'
              % (platform.python_version(), loop_kind, _count(selected)))
    for t in targets:
        c = conformance.summarize(results[t])
        line = '  %s: %d scenarios, %d pass, %d fail, %d n/a' % (
            descriptions[t], len(results[t]), c[conformance.PASS],
            c[conformance.FAIL], c[conformance.NA])
        failed = [r.scenario.rule for r in results[t]
                  if r.status == conformance.FAIL]
        if failed:
            seen = []
            for rule in failed:
                if rule not in seen:
                    seen.append(rule)
            line += ' (failing: %s)' % ', '.join(seen)
        out.write(line + '\n')


def _json(targets, descriptions, results, selected, loop_kind, out):
    doc = {
        'python': platform.python_version(),
        'loop': loop_kind,
        'targets': [{'name': t, 'description': descriptions[t],
                     'summary': conformance.summarize(results[t])}
                    for t in targets],
        'scenarios': [],
    }
    for i, sc in enumerate(selected):
        entry = sc.to_dict()
        entry['results'] = {t: results[t][i].to_dict() for t in targets}
        doc['scenarios'].append(entry)
    json.dump(doc, out, indent=2, sort_keys=True)
    out.write('\n')


def main(argv=None, out=None, err=None):
    """Entry point; returns the exit status."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = _parser()
    args = parser.parse_args(argv)
    selected = conformance.select(args.k)
    if args.list:
        _list(selected, out)
        return 0
    if not selected:
        err.write('no scenario matches -k %r\n' % (args.k,))
        return 2
    if args.loop == 'uvloop':
        try:
            import uvloop  # noqa: F401
        except ImportError:
            err.write('--loop uvloop: uvloop is not installed\n')
            return 2
    targets = args.target or list(DEFAULT_TARGETS)
    modules = {}
    for t in targets:
        try:
            modules[t] = conformance.load_target(t)
        except Exception as exc:
            err.write('cannot import target %r: %s: %s\n'
                      % (t, type(exc).__name__, exc))
            return 2
    descriptions = {t: conformance.describe_target(modules[t])
                    for t in targets}
    progress = _Progress(err)
    results = {}
    for t in targets:
        start = time.time()
        progress.start(t, len(selected))
        results[t] = conformance.run_battery(
            modules[t], args.loop, k=args.k, progress=progress(t),
            timeout=args.timeout)
        progress.done(t, time.time() - start)
    if args.json:
        _json(targets, descriptions, results, selected, args.loop, out)
    else:
        _table(targets, descriptions, results, selected, args.loop, out)
    judged = ['trollius_streams'] if args.target is None else targets
    ok = all(r.status != conformance.FAIL
             for t in judged for r in results[t])
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())

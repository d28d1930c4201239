"""``python -m trollius_streams``: run the conformance kit.

With no arguments the battery runs against trollius_streams and, side by
side, against this Python's stdlib asyncio streams, prints one row per
scenario with both results (and, for a failure, what was observed), then a
summary.  The exit status is 0 when trollius_streams passes everything (with
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
                    'documentation, scenario by scenario (each keyed by its '
                    'SPEC rule ID).')
    p.add_argument('--target', action='append', metavar='MODULE',
                   help='dotted path of a module providing the 3.4 names '
                        '(open_connection, start_server, StreamReader, ...); '
                        'may be repeated; default: trollius_streams and '
                        'asyncio side by side')
    p.add_argument('--loop', choices=conformance.LOOP_KINDS,
                   default='asyncio',
                   help='event loop to run on (default: asyncio)')
    p.add_argument('--json', action='store_true',
                   help='print the results as JSON instead of a table')
    p.add_argument('--list', action='store_true',
                   help='list the scenarios (with -k: those matching) and exit')
    p.add_argument('-k', metavar='SUBSTRING',
                   help='only scenarios whose rule ID, name or sentence '
                        'contains SUBSTRING (case-insensitive)')
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


def _list(selected, out):
    for sc in selected:
        out.write('%-8s %-46s [%s] %s\n' % (sc.rule, sc.name + (
            '[%s]' % sc.via if sc.via else ''), sc.label, sc.sentence))
    out.write('%d scenarios\n' % len(selected))


def _table(targets, descriptions, results, selected, loop_kind, out):
    names = [sc.name + ('[%s]' % sc.via if sc.via else '') for sc in selected]
    name_w = max([len('SCENARIO')] + [len(n) for n in names])
    rule_w = max([len('RULE')] + [len(sc.rule) for sc in selected])
    col_w = [max(len(t), 4) for t in targets]
    header = '%-*s  %-*s' % (rule_w, 'RULE', name_w, 'SCENARIO')
    for t, w in zip(targets, col_w):
        header += '  %-*s' % (w, t)
    out.write(header.rstrip() + '\n')
    for i, sc in enumerate(selected):
        row = '%-*s  %-*s' % (rule_w, sc.rule, name_w, names[i])
        for t, w in zip(targets, col_w):
            row += '  %-*s' % (w, _STATUS_TEXT[results[t][i].status])
        out.write(row.rstrip() + '\n')
        for t in targets:
            r = results[t][i]
            if r.status == conformance.FAIL:
                out.write('%*s%s: %s\n' % (rule_w + 4, '', t, r.detail()))
            elif r.status == conformance.NA and len(targets) == 1:
                out.write('%*s%s: %s\n' % (rule_w + 4, '', t, r.detail()))
    out.write('\nSummary (Python %s, %s loop):\n'
              % (platform.python_version(), loop_kind))
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
    selected = conformance.scenarios(args.k)
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

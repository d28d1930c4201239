"""Print pytest's counts per tox env from the JUnit XML files, then a total.

Usage: summary.py .tox/*/junit.xml  (exit status 1 if no file was found)
"""
import os
import sys
import xml.etree.ElementTree as ET


def counts(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
    total = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for suite in suites:
        for key in total:
            total[key] += int(suite.get(key, 0))
    return total


def main(paths):
    paths = [p for p in paths if os.path.exists(p)]
    if not paths:
        print('no JUnit results found')
        return 1
    grand = {'passed': 0, 'failed': 0, 'skipped': 0}
    for path in sorted(paths):
        env = os.path.basename(os.path.dirname(path))
        c = counts(path)
        failed = c['failures'] + c['errors']
        passed = c['tests'] - failed - c['skipped']
        grand['passed'] += passed
        grand['failed'] += failed
        grand['skipped'] += c['skipped']
        print('%-10s %d passed, %d failed, %d skipped'
              % (env, passed, failed, c['skipped']))
    print('total: %(passed)d passed, %(failed)d failed, %(skipped)d skipped'
          % grand)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

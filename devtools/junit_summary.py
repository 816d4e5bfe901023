#!/usr/bin/env python3
"""Print the pass count of a pytest JUnit XML report; exit 1 on failures or on zero tests.

Usage: junit_summary.py REPORT.xml

colcon's own exit code misses a run that collected nothing, so `make test` checks the count here.
"""

import sys
import xml.etree.ElementTree as ElementTree


def main(path: str) -> int:
    """Summarise the report at ``path``; return the process exit code."""
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        print(f'test summary: no readable report at {path}: {error}', file=sys.stderr)
        return 1
    suites = [root] if root.tag == 'testsuite' else list(root.iter('testsuite'))
    totals = {key: sum(int(suite.get(key, 0)) for suite in suites)
              for key in ('tests', 'failures', 'errors', 'skipped')}
    passed = totals['tests'] - totals['failures'] - totals['errors'] - totals['skipped']
    print(f"test summary: {passed} passed, {totals['failures']} failed, "
          f"{totals['errors']} errors, {totals['skipped']} skipped ({totals['tests']} total)")
    if totals['tests'] == 0:
        print('test summary: zero tests ran', file=sys.stderr)
        return 1
    return 1 if totals['failures'] or totals['errors'] else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))

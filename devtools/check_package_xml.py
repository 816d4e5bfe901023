#!/usr/bin/env python3
"""Check package.xml files: well-formed XML (xmllint when present) and valid ROS format 3.

Usage: check_package_xml.py PACKAGE_XML...
"""

import shutil
import subprocess
import sys

from catkin_pkg.package import InvalidPackage, parse_package


def main(paths: list[str]) -> int:
    """Check every path; return the number of invalid files."""
    failures = 0
    xmllint = shutil.which('xmllint')
    for path in paths:
        if xmllint:
            result = subprocess.run([xmllint, '--noout', path], capture_output=True, text=True)
            if result.returncode != 0:
                print(f'{path}: xmllint: {result.stderr.strip()}', file=sys.stderr)
                failures += 1
                continue
        try:
            package = parse_package(path)
        except InvalidPackage as error:
            print(f'{path}: invalid package manifest: {error}', file=sys.stderr)
            failures += 1
            continue
        if package.package_format != 3:
            print(f'{path}: package format {package.package_format}, expected 3', file=sys.stderr)
            failures += 1
            continue
        print(f'{path}: ok ({package.name} {package.version}, format 3'
              f"{', xmllint' if xmllint else ''})")
    return failures


if __name__ == '__main__':
    sys.exit(1 if main(sys.argv[1:]) else 0)

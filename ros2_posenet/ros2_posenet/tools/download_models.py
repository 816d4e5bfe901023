"""``posenet_download_models``: download public PoseNet models into the user cache (no ROS)."""

import argparse
from pathlib import Path
import sys
from typing import Sequence

from ros2_posenet.posenet import InputError, ModelDownloadError
from ros2_posenet.posenet.model import (
    DEFAULT_TIMEOUT_S, default_download_dir, download_model, MODEL_SOURCES, model_names)


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog='posenet_download_models',
        description='Download public PoseNet .tflite models (Coral project-posenet, '
                    'TensorFlow Lite).')
    parser.add_argument('models', nargs='*', metavar='NAME',
                        help="model file names (see --list), or 'all'")
    parser.add_argument('--list', action='store_true', help='list the known models and exit')
    parser.add_argument('--dest', type=Path, default=None,
                        help=f'target directory (default: {default_download_dir()})')
    parser.add_argument('--force', action='store_true',
                        help='download again even if the file exists')
    parser.add_argument('--timeout', type=float, default=DEFAULT_TIMEOUT_S,
                        help='network timeout in seconds (default: %(default)s)')
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool; return 0 on success, 1 when a download failed, 2 on bad arguments."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list:
        for source in MODEL_SOURCES:
            print(f'{source.name}\n    {source.description}\n    {source.url}')
        return 0
    if not args.models:
        parser.print_usage(sys.stderr)
        print("error: name at least one model (or 'all'); see --list", file=sys.stderr)
        return 2
    names = model_names() if 'all' in args.models else tuple(dict.fromkeys(args.models))
    failures = 0
    for name in names:
        try:
            path = download_model(name, args.dest, overwrite=args.force,
                                  timeout_s=args.timeout)
        except InputError as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
        except ModelDownloadError as error:
            print(f'error: {error}', file=sys.stderr)
            failures += 1
            continue
        print(path)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

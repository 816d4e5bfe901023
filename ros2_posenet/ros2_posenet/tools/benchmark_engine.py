"""posenet_benchmark: per-stage medians of PoseEngine for each model, and Coral CSV agreement.

For every model (default: each PoseNet model in ``<data dir>/models`` that runs on the chosen
delegate) the engine estimates poses on one 640x480 BGR frame (``images/test_couple.jpg``
resized, as a VGA camera would deliver it) ``--iterations`` times per decoding mode and prints
the medians of

* ``preprocess``: checks, resize into the input tensor, BGR -> RGB, float scaling;
* ``invoke``: the interpreter alone;
* ``single`` / ``multi``: the decode stage (dequantize, decode, filter, map to the image) with
  ``decodeSinglePose`` and with ``decodeMultiplePoses`` at the engine defaults
  (max 10 detections, score threshold 0.5, NMS radius 20 px);
* ``total``: the whole ``estimate`` call in multi mode;
* ``overhead``: median over multi-mode calls of (total - invoke) / invoke, in percent.

Then, for each Coral input size with a reference CSV, it compares the keypoints decoded from the
rewritten ``*_quant_decoder`` model (better-quantized offsets) and from the raw ``*_quant`` model
with Coral's own decoder output (``reference/coral/*_reference.csv``), using Coral's
preprocessing (stretched, nearest-neighbour resize).

Usage: posenet_benchmark [--models NAME ...] [--iterations 50] [--no-coral]
"""

import argparse
from collections.abc import Sequence
import math
from pathlib import Path
import statistics
import sys

import cv2
import numpy as np

from ros2_posenet.posenet import (data_dir, DecodeOptions, DELEGATES, EngineConfig, PoseEngine,
                                  PoseNetError)
from ros2_posenet.tools.coral_reference import (CORAL_MIN_KEYPOINT_SCORE, CORAL_REFERENCE,
                                                coral_reference_error)

BENCHMARK_IMAGE = 'images/test_couple.jpg'
FRAME_SIZE = (640, 480)
CORAL_SIZES = ('353_481', '481_641', '721_1281')


def default_models(models_dir: Path, delegate: str) -> list[Path]:
    """Return the PoseNet models of a folder that run on ``delegate``, small inputs first."""
    edgetpu = delegate == 'edgetpu'
    found = [p for p in models_dir.glob('posenet_*.tflite')
             if p.stem.endswith('_edgetpu') == edgetpu]
    return sorted(found, key=lambda p: (p.stat().st_size > 0, _input_pixels(p.stem), p.name))


def _input_pixels(stem: str) -> int:
    for part in stem.replace('x', '_').split('_'):
        if part.isdigit() and int(part) > 100:
            return int(part)
    return 0


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def benchmark_model(path: Path, frame_bgr: np.ndarray, iterations: int, warmup: int,
                    delegate: str, num_threads: int) -> str:
    """Time one model and return its table row."""
    config = EngineConfig(str(path), delegate=delegate, num_threads=num_threads)
    single = DecodeOptions(detection_mode='single')
    multi = DecodeOptions(detection_mode='multi', max_detections=10, score_threshold=0.5,
                          nms_radius=20.0)
    with PoseEngine(config) as engine:
        for _ in range(warmup):
            engine.estimate(frame_bgr, 'bgr', multi)
        multi_runs, single_runs = [], []
        for _ in range(iterations):  # interleaved: both modes see the same machine load
            multi_runs.append(engine.estimate(frame_bgr, 'bgr', multi))
            single_runs.append(engine.estimate(frame_bgr, 'bgr', single))
        info = engine.model_info
    timings = [run.timings for run in multi_runs + single_runs]
    invoke = _median([t.invoke_ms for t in timings])
    overhead = _median([(r.timings.total_ms - r.timings.invoke_ms) / r.timings.invoke_ms
                        for r in multi_runs])
    poses = len(multi_runs[-1].poses)
    return (f'{path.name:<56} {info.input_width:>4}x{info.input_height:<4} '
            f'{info.input_dtype:<7} {info.delegate:<7}'
            f'{_median([t.preprocess_ms for t in timings]):>8.2f}{invoke:>8.2f}'
            f'{_median([r.timings.decode_ms for r in single_runs]):>8.2f}'
            f'{_median([r.timings.decode_ms for r in multi_runs]):>8.2f}'
            f'{_median([r.timings.total_ms for r in multi_runs]):>8.2f}'
            f'{100.0 * overhead:>8.1f}%{poses:>6}')


def _benchmark(args: argparse.Namespace, base: Path) -> int:
    image = cv2.imread(str(base / BENCHMARK_IMAGE), cv2.IMREAD_COLOR)
    if image is None:
        print(f'posenet_benchmark: cannot read {base / BENCHMARK_IMAGE}', file=sys.stderr)
        return 1
    frame = cv2.resize(image, FRAME_SIZE, interpolation=cv2.INTER_AREA)
    models = ([Path(m) if Path(m).exists() else base / 'models' / m for m in args.models]
              if args.models else default_models(base / 'models', args.delegate))
    print(f'{len(models)} model(s), {FRAME_SIZE[0]}x{FRAME_SIZE[1]} BGR frame, '
          f'{args.iterations} iterations per mode, medians in ms, {args.num_threads} thread(s)')
    print(f'{"model":<56} {"input":<9} {"dtype":<7} {"deleg.":<7}{"prep":>8}{"invoke":>8}'
          f'{"single":>8}{"multi":>8}{"total":>8}{"ovh":>9}{"poses":>6}')
    failed = 0
    for path in models:
        try:
            print(benchmark_model(path, frame, args.iterations, args.warmup, args.delegate,
                                  args.num_threads), flush=True)
        except PoseNetError as error:
            failed += 1
            print(f'{path.name:<56} skipped: {error}', flush=True)
    return 1 if failed and args.models else 0


def _coral_comparison(args: argparse.Namespace, base: Path) -> int:
    image = cv2.imread(str(base / BENCHMARK_IMAGE), cv2.IMREAD_COLOR)
    if image is None:
        return 1
    print('\nCoral reference CSV agreement on test_couple.jpg (stretched, nearest; model-input '
          f'px; reference keypoints scoring >= {CORAL_MIN_KEYPOINT_SCORE}):')
    print(f'{"input":<10}{"model":<16}{"matched":>9}{"mean px":>9}{"max px":>9}')
    for size in CORAL_SIZES:
        reference = base / CORAL_REFERENCE.format(size=size)
        if not reference.exists():
            continue
        for suffix in ('quant_decoder', 'quant'):
            model = base / 'models' / f'posenet_mobilenet_v1_075_{size}_{suffix}.tflite'
            if not model.exists():
                continue
            try:
                error = coral_reference_error(model, reference, image, args.num_threads)
            except PoseNetError as failure:
                print(f'{size:<10}{suffix:<16} skipped: {failure}')
                continue
            print(f'{size:<10}{suffix:<16}{error.matched:>5}/{error.references:<3}'
                  f'{error.mean_px:>9.2f}{error.max_px:>9.2f}', flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(prog='posenet_benchmark',
                                     description=__doc__.split('\n\n')[0])
    parser.add_argument('--models', nargs='*', default=[],
                        help='model paths or names under <data dir>/models (default: all)')
    parser.add_argument('--iterations', type=int, default=50, help='timed runs per mode')
    parser.add_argument('--warmup', type=int, default=3, help='untimed runs first')
    parser.add_argument('--delegate', choices=DELEGATES, default='cpu')
    parser.add_argument('--num-threads', type=int, default=2)
    parser.add_argument('--data-dir', type=Path, default=None,
                        help='folder with models/, images/, reference/ (default: data path)')
    parser.add_argument('--no-coral', action='store_true',
                        help='skip the Coral reference CSV comparison')
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error('--iterations must be >= 1 and --warmup >= 0')
    base = args.data_dir or data_dir()
    status = _benchmark(args, base)
    if not args.no_coral:
        status = max(status, _coral_comparison(args, base))
    return status


if __name__ == '__main__':
    sys.exit(main())

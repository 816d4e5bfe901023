"""posenet_benchmark_decoders: multi-pose decoding medians on real outputs, beside TensorFlow.js.

For each TensorFlow.js golden case (``<data dir>/reference/tfjs_goldens/<model>__<image>/``,
the four network outputs of one model on one image) whose name matches ``--cases``, and for
both parameter sets (Coral's 10 / 0.2 / 10 and the node's 10 / 0.5 / 20), it prints the median
time of

* ``checked``: ``decode_multiple_poses`` as a library user calls it (input checks included);
* ``core``: ``decode_multiple_poses_unchecked``, what ``PoseEngine`` runs per frame;
* ``tfjs``: ``@tensorflow-models/posenet`` 2.2.2's own ``decodeMultiplePoses`` on the same
  arrays, when ``--tfjs-peer DIR`` names a folder with the peer tool (``decode.js`` and its
  ``node_modules``, see ``shared/peers/tfjs/README.md``), run right after ours on one machine;

and the ratios. The poses of ours and of TF.js are compared too (count, positions within
1e-3 px), so a timing is never reported for a result that differs.

Usage: posenet_benchmark_decoders [--cases tennis jetson couple] [--repeat 300]
       [--tfjs-peer /tmp/tfjs-peer]
"""

import argparse
from collections.abc import Callable, Sequence
import json
from pathlib import Path
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from ros2_posenet.posenet import data_dir, decode_multiple_poses
from ros2_posenet.posenet.decode import decode_multiple_poses_unchecked

GOLDENS = Path('reference') / 'tfjs_goldens'
OUTPUT_NAMES = ('heatmap_logits', 'offsets', 'displacement_fwd', 'displacement_bwd')
PARAMETER_SETS = ((10, 0.2, 10.0), (10, 0.5, 20.0))
"""(max_detections, score_threshold, nms_radius): Coral's settings and the node's defaults."""
DEFAULT_CASES = ('481_641_quant__tfjs_posenet_demo_tennis', '481_641_quant__jetson',
                 '481_641_quant__test_couple')


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    call()  # warm-up (lookup tables, caches)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def _tfjs(peer: Path, folder: Path, outputs: Sequence[np.ndarray], stride: int,
          parameters: tuple[int, float, float], repeat: int) -> tuple[float, list]:
    """Run the peer on the outputs; return (its decodeMultiplePoses median, its poses)."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        scores = 1.0 / (1.0 + np.exp(-outputs[0].astype(np.float64)))
        np.save(work / 'heatmap_scores.npy', scores.astype(np.float32))
        np.save(work / 'short_offsets.npy', outputs[1])
        np.save(work / 'displacement_fwd.npy', outputs[2])
        np.save(work / 'displacement_bwd.npy', outputs[3])
        max_detections, threshold, radius = parameters
        command = ['node', str(peer / 'decode.js'), '--in', str(work), '--output-stride',
                   str(stride), '--max-detections', str(max_detections), '--score-threshold',
                   str(threshold), '--nms-radius', str(radius), '--repeat', str(repeat),
                   '--out', str(work / 'poses.json')]
        subprocess.run(command, check=True, capture_output=True, cwd=peer)
        result = json.loads((work / 'poses.json').read_text())
    return float(result['timing_ms']['decodeMultiplePoses']['median']), result['poses']


def _same_poses(ours, theirs: list) -> bool:
    if len(ours) != len(theirs):
        return False
    for index, pose in enumerate(theirs):
        xy = np.array([(k['x'], k['y']) for k in pose['keypoints']])
        if np.abs(xy - ours.keypoints_xy[index]).max() > 1e-3:
            return False
    return True


def run(args: argparse.Namespace) -> int:
    """Print the table; return the exit status."""
    folder = data_dir() / GOLDENS
    cases = sorted(path for path in folder.iterdir()
                   if any(pattern in path.name for pattern in args.cases)) \
        if folder.is_dir() else []
    if not cases:
        print(f'posenet_benchmark_decoders: no golden case matches {args.cases} in {folder}',
              file=sys.stderr)
        return 1
    print(f'{"case":58s} {"params":16s} {"checked":>8s} {"core":>7s} {"tfjs":>7s} '
          f'{"tfjs/core":>9s} {"tfjs/checked":>12s}  (medians, ms, {args.repeat} runs)')
    for case in cases:
        outputs = [np.load(case / f'{name}.npy') for name in OUTPUT_NAMES]
        stride = json.loads((case / 'meta.json').read_text())['output_stride']
        trusted = [np.ascontiguousarray(array, np.float32) for array in outputs]
        for parameters in PARAMETER_SETS:
            checked = _median_ms(lambda: decode_multiple_poses(*outputs, stride, *parameters),
                                 args.repeat)
            core = _median_ms(
                lambda: decode_multiple_poses_unchecked(*trusted, stride, *parameters),
                args.repeat)
            line = f'{case.name:58s} {str(parameters):16s} {checked:8.3f} {core:7.3f}'
            if args.tfjs_peer is not None:
                tfjs_ms, tfjs_poses = _tfjs(args.tfjs_peer, case, outputs, stride, parameters,
                                            args.repeat)
                ours = decode_multiple_poses(*outputs, stride, *parameters)
                same = 'same poses' if _same_poses(ours, tfjs_poses) else 'POSES DIFFER'
                line += f' {tfjs_ms:7.3f} {tfjs_ms / core:9.2f} {tfjs_ms / checked:12.2f}  {same}'
            print(line, flush=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--cases', nargs='+', default=list(DEFAULT_CASES),
                        help='substrings of golden case folder names')
    parser.add_argument('--repeat', type=int, default=300, help='timed runs per median')
    parser.add_argument('--tfjs-peer', type=Path, default=None,
                        help='folder of the TensorFlow.js peer tool (decode.js, after npm ci)')
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point of ``posenet_benchmark_decoders``."""
    return run(build_parser().parse_args(argv))


if __name__ == '__main__':
    raise SystemExit(main())

"""posenet_benchmark_spatial: what placing people in metres costs per frame.

Median time, over ``--repeat`` runs, of lifting the keypoints of 1, 5 and 10 people with an
aligned 640x480 depth image (``lift_keypoints``, 5x5 windows) and of placing them
(``person_positions``: torso centres from depth; ground plane and height prior without), on
synthetic people spread over the image, with 10 % depth holes.
"""

import argparse
from collections.abc import Callable, Sequence
import statistics
import time

import numpy as np

from ros2_posenet.posenet import PinholeCamera, PoseArrays
from ros2_posenet.posenet.spatial import (DepthOptions, lift_keypoints, MonocularOptions,
                                          person_positions)

WIDTH, HEIGHT = 640, 480


def _people(count: int, rng: np.random.Generator) -> PoseArrays:
    centres = np.column_stack((rng.uniform(80, WIDTH - 80, count),
                               rng.uniform(120, HEIGHT - 120, count)))
    xy = centres[:, None, :] + rng.normal(0.0, 40.0, (count, 17, 2))
    return PoseArrays(np.clip(xy, 0, WIDTH - 1), rng.uniform(0.2, 1.0, (count, 17)),
                      rng.uniform(0.3, 1.0, count))


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--repeat', type=int, default=300)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(3)
    camera = PinholeCamera.from_calibration(600.0, 600.0, 320.0, 240.0, WIDTH, HEIGHT, WIDTH,
                                            HEIGHT, 'benchmark')
    depth = rng.uniform(1.0, 6.0, (HEIGHT, WIDTH)).astype(np.float32)
    depth[rng.random(depth.shape) < 0.1] = np.nan
    monocular = MonocularOptions(camera_height=1.2, camera_pitch=0.1)
    print(f'{"people":>6s} {"lift ms":>8s} {"positions ms":>13s} {"without depth ms":>17s}')
    for count in (1, 5, 10):
        people = _people(count, rng)
        lifted = lift_keypoints(people, depth, camera, DepthOptions())
        lift = _median_ms(lambda: lift_keypoints(people, depth, camera, DepthOptions()),
                          args.repeat)
        place = _median_ms(lambda: person_positions(people, camera, monocular, lifted),
                           args.repeat)
        mono = _median_ms(lambda: person_positions(people, camera, monocular), args.repeat)
        print(f'{count:6d} {lift:8.3f} {place:13.3f} {mono:17.3f}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

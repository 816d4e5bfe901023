"""posenet_benchmark_tracking: what the pose tracker's smoothing does, and what an update costs.

On a video (default ``<data dir>/video/Dance.mp4``, one dancer) the engine detects poses in
every frame (multi-pose mode, stamps from the frame rate), and two trackers with the same
settings, smoothing off and on, follow them. For the track seen in the most frames it prints

* ``acceleration``: mean over keypoints of ``|x[t+1] - 2 x[t] + x[t-1]|`` in px/frame^2, over
  runs of three consecutive frames in which the track is matched and the keypoint scores at
  least ``--min-keypoint-score`` in all three; raw, smoothed and their ratio (jitter removed);
* ``lag``: the delay of the smoothed keypoint trajectories behind the raw ones, in ms, at the
  peak of their cross-correlation (mean-removed positions, summed over keypoints and both
  axes, parabolic sub-frame peak);
* the decode stage's median (``StageTimings.decode_ms``) next to the median tracker update.

Then, on synthetic scenes of 1, 5 and 10 people walking with 2 px keypoint jitter at 30 fps,
the median wall time of ``PoseTracker.update`` (smoothing on).

Usage: posenet_benchmark_tracking [--video PATH] [--model NAME] [--updates 300]
       [--min-cutoff HZ] [--beta B] [--d-cutoff HZ] [--no-video]
"""

import argparse
from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass
from pathlib import Path
import statistics
import sys
import time

import cv2
import numpy as np

from ros2_posenet.posenet import (data_dir, DecodeOptions, EngineConfig, PoseArrays, PoseEngine,
                                  PoseNetError)
from ros2_posenet.posenet.tracking import PoseTracker, TrackerConfig

DEFAULT_MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
DETECTION = DecodeOptions(detection_mode='multi', max_detections=10, score_threshold=0.5,
                          nms_radius=20.0)
PEOPLE_COUNTS = (1, 5, 10)
SYNTHETIC_FPS = 30.0
SYNTHETIC_JITTER_PX = 2.0
MAX_LAG_FRAMES = 12

_UNIT_PERSON = np.array([
    (0.0, -0.45), (0.03, -0.47), (-0.03, -0.47), (0.06, -0.46), (-0.06, -0.46),
    (0.12, -0.30), (-0.12, -0.30), (0.15, -0.12), (-0.15, -0.12), (0.16, 0.05), (-0.16, 0.05),
    (0.08, 0.05), (-0.08, 0.05), (0.08, 0.27), (-0.08, 0.27), (0.08, 0.50), (-0.08, 0.50)])
"""A person facing the camera, 17 keypoints (x, y) in units of body height, centre at 0."""


@dataclass(frozen=True)
class VideoTrace:
    """Keypoints of the longest track of a video, frame by frame.

    Attributes:
        raw_xy: Float64 ``[f, 17, 2]`` detected (x, y) in pixels, NaN where unmatched.
        smoothed_xy: Float64 ``[f, 17, 2]`` the same keypoints after smoothing.
        scores: Float64 ``[f, 17]`` keypoint scores, 0 where unmatched.
        frame_interval_s: Seconds between frames.
        decode_ms: Median of the engine's decode stage.
        update_ms: Median of the smoothing tracker's update.
        track_frames: Frames in which the track was matched.
        frames: Frames in the video.
    """

    raw_xy: np.ndarray
    smoothed_xy: np.ndarray
    scores: np.ndarray
    frame_interval_s: float
    decode_ms: float
    update_ms: float
    track_frames: int
    frames: int


def trace_video(engine: PoseEngine, video: Path, config: TrackerConfig) -> VideoTrace:
    """Detect and track every frame of ``video``; return its longest track's keypoints.

    Raises:
        OSError: The video cannot be read.
    """
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    raw_tracker = PoseTracker(dataclasses.replace(config, smoothing=False))
    smooth_tracker = PoseTracker(config)
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    decode_ms: list[float] = []
    update_ms: list[float] = []
    try:
        index = 0
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            result = engine.estimate(frame, 'bgr', DETECTION)
            decode_ms.append(result.timings.decode_ms)
            detections = _arrays(result)
            stamp = index / fps
            raw = raw_tracker.update(detections, stamp)
            start = time.perf_counter()
            smooth = smooth_tracker.update(detections, stamp)
            update_ms.append((time.perf_counter() - start) * 1e3)
            rows.append((raw.ids, raw.arrays.keypoints_xy, smooth.arrays.keypoints_xy,
                         raw.arrays.keypoint_scores))
            index += 1
    finally:
        capture.release()
    if not rows:
        raise OSError(f'no frame could be read from {video}')
    all_ids = np.concatenate([ids for ids, _, _, _ in rows])
    published = all_ids[all_ids > 0]
    raw_xy = np.full((len(rows), 17, 2), np.nan)
    smoothed_xy = raw_xy.copy()
    scores = np.zeros((len(rows), 17))
    if len(published):
        track_id = np.bincount(published).argmax()
        for row, (ids, raw_rows, smooth_rows, score_rows) in enumerate(rows):
            hit = np.flatnonzero(ids == track_id)
            if len(hit):
                raw_xy[row], smoothed_xy[row] = raw_rows[hit[0]], smooth_rows[hit[0]]
                scores[row] = score_rows[hit[0]]
    return VideoTrace(raw_xy, smoothed_xy, scores, 1.0 / fps, statistics.median(decode_ms),
                      statistics.median(update_ms), int(np.count_nonzero(scores.any(axis=1))),
                      len(rows))


def mean_acceleration(xy: np.ndarray, scores: np.ndarray, min_score: float) -> float:
    """Return the mean second difference magnitude in px/frame^2 over confident triples.

    Args:
        xy: Float64 ``[f, 17, 2]`` keypoints per frame, NaN where the track is unmatched.
        scores: Float64 ``[f, 17]`` keypoint scores.
        min_score: A triple counts when the keypoint scores at least this in all three frames.
    """
    confident = (scores >= min_score) & np.isfinite(xy).all(axis=-1)
    valid = confident[:-2] & confident[1:-1] & confident[2:]
    second = np.linalg.norm(xy[2:] - 2.0 * xy[1:-1] + xy[:-2], axis=-1)
    return float(second[valid].mean()) if valid.any() else float('nan')


def smoothing_lag_s(raw_xy: np.ndarray, smoothed_xy: np.ndarray, frame_interval_s: float,
                    max_lag_frames: int = MAX_LAG_FRAMES) -> float:
    """Return how far the smoothed keypoint trajectories trail the raw ones, in seconds.

    Each keypoint coordinate's raw and smoothed trajectory (frames where the track is matched;
    mean removed) are cross-correlated for lags in ``[-max_lag_frames, max_lag_frames]``
    (mean product over the valid frame pairs, summed over keypoints and axes); the peak is
    refined with a parabola through its neighbours. Positive: the smoothed trajectory comes
    later.
    """
    frames = len(raw_xy)
    raw = raw_xy.reshape(frames, -1)
    smooth = smoothed_xy.reshape(frames, -1)
    valid = np.isfinite(raw).all(axis=1) & np.isfinite(smooth).all(axis=1)
    if valid.sum() < 2 * max_lag_frames + 2:
        return float('nan')
    raw = np.where(valid[:, None], raw - raw[valid].mean(axis=0), 0.0)
    smooth = np.where(valid[:, None], smooth - smooth[valid].mean(axis=0), 0.0)
    lags = list(range(-max_lag_frames, max_lag_frames + 1))
    # Mean (not sum) over the frame pairs valid at each lag, so that shorter overlaps at
    # larger lags do not pull the peak towards 0.
    correlation = np.array([
        float((raw[max(0, -lag):frames - max(0, lag)]
               * smooth[max(0, lag):frames - max(0, -lag)]).sum())
        / max(1, int((valid[max(0, -lag):frames - max(0, lag)]
                      & valid[max(0, lag):frames - max(0, -lag)]).sum()))
        for lag in lags])
    peak = int(np.argmax(correlation))
    offset = 0.0
    if 0 < peak < len(lags) - 1:
        left, centre, right = (float(value) for value in correlation[peak - 1:peak + 2])
        curvature = left - 2.0 * centre + right
        offset = 0.5 * (left - right) / curvature if curvature < 0 else 0.0
    return float(lags[peak] + offset) * frame_interval_s


def synthetic_update_ms(people: int, updates: int, config: TrackerConfig,
                        seed: int = 0) -> float:
    """Return the median ``update`` time in ms for ``people`` walking, jittered persons."""
    rng = np.random.default_rng(seed)
    height = 200.0
    starts = np.stack([np.arange(people) * 0.6 * height + 100.0,
                       np.full(people, 300.0) + 40.0 * (np.arange(people) % 2)], axis=1)
    velocity = np.stack([rng.uniform(-60.0, 60.0, people), rng.uniform(-20.0, 20.0, people)],
                        axis=1)
    tracker = PoseTracker(config)
    times = []
    scores = np.full((people, 17), 0.9)
    pose_scores = np.full(people, 0.9)
    for frame in range(updates):
        stamp = frame / SYNTHETIC_FPS
        centres = starts + velocity * stamp
        xy = (_UNIT_PERSON[None] * height + centres[:, None]
              + rng.normal(0.0, SYNTHETIC_JITTER_PX, (people, 17, 2)))
        detections = PoseArrays(xy, scores, pose_scores)
        start = time.perf_counter()
        tracker.update(detections, stamp)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _arrays(result: object) -> PoseArrays:
    arrays = getattr(result, 'arrays', None)
    if isinstance(arrays, PoseArrays):
        return arrays
    return PoseArrays.from_poses(getattr(result, 'poses'))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its tables; return the exit status."""
    parser = argparse.ArgumentParser(prog='posenet_benchmark_tracking',
                                     description=__doc__.split('\n\n')[0])
    parser.add_argument('--video', type=Path, default=None,
                        help='video file (default: <data dir>/video/Dance.mp4)')
    parser.add_argument('--model', default=DEFAULT_MODEL, help='model path or name')
    parser.add_argument('--updates', type=int, default=300,
                        help='timed updates per synthetic scene')
    defaults = TrackerConfig()
    parser.add_argument('--min-cutoff', type=float, default=defaults.smoothing_min_cutoff)
    parser.add_argument('--beta', type=float, default=defaults.smoothing_beta)
    parser.add_argument('--d-cutoff', type=float, default=defaults.smoothing_d_cutoff)
    parser.add_argument('--min-keypoint-score', type=float, default=0.5,
                        help='keypoints scoring below this are left out of the acceleration')
    parser.add_argument('--no-video', action='store_true', help='synthetic scenes only')
    args = parser.parse_args(argv)
    if args.updates < 1:
        parser.error('--updates must be >= 1')
    try:
        config = TrackerConfig(smoothing_min_cutoff=args.min_cutoff, smoothing_beta=args.beta,
                               smoothing_d_cutoff=args.d_cutoff)
    except ValueError as error:
        parser.error(str(error))
    print(f'tracker: min_hits {config.min_hits}, max_age {config.max_age} s, min_similarity '
          f'{config.min_similarity}, One-Euro min_cutoff {config.smoothing_min_cutoff} Hz, '
          f'beta {config.smoothing_beta}, d_cutoff {config.smoothing_d_cutoff} Hz')
    decode_ms = float('nan')
    if not args.no_video:
        video = args.video or data_dir() / 'video' / 'Dance.mp4'
        try:
            engine = PoseEngine(EngineConfig(args.model))
            trace = trace_video(engine, video, config)
        except (PoseNetError, OSError) as error:
            print(f'error: {error}', file=sys.stderr)
            return 1
        decode_ms = trace.decode_ms
        raw = mean_acceleration(trace.raw_xy, trace.scores, args.min_keypoint_score)
        smooth = mean_acceleration(trace.smoothed_xy, trace.scores, args.min_keypoint_score)
        lag_ms = smoothing_lag_s(trace.raw_xy, trace.smoothed_xy, trace.frame_interval_s) * 1e3
        print(f'\nvideo {video.name} ({trace.frames} frames, {1 / trace.frame_interval_s:g} fps, '
              f'model {Path(args.model).name}); longest track in {trace.track_frames} frames')
        print(f'{"measure":<34}{"raw":>10}{"smoothed":>10}{"ratio":>8}')
        print(f'{"acceleration (px/frame^2)":<34}{raw:>10.2f}{smooth:>10.2f}{smooth / raw:>8.2f}')
        print(f'{"lag behind raw (ms)":<34}{0.0:>10.1f}{lag_ms:>10.1f}')
        print(f'{"decode median (ms)":<34}{trace.decode_ms:>10.3f}')
        print(f'{"tracker update median (ms)":<34}{trace.update_ms:>10.3f}')
    print(f'\nsynthetic scenes: {args.updates} updates, {SYNTHETIC_FPS:g} fps, '
          f'{SYNTHETIC_JITTER_PX:g} px jitter, smoothing on')
    print(f'{"people":>6}{"update median (ms)":>20}{"/ decode median":>17}')
    for people in PEOPLE_COUNTS:
        update_ms = synthetic_update_ms(people, args.updates, config)
        print(f'{people:>6}{update_ms:>20.3f}{update_ms / decode_ms:>17.2f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

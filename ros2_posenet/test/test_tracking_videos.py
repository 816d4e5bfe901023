"""The tracker on real videos: one dancer keeps one id; six people in turn get six ids.

Each video is decoded once per module (353x481 decoder model, multi-pose mode); the
detections are cached and tracked by every test. Skipped without the project data.
"""

from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import pytest

from ros2_posenet.posenet import DecodeOptions, EngineConfig, PoseEngine
from ros2_posenet.posenet.pose import PoseArrays
from ros2_posenet.posenet.tracking import PoseTracker, TrackerConfig

MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
DETECTION = DecodeOptions(detection_mode='multi', max_detections=10, score_threshold=0.5,
                          nms_radius=20.0)
INTEL_FRAME_STEP = 2
"""Track every 2nd frame of the 10 fps intel video (5 fps: twice the motion per update)."""

INTEL_PEOPLE_S = (
    (6.0, 20.0),     # woman, long fair hair, grey cardigan: frames ~66-195
    (22.5, 45.5),    # man, black hoodie: ~231-445
    (50.5, 70.5),    # woman, long fair hair, black top: ~512-695
    (74.0, 87.5),    # man, black T-shirt: ~748-863
    (92.0, 120.0),   # woman, dark hair, grey jumper: ~929-1190
    (123.5, 136.5),  # man, grey shirt, jeans: ~1242-1355
)
"""Reference for intel_one-by-one-person-detection.mp4 (768x432, 1394 frames, 10 fps), from
its frames: six people, one at a time, walk in from the camera, stop at the table and leave
behind the pillar on the right; between two of them the room is empty for 3.6 s or more.
Windows in seconds, with margins; nobody is in the picture outside them."""


def _detect(video: Path, engine: PoseEngine, step: int) -> list[tuple[float, PoseArrays]]:
    capture = cv2.VideoCapture(str(video))
    assert capture.isOpened(), f'cannot open {video}'
    fps = capture.get(cv2.CAP_PROP_FPS)
    frames: list[tuple[float, PoseArrays]] = []
    index = 0
    try:
        while True:
            if index % step:
                if not capture.grab():
                    break
            else:
                ok, image = capture.read()
                if not ok:
                    break
                result = engine.estimate(image, 'bgr', DETECTION)
                arrays = getattr(result, 'arrays', None)
                if not isinstance(arrays, PoseArrays):
                    arrays = PoseArrays.from_poses(result.poses)
                frames.append((index / fps, arrays))
            index += 1
    finally:
        capture.release()
    return frames


@pytest.fixture(scope='module')
def detections(data_dir: Path) -> dict[str, list[tuple[float, PoseArrays]]]:
    model = data_dir / 'models' / MODEL
    videos = {'dance': data_dir / 'video' / 'Dance.mp4',
              'intel': data_dir / 'video' / 'intel_one-by-one-person-detection.mp4'}
    missing = [str(path) for path in [model, *videos.values()] if not path.is_file()]
    if missing:
        pytest.skip(f'missing {", ".join(missing)}')
    engine = PoseEngine(EngineConfig(str(model)))
    return {'dance': _detect(videos['dance'], engine, 1),
            'intel': _detect(videos['intel'], engine, INTEL_FRAME_STEP)}


def _track(frames: list[tuple[float, PoseArrays]], config: TrackerConfig | None = None):
    tracker = PoseTracker(config)
    return [tracker.update(arrays, stamp) for stamp, arrays in frames]


def test_dance_keeps_one_id_for_the_dancer(detections):
    frames = detections['dance']
    assert len(frames) == 244
    results = _track(frames)
    # The dancer is the best-scoring pose of each frame that has one.
    dancer_ids = [int(r.ids[np.argmax(r.arrays.pose_scores)]) for r in results if len(r)]
    assert len(dancer_ids) >= 0.95 * len(frames)
    dominant, count = Counter(i for i in dancer_ids if i > 0).most_common(1)[0]
    assert dominant == 1
    assert count >= 0.95 * len(dancer_ids)
    assert dancer_ids[:2] == [0, 0]  # min_hits 3: published from the third frame on
    assert all(r.reset_reason is None for r in results)


def test_dance_smoothing_removes_most_keypoint_jitter(detections):
    frames = detections['dance']
    raw, smooth = (_track(frames, TrackerConfig(smoothing=on)) for on in (False, True))
    accelerations = []
    for results in (raw, smooth):
        xy = np.full((len(frames), 17, 2), np.nan)
        confident = np.zeros((len(frames), 17), bool)
        for k, tracked in enumerate(results):
            rows = np.flatnonzero(tracked.ids == 1)
            if len(rows):
                xy[k] = tracked.arrays.keypoints_xy[rows[0]]
                confident[k] = tracked.arrays.keypoint_scores[rows[0]] >= 0.5
        triple = confident[:-2] & confident[1:-1] & confident[2:]
        second = np.linalg.norm(xy[2:] - 2.0 * xy[1:-1] + xy[:-2], axis=-1)
        accelerations.append(second[triple].mean())
    assert accelerations[1] < 0.5 * accelerations[0]


def test_intel_gives_each_person_one_dominant_id_and_never_reuses_one(detections):
    frames = detections['intel']
    assert len(frames) == -(-1394 // INTEL_FRAME_STEP)
    results = _track(frames)
    per_person: list[Counter] = [Counter() for _ in INTEL_PEOPLE_S]
    outside: Counter = Counter()
    for (stamp, _), tracked in zip(frames, results):
        window = [k for k, (start, end) in enumerate(INTEL_PEOPLE_S) if start <= stamp <= end]
        if not len(tracked):
            continue
        main_id = int(tracked.ids[np.argmax(tracked.arrays.pose_scores)])
        (per_person[window[0]] if window else outside)[main_id] += 1
    assert not outside - Counter({0: outside[0]}), f'ids outside the people windows: {outside}'
    dominant = []
    for person, counts in enumerate(per_person):
        detected = sum(counts.values())
        assert detected >= 20, f'person {person + 1} detected in {detected} updates only'
        published = Counter({i: n for i, n in counts.items() if i > 0})
        track_id, count = published.most_common(1)[0]
        assert count >= 0.9 * detected, f'person {person + 1}: {counts}'
        dominant.append(track_id)
    # One new id per person, in order: nobody inherits the previous person's id.
    assert dominant == [1, 2, 3, 4, 5, 6]
    id_sets = [set(i for i in counts if i > 0) for counts in per_person]
    for k, ids in enumerate(id_sets):
        for later in id_sets[k + 1:]:
            assert not ids & later
    assert sum(r.births for r in results) == 6

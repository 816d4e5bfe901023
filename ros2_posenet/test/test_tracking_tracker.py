"""PoseTracker API: alignment with detections, life cycle, reset, smoothing switch, bad input."""

import dataclasses

import numpy as np
import pytest

from ros2_posenet.posenet.errors import InputError
from ros2_posenet.posenet.pose import PoseArrays
from ros2_posenet.posenet.tracking import (PoseTracker, TrackedPoses, TrackerConfig,
                                           TrackState)

UNIT_PERSON = np.array([
    (0.0, -0.45), (0.03, -0.47), (-0.03, -0.47), (0.06, -0.46), (-0.06, -0.46),
    (0.12, -0.30), (-0.12, -0.30), (0.15, -0.12), (-0.15, -0.12), (0.16, 0.05), (-0.16, 0.05),
    (0.08, 0.05), (-0.08, 0.05), (0.08, 0.27), (-0.08, 0.27), (0.08, 0.50), (-0.08, 0.50)])


def _person(x: float, y: float = 300.0, height: float = 200.0) -> np.ndarray:
    return UNIT_PERSON * height + (x, y)


def _frame(*poses: np.ndarray, score: float = 0.9) -> PoseArrays:
    if not poses:
        return PoseArrays.empty()
    xy = np.stack(poses)
    return PoseArrays(xy, np.full(xy.shape[:2], score), np.full(len(poses), score))


def test_tracks_are_tentative_with_id_0_until_min_hits_then_published():
    tracker = PoseTracker(TrackerConfig(min_hits=3))
    results = [tracker.update(_frame(_person(100.0 + 2 * k)), k / 25.0) for k in range(4)]
    assert [r.ids.tolist() for r in results] == [[0], [0], [1], [1]]
    assert [r.births for r in results] == [0, 0, 1, 0]
    assert [r.active_tracks for r in results] == [0, 0, 1, 1]
    assert [len(r.tracks) for r in results] == [0, 0, 1, 1]
    track = results[-1].tracks[0]
    assert (track.id, track.state, track.hits, track.detection_index) == (
        1, TrackState.CONFIRMED, 4, 0)
    assert (track.first_seen_s, track.last_seen_s) == (0.0, 3 / 25.0)
    assert track.keypoints_xy.shape == (17, 2)
    assert results[-1].ids.dtype == np.int64


def test_min_hits_1_publishes_at_once():
    tracked = PoseTracker(TrackerConfig(min_hits=1)).update(
        _frame(_person(100.0), _person(400.0)), 5.0)
    assert tracked.ids.tolist() == [1, 2]
    assert tracked.births == 2


def test_ids_follow_the_detection_rows_whatever_their_order():
    tracker = PoseTracker(TrackerConfig(min_hits=1))
    rng = np.random.default_rng(0)
    people = [_person(x) for x in (100.0, 350.0, 600.0)]
    tracker.update(_frame(*people), 0.0)
    for k in range(1, 20):
        order = rng.permutation(3)
        tracked = tracker.update(_frame(*[people[i] + (k, 0.0) for i in order]), k / 30.0)
        assert tracked.ids.tolist() == [i + 1 for i in order]
        assert [t.detection_index for t in tracked.tracks] == np.argsort(order).tolist()


def test_a_tentative_track_that_misses_once_is_deleted():
    tracker = PoseTracker(TrackerConfig(min_hits=3))
    pattern = [True, True, False, True, True, True]
    ids = [tracker.update(_frame(_person(200.0)) if seen else _frame(), k / 25.0).ids.tolist()
           for k, seen in enumerate(pattern)]
    assert ids == [[0], [0], [], [0], [0], [1]]


def test_a_lost_track_is_reported_lost_then_deleted_after_max_age_seconds():
    tracker = PoseTracker(TrackerConfig(min_hits=1, max_age=1.0))
    tracker.update(_frame(_person(200.0)), 10.0)
    lost = tracker.update(_frame(), 10.5)
    assert [(t.id, t.state, t.detection_index) for t in lost.tracks] == [
        (1, TrackState.LOST, -1)]
    assert (lost.active_tracks, lost.deaths) == (1, 0)
    still = tracker.update(_frame(), 11.0)  # exactly max_age: still alive
    assert (still.active_tracks, still.deaths) == (1, 0)
    gone = tracker.update(_frame(), 11.01)
    assert (gone.active_tracks, gone.deaths, gone.tracks) == (0, 1, ())


def test_reset_clears_tracks_and_ids_keep_increasing():
    tracker = PoseTracker(TrackerConfig(min_hits=1))
    assert tracker.update(_frame(_person(100.0), _person(400.0)), 1.0).ids.tolist() == [1, 2]
    tracker.reset()
    assert tracker.tracks == ()
    # Same people, same place, earlier stamp: no reset_reason (reset() forgot the stamp).
    tracked = tracker.update(_frame(_person(100.0)), 0.5)
    assert tracked.ids.tolist() == [3]
    assert tracked.reset_reason is None


def test_reconfigure_keeps_tracks_and_ids_and_applies_the_new_settings():
    tracker = PoseTracker(TrackerConfig(min_hits=1, smoothing=False))
    assert tracker.update(_frame(_person(100.0)), 1.0).ids.tolist() == [1]
    tracker.reconfigure(TrackerConfig(min_hits=2, smoothing=True))
    assert tracker.config.min_hits == 2
    tracked = tracker.update(_frame(_person(103.0), _person(400.0)), 1.04)
    assert tracked.ids.tolist() == [1, 0]  # the known person keeps id 1; min_hits 2 applies
    assert not np.array_equal(tracked.arrays.keypoints_xy[0], _person(103.0))  # smoothed
    with pytest.raises(InputError):
        tracker.reconfigure('not a config')


def test_zero_detections_give_empty_aligned_results():
    tracked = PoseTracker().update(PoseArrays.empty(), 0.0)
    assert isinstance(tracked, TrackedPoses)
    assert len(tracked) == 0 and len(tracked.arrays) == 0
    assert tracked.ids.shape == (0,) and tracked.ids.dtype == np.int64
    assert (tracked.active_tracks, tracked.births, tracked.deaths) == (0, 0, 0)
    assert tracked.stamp_s == 0.0


def test_smoothing_changes_keypoints_only_and_can_be_switched_off():
    rng = np.random.default_rng(1)
    frames = [_frame(_person(200.0) + rng.normal(0.0, 3.0, (17, 2))) for _ in range(10)]
    smooth_tracker = PoseTracker(TrackerConfig(smoothing=True))
    raw_tracker = PoseTracker(TrackerConfig(smoothing=False))
    for k, detections in enumerate(frames):
        smooth = smooth_tracker.update(detections, k / 30.0)
        raw = raw_tracker.update(detections, k / 30.0)
        np.testing.assert_array_equal(raw.arrays.keypoints_xy, detections.keypoints_xy)
        np.testing.assert_array_equal(smooth.arrays.keypoint_scores, detections.keypoint_scores)
        np.testing.assert_array_equal(smooth.arrays.pose_scores, detections.pose_scores)
        assert smooth.ids.tolist() == raw.ids.tolist()
        if k == 0:  # a new track's first detection passes unchanged
            np.testing.assert_array_equal(smooth.arrays.keypoints_xy, detections.keypoints_xy)
        else:
            assert not np.allclose(smooth.arrays.keypoints_xy, detections.keypoints_xy)


def test_detections_are_not_modified():
    detections = _frame(_person(200.0), _person(500.0))
    before = detections.keypoints_xy.copy()
    tracker = PoseTracker()
    for k in range(5):
        tracker.update(detections, float(k))
    np.testing.assert_array_equal(detections.keypoints_xy, before)


def _broken(field: str, value: object) -> PoseArrays:
    detections = _frame(_person(200.0), _person(500.0))
    object.__setattr__(detections, field, value)  # what a buggy producer could hand over
    return detections


def _with(xy_change=None, score_change=None, pose_score=None) -> PoseArrays:
    detections = _frame(_person(200.0), _person(500.0))
    xy = detections.keypoints_xy.copy()
    scores = detections.keypoint_scores.copy()
    pose_scores = detections.pose_scores.copy()
    if xy_change is not None:
        xy[1, 4, 0] = xy_change
    if score_change is not None:
        scores[0, 3] = score_change
    if pose_score is not None:
        pose_scores[1] = pose_score
    return PoseArrays(xy, scores, pose_scores)


@pytest.mark.parametrize('detections, message', [
    (_with(xy_change=np.nan), 'keypoints_xy contains NaN or inf'),
    (_with(xy_change=np.inf), 'keypoints_xy contains NaN or inf'),
    (_with(score_change=np.nan), r'keypoint_scores must be finite and in \[0, 1\]'),
    (_with(score_change=1.5), r'keypoint_scores must be finite and in \[0, 1\]'),
    (_with(score_change=-0.1), r'keypoint_scores must be finite and in \[0, 1\]'),
    (_with(pose_score=np.inf), r'pose_scores must be finite and in \[0, 1\]'),
    (_broken('keypoints_xy', np.zeros((2, 17, 3))), r'keypoints_xy \[n, 17, 2\]'),
    (_broken('keypoints_xy', np.zeros((3, 17, 2))), r'keypoints_xy \[n, 17, 2\]'),
    (_broken('keypoint_scores', np.zeros((2, 16))), r'keypoint_scores \[n, 17\]'),
    (_broken('pose_scores', np.zeros((2, 1))), r'pose_scores \[n\]'),
    (_broken('keypoints_xy', np.zeros((2, 17, 2), dtype=object)), 'real numpy array'),
    (_broken('keypoint_scores', [[0.5] * 17] * 2), 'real numpy array'),
    (np.zeros((1, 17, 2)), 'must be PoseArrays'),
    (None, 'must be PoseArrays'),
])
def test_bad_detections_raise_input_error_and_leave_the_tracker_as_it_was(detections, message):
    tracker = PoseTracker(TrackerConfig(min_hits=1))
    tracker.update(_frame(_person(200.0), _person(500.0)), 1.0)
    with pytest.raises(InputError, match=message):
        tracker.update(detections, 1.1)
    tracked = tracker.update(_frame(_person(201.0), _person(501.0)), 1.2)
    assert tracked.ids.tolist() == [1, 2]
    assert tracked.reset_reason is None


@pytest.mark.parametrize('stamp', [float('nan'), float('inf'), -float('inf'), None, '1.0',
                                   True, np.array([1.0])])
def test_bad_stamps_raise_input_error(stamp):
    with pytest.raises(InputError, match='stamp_s must be a finite number of seconds'):
        PoseTracker().update(_frame(_person(200.0)), stamp)


def test_numpy_scalars_and_integer_arrays_are_accepted():
    tracker = PoseTracker(TrackerConfig(min_hits=1))
    xy = np.round(np.stack([_person(200.0)])).astype(np.int32)
    detections = PoseArrays(xy, np.ones((1, 17), np.float32), np.ones(1, np.float32))
    tracked = tracker.update(detections, np.float64(3.0))
    assert tracked.ids.tolist() == [1]
    assert tracked.arrays.keypoints_xy.dtype == np.float64
    assert tracker.update(detections, np.int64(4)).ids.tolist() == [1]


def test_config_must_be_a_tracker_config_and_results_are_frozen():
    with pytest.raises(InputError, match='TrackerConfig'):
        PoseTracker({'min_hits': 3})
    tracked = PoseTracker().update(_frame(_person(200.0)), 0.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tracked.births = 3
    assert PoseTracker().config == TrackerConfig()

"""Synthetic scenes with exact expected ids: crossing, occlusion, re-entry, jitter, bad clocks."""

import numpy as np
import pytest

from ros2_posenet.posenet.pose import PoseArrays
from ros2_posenet.posenet.tracking import PoseTracker, TrackerConfig, TrackState
from ros2_posenet.posenet.tracking.similarity import pose_similarity

UNIT_PERSON = np.array([
    (0.0, -0.45), (0.03, -0.47), (-0.03, -0.47), (0.06, -0.46), (-0.06, -0.46),
    (0.12, -0.30), (-0.12, -0.30), (0.15, -0.12), (-0.15, -0.12), (0.16, 0.05), (-0.16, 0.05),
    (0.08, 0.05), (-0.08, 0.05), (0.08, 0.27), (-0.08, 0.27), (0.08, 0.50), (-0.08, 0.50)])
"""A person facing the camera, in units of body height (box about 0.32 x 0.97)."""

FPS = 25.0


def _person(x: float, y: float = 300.0, height: float = 200.0) -> np.ndarray:
    return UNIT_PERSON * height + (x, y)


def _frame(poses: list[np.ndarray]) -> PoseArrays:
    if not poses:
        return PoseArrays.empty()
    xy = np.stack(poses)
    return PoseArrays(xy, np.full(xy.shape[:2], 0.9), np.full(len(poses), 0.9))


def _ids_by_person(tracker: PoseTracker, frames: list[dict[str, np.ndarray]],
                   stamps: np.ndarray, rng: np.random.Generator | None = None
                   ) -> dict[str, list[int]]:
    """Run the tracker; return each person's id per frame where they are detected.

    Args:
        frames: Per frame, the detected people by name.
        rng: When given, the detection rows are shuffled in every frame but the first (whose
            order sets the order of the ids).
    """
    ids: dict[str, list[int]] = {}
    for k, (people, stamp) in enumerate(zip(frames, stamps)):
        names = list(people)
        if rng is not None and k > 0:
            names = [names[i] for i in rng.permutation(len(names))]
        tracked = tracker.update(_frame([people[name] for name in names]), float(stamp))
        for name, track_id in zip(names, tracked.ids.tolist()):
            ids.setdefault(name, []).append(track_id)
    return ids


def test_two_people_crossing_keep_their_ids_through_the_crossing_and_an_occlusion():
    # A walks right, B (a little smaller, nearer the back) walks left; they meet at x = 300
    # in frame 33.3. B is hidden behind A for frames 30..37.
    frames_count = 67
    stamps = np.arange(frames_count) / FPS
    a = [_person(100.0 + 6.0 * k, 300.0, 200.0) for k in range(frames_count)]
    b = [_person(500.0 - 6.0 * k, 295.0, 190.0) for k in range(frames_count)]
    frames = [{'a': a[k], 'b': b[k]} if not 30 <= k <= 37 else {'a': a[k]}
              for k in range(frames_count)]
    # Without motion prediction this is ambiguous: right after the crossing each person's
    # last pose is closer to the *other* person's new pose.
    visible = np.ones((1, 17), bool)
    last_a, new_a, new_b = a[33][None], a[34][None], b[34][None]
    assert (pose_similarity(last_a, visible, new_b, visible)
            > pose_similarity(last_a, visible, new_a, visible))
    ids = _ids_by_person(PoseTracker(), frames, stamps, np.random.default_rng(5))
    assert ids['a'] == [0, 0] + [1] * (frames_count - 2)
    assert ids['b'] == [0, 0] + [2] * (frames_count - 8 - 2)


def test_crossing_with_detections_in_every_frame():
    stamps = np.arange(60) / FPS
    frames = [{'a': _person(120.0 + 7.0 * k), 'b': _person(520.0 - 7.0 * k, 310.0)}
              for k in range(60)]
    ids = _ids_by_person(PoseTracker(), frames, stamps, np.random.default_rng(6))
    assert ids == {'a': [0, 0] + [1] * 58, 'b': [0, 0] + [2] * 58}


@pytest.mark.parametrize('max_age, expected_after', [(1.0, 1), (0.5, 2)])
def test_a_person_hidden_for_0_8_s_keeps_the_id_within_max_age(max_age, expected_after):
    # Walking right at 120 px/s (a body width in 0.5 s); unseen from 1.0 s to 1.8 s,
    # where they reappear 96 px further on.
    stamps = np.arange(76) / FPS
    seen = (stamps <= 1.0 + 1e-9) | (stamps >= 1.8 - 1e-9)
    frames = [{'p': _person(100.0 + 120.0 * t)} if s else {} for t, s in zip(stamps, seen)]
    tracker = PoseTracker(TrackerConfig(max_age=max_age))
    states, deaths = [], 0
    ids: list[int] = []
    for people, stamp in zip(frames, stamps):
        tracked = tracker.update(_frame(list(people.values())), float(stamp))
        ids += tracked.ids.tolist()
        deaths += tracked.deaths
        states.append([t.state for t in tracked.tracks])
    before = int(seen[:26].sum())
    assert ids[:before] == [0, 0] + [1] * (before - 2)
    hidden_states = states[26:45]
    if expected_after == 1:
        assert ids[before:] == [1] * (len(ids) - before)
        assert all(s == [TrackState.LOST] for s in hidden_states)
        assert deaths == 0
    else:
        # Deleted 0.5 s after the last sighting, then a new tentative track, then id 2.
        assert ids[before:] == [0, 0] + [2] * (len(ids) - before - 2)
        assert deaths == 1
    assert states[-1] == [TrackState.CONFIRMED]


@pytest.mark.parametrize('gap_s, expected_second_id', [(1.2, 2), (0.8, 1)])
def test_someone_entering_where_another_left_gets_a_new_id_only_after_max_age(
        gap_s, expected_second_id):
    tracker = PoseTracker(TrackerConfig(max_age=1.0))
    first = [tracker.update(_frame([_person(300.0, 300.0, 200.0)]), k / FPS).ids.tolist()
             for k in range(50)]
    last_seen = 49 / FPS
    assert first[-1] == [1]
    deaths_at = []
    stamp = last_seen
    while stamp < last_seen + gap_s - 1e-9:
        stamp += 1.0 / FPS
        tracked = tracker.update(_frame([]), stamp)
        if tracked.deaths:
            deaths_at.append(stamp)
    second = [tracker.update(_frame([_person(302.0, 300.0, 195.0)]), stamp + k / FPS)
              for k in range(1, 6)]
    ids = [r.ids.tolist() for r in second]
    if expected_second_id == 2:
        assert len(deaths_at) == 1
        assert deaths_at[0] - last_seen > 1.0 and deaths_at[0] - last_seen <= 1.0 + 1.0 / FPS
        assert ids == [[0], [0], [2], [2], [2]]
        assert second[2].births == 1
    else:
        assert deaths_at == []
        assert ids == [[1]] * 5


def test_jittered_keypoints_keep_stable_ids_and_smoothing_reduces_the_jitter():
    rng = np.random.default_rng(11)
    stamps = np.arange(300) / 30.0
    # Two people side by side, a body width apart, drifting slowly; 4 px keypoint jitter.
    truth = [[_person(200.0 + 10.0 * t), _person(264.0 + 10.0 * t, 305.0)] for t in stamps]
    noisy = [[pose + rng.normal(0.0, 4.0, pose.shape) for pose in poses] for poses in truth]
    tracker = PoseTracker()
    raw_error, smooth_error = [], []
    for k, (stamp, poses) in enumerate(zip(stamps, noisy)):
        tracked = tracker.update(_frame(poses), float(stamp))
        assert tracked.ids.tolist() == ([0, 0] if k < 2 else [1, 2]), k
        if stamp >= 1.0:  # after the filters settled
            raw_error.append(np.stack(poses) - np.stack(truth[k]))
            smooth_error.append(tracked.arrays.keypoints_xy - np.stack(truth[k]))
    raw_rms = float(np.sqrt(np.mean(np.square(raw_error))))
    smooth_rms = float(np.sqrt(np.mean(np.square(smooth_error))))
    assert raw_rms == pytest.approx(4.0, rel=0.05)
    assert smooth_rms < 0.5 * raw_rms
    # Frame-to-frame jitter (second differences) drops even more.
    raw_acc = np.abs(np.diff(np.array(raw_error), 2, axis=0)).mean()
    smooth_acc = np.abs(np.diff(np.array(smooth_error), 2, axis=0)).mean()
    assert smooth_acc < 0.3 * raw_acc


def test_dropped_frames_and_irregular_stamps_keep_one_id():
    rng = np.random.default_rng(12)
    nominal = np.arange(240) / 30.0
    kept = rng.uniform(size=240) > 0.4
    kept[120:132] = False  # a 0.4 s hole on top
    kept[:3] = True
    stamps = nominal[kept] + rng.uniform(-0.004, 0.004, kept.sum())
    stamps[:3] = nominal[:3]
    tracker = PoseTracker()
    results = [tracker.update(_frame([_person(100.0 + 150.0 * t, 300.0 + 20.0 * t)]), float(t))
               for t in stamps]
    assert [r.ids.tolist() for r in results] == [[0], [0]] + [[1]] * (len(stamps) - 2)
    assert sum(r.births for r in results) == 1
    assert sum(r.deaths for r in results) == 0
    assert all(r.reset_reason is None for r in results)


def test_a_stamp_going_backwards_resets_and_people_get_new_ids():
    tracker = PoseTracker()
    person = [_person(100.0 + 4.0 * k) for k in range(50)]
    first = [tracker.update(_frame([person[k]]), 100.0 + k / FPS) for k in range(50)]
    assert first[-1].ids.tolist() == [1]
    # The bag loops: stamps start over at 100.0 s.
    looped = [tracker.update(_frame([person[k]]), 100.0 + k / FPS) for k in range(5)]
    assert looped[0].reset_reason is not None
    assert 'went backwards' in looped[0].reset_reason
    assert looped[0].deaths == 1
    assert all(r.reset_reason is None for r in looped[1:])
    assert [r.ids.tolist() for r in looped] == [[0], [0], [2], [2], [2]]
    assert [r.active_tracks for r in looped] == [0, 0, 1, 1, 1]


def test_a_repeated_stamp_resets_too():
    tracker = PoseTracker(TrackerConfig(min_hits=1))
    tracker.update(_frame([_person(100.0), _person(400.0)]), 5.0)
    repeated = tracker.update(_frame([_person(101.0), _person(401.0)]), 5.0)
    assert repeated.reset_reason is not None and 'repeated' in repeated.reset_reason
    assert repeated.deaths == 2
    assert repeated.ids.tolist() == [3, 4]
    after = tracker.update(_frame([_person(102.0), _person(402.0)]), 5.04)
    assert after.ids.tolist() == [3, 4] and after.reset_reason is None


def test_empty_frames_between_detections_keep_a_published_id():
    tracker = PoseTracker()
    ids = []
    for k in range(60):
        people = [_person(150.0 + 3.0 * k)] if k < 10 or k % 2 == 0 else []
        ids += tracker.update(_frame(people), k / FPS).ids.tolist()
    assert ids == [0, 0] + [1] * (len(ids) - 2)


def test_ids_are_never_reused_over_many_entries_and_resets():
    tracker = PoseTracker(TrackerConfig(min_hits=1, max_age=0.2))
    seen: list[int] = []
    stamp = 0.0
    for visit in range(12):
        for _ in range(3):
            stamp += 0.1
            seen += tracker.update(_frame([_person(200.0)]), stamp).ids.tolist()
        stamp += 0.5  # gone longer than max_age
        tracker.update(_frame([]), stamp)
        if visit % 4 == 3:
            tracker.reset()
    per_visit = [seen[i] for i in range(0, len(seen), 3)]
    assert per_visit == list(range(1, 13))


def test_a_lost_track_wins_its_person_back_from_a_tentative_track_started_on_a_glitch():
    # Standing at x = 300; one detection lands 45 px off (too far to match: lost, and a
    # tentative track starts there); the next ones at 324, a little nearer the glitch.
    xs = [300.0] * 10 + [345.0] + [324.0] * 6
    visible = np.ones((1, 17), bool)
    track_side, glitch, back = _person(300.0)[None], _person(345.0)[None], _person(324.0)[None]
    assert pose_similarity(track_side, visible, glitch, visible)[0, 0] < 0.2
    assert 0.2 <= pose_similarity(track_side, visible, back, visible)[0, 0] < pose_similarity(
        glitch, visible, back, visible)[0, 0]
    tracker = PoseTracker(TrackerConfig(min_similarity=0.2))
    ids = [tracker.update(_frame([_person(x)]), k / FPS).ids.tolist()
           for k, x in enumerate(xs)]
    assert ids == [[0], [0]] + [[1]] * 8 + [[0]] + [[1]] * 6

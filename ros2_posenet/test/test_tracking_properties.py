"""PoseTracker invariants on random frames and clocks (hypothesis)."""

import numpy as np
import pytest

from ros2_posenet.posenet.pose import PoseArrays
from ros2_posenet.posenet.tracking import PoseTracker, TrackerConfig

hypothesis = pytest.importorskip('hypothesis')
given, settings, st = hypothesis.given, hypothesis.settings, hypothesis.strategies


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.floats(-0.05, 0.3)), min_size=1, max_size=40),
       st.integers(0, 2 ** 32 - 1))
def test_invariants_hold_on_random_frames_and_clocks(frames, seed):
    # Random people anywhere, random counts, stamps that may stall or go back: no crash, ids
    # unique per frame, new ids always larger than all before, counts consistent.
    rng = np.random.default_rng(seed)
    tracker = PoseTracker(TrackerConfig(min_hits=2, max_age=0.3))
    stamp, highest, births = 0.0, 0, 0
    for index, (count, step) in enumerate(frames):
        previous, stamp = stamp, stamp + step
        xy = rng.uniform(-50.0, 700.0, (count, 17, 2))
        scores = rng.uniform(0.0, 1.0, (count, 17))
        tracked = tracker.update(PoseArrays(xy, scores, scores.mean(axis=1)), stamp)
        published = tracked.ids[tracked.ids > 0]
        assert len(tracked.ids) == count
        assert len(set(published.tolist())) == len(published)
        fresh = published[published > highest]
        assert len(fresh) == tracked.births
        births += tracked.births
        highest = max([highest, *published.tolist()])
        assert tracked.active_tracks == len(tracked.tracks)
        assert [t.id for t in tracked.tracks] == sorted(t.id for t in tracked.tracks)
        assert (tracked.reset_reason is not None) == (index > 0 and stamp <= previous)
    assert births == highest

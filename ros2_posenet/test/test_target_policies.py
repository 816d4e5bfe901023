"""Scoring policies of the person follower on hand-built candidates (no ROS)."""

import math

import numpy as np
import pytest

from ros2_posenet.posenet import InputError
from ros2_posenet.posenet.following import (box_area, Candidates, centre_offset,
                                            distance_from_camera, POLICIES, POLICY_TABLE)

SIZE = (641, 481)  # image centre (320, 240)


def people(ids, boxes=None, positions=None, has_position=None, size=SIZE) -> Candidates:
    count = len(ids)
    boxes = [(300, 200, 340, 280)] * count if boxes is None else boxes
    positions = [(0.0, 0.0, 2.0)] * count if positions is None else positions
    has_position = [True] * count if has_position is None else has_position
    return Candidates(np.array(ids), np.array(boxes, float).reshape(-1, 4),
                      np.array(positions, float).reshape(-1, 3), np.array(has_position), size)


def best_id(policy: str, candidates: Candidates) -> int | None:
    chosen = POLICY_TABLE[policy]
    index = chosen.best_index(chosen.scores(candidates))
    return None if index is None else int(candidates.ids[index])


def test_policy_names():
    assert POLICIES == ('nearest', 'largest', 'centre', 'oldest')


def test_nearest_is_the_smallest_3d_distance_and_needs_a_position():
    candidates = people([1, 2, 3], positions=[(0, 0, 3.0), (1.5, 0, 2.0), (0.1, 0, 1.0)],
                        has_position=[True, True, False])
    distances = distance_from_camera(candidates)
    assert distances[:2] == pytest.approx([3.0, 2.5])
    assert math.isnan(distances[2])
    assert best_id('nearest', candidates) == 2  # 3 is nearer but has no position


def test_nearest_chooses_nobody_without_positions():
    candidates = people([1, 2], has_position=[False, False])
    assert best_id('nearest', candidates) is None


def test_largest_is_the_biggest_box():
    candidates = people([4, 5, 6], boxes=[(0, 0, 10, 10), (0, 0, 30, 20), (5, 5, 5, 90)])
    assert box_area(candidates).tolist() == [100.0, 600.0, 0.0]
    assert best_id('largest', candidates) == 5


def test_centre_is_the_box_centre_nearest_the_image_centre():
    candidates = people([1, 2, 3], boxes=[(0, 0, 40, 40), (300, 200, 340, 280),
                                          (310, 190, 350, 250)])
    offsets = centre_offset(candidates)
    half_diagonal = math.hypot(641, 481) / 2
    assert offsets[1] == pytest.approx(0.0)
    assert offsets[2] == pytest.approx(math.hypot(10, -20) / half_diagonal)
    assert offsets[0] == pytest.approx(math.hypot(300, 220) / half_diagonal)
    assert best_id('centre', candidates) == 2


def test_centre_needs_the_image_size():
    assert best_id('centre', people([1, 2], size=(0, 0))) is None


def test_oldest_is_the_smallest_track_id():
    assert best_id('oldest', people([9, 3, 12])) == 3


def test_untracked_people_never_win():
    candidates = people([0, 7], boxes=[(0, 0, 600, 400), (0, 0, 10, 10)],
                        positions=[(0, 0, 0.5), (0, 0, 9.0)])
    for policy in POLICIES:
        assert best_id(policy, candidates) == 7, policy
    assert best_id('oldest', people([0, 0])) is None


def test_margin_is_a_ratio_in_the_better_direction():
    nearest, largest = POLICY_TABLE['nearest'], POLICY_TABLE['largest']
    # 20 %: nearer than 5 m / 1.2 = 4.1667 m
    assert nearest.is_better(4.16, 5.0, 0.2)
    assert not nearest.is_better(4.17, 5.0, 0.2)
    assert largest.is_better(1200.0, 1000.0, 0.2)
    assert not largest.is_better(1199.0, 1000.0, 0.2)
    assert not largest.is_better(1000.0, 1000.0, 0.0)  # a tie is never better
    assert largest.is_better(1000.1, 1000.0, 0.0)


def test_margin_with_unscored_values_and_ordinal_ids():
    nearest, oldest = POLICY_TABLE['nearest'], POLICY_TABLE['oldest']
    assert nearest.is_better(9.0, math.nan, 0.2)  # a target without a position is beaten
    assert not nearest.is_better(math.nan, 9.0, 0.0)
    assert oldest.is_better(9.0, 10.0, 5.0)  # ids are ordinal: no margin
    assert not oldest.is_better(10.0, 9.0, 0.0)


def test_best_index_excludes_a_row_and_takes_the_first_tie():
    largest = POLICY_TABLE['largest']
    scores = np.array([5.0, 9.0, 9.0, np.nan])
    assert largest.best_index(scores) == 1
    assert largest.best_index(scores, exclude=1) == 2
    assert largest.best_index(np.array([np.nan])) is None


def test_candidates_validate_their_arrays():
    with pytest.raises(InputError, match='disagree'):
        Candidates(np.array([1, 2]), np.zeros((1, 4)), np.zeros((2, 3)), np.ones(2, bool))
    with pytest.raises(InputError, match='>= 0'):
        Candidates(np.array([-1]), np.zeros((1, 4)), np.zeros((1, 3)), np.ones(1, bool))
    with pytest.raises(InputError, match='not finite'):
        Candidates(np.array([1]), np.zeros((1, 4)), np.full((1, 3), np.nan), np.ones(1, bool))
    empty = Candidates.empty((640, 480))
    assert len(empty) == 0 and empty.index_of(1) is None
    for policy in POLICIES:
        assert POLICY_TABLE[policy].scores(empty).shape == (0,)
    assert people([4, 8]).index_of(8) == 1 and people([4, 8]).index_of(0) is None

"""Gated optimal assignment and the published-first matching cascade."""

import numpy as np

from ros2_posenet.posenet.tracking import associate
from ros2_posenet.posenet.tracking.association import associate_in_order


def _pairs(assignment) -> list[tuple[int, int]]:
    return sorted(zip(assignment.track_indices.tolist(), assignment.detection_indices.tolist()))


def test_optimal_assignment_beats_greedy():
    # Greedy would take (0, 0) = 0.9 first and leave 0.1 for track 1: total 1.0.
    # The optimum is (0, 1) + (1, 0) = 0.8 + 0.85 = 1.65.
    similarity = np.array([[0.9, 0.8],
                           [0.85, 0.1]])
    assignment = associate(similarity, 0.05)
    assert _pairs(assignment) == [(0, 1), (1, 0)]
    assert assignment.unmatched_tracks.tolist() == []
    assert assignment.unmatched_detections.tolist() == []


def test_pairs_below_the_gate_are_never_matched():
    similarity = np.array([[0.9, 0.8],
                           [0.85, 0.1]])
    assert _pairs(associate(similarity, 0.2)) == [(0, 1), (1, 0)]
    # Above 0.82 only (0, 0) and (1, 0) are allowed; they share detection 0.
    assignment = associate(similarity, 0.82)
    assert _pairs(assignment) == [(0, 0)]
    assert assignment.unmatched_tracks.tolist() == [1]
    assert assignment.unmatched_detections.tolist() == [1]


def test_a_strong_pair_is_not_traded_for_two_weak_ones():
    similarity = np.array([[0.9, 0.3],
                           [0.3, 0.0]])
    assert _pairs(associate(similarity, 0.25)) == [(0, 0)]


def test_rectangular_and_empty_matrices():
    similarity = np.array([[0.1, 0.7, 0.3]])
    assignment = associate(similarity, 0.2)
    assert _pairs(assignment) == [(0, 1)]
    assert assignment.unmatched_detections.tolist() == [0, 2]
    for shape in [(0, 3), (2, 0), (0, 0)]:
        empty = associate(np.zeros(shape), 0.2)
        assert _pairs(empty) == []
        assert empty.unmatched_tracks.tolist() == list(range(shape[0]))
        assert empty.unmatched_detections.tolist() == list(range(shape[1]))
    assert associate(np.zeros((2, 0)), 0.2).track_indices.dtype == np.int64


def test_cascade_lets_the_first_group_choose_first():
    # Track 0 is published (lost for a while, weaker fit), track 1 tentative (closer fit).
    similarity = np.array([[0.3],
                           [0.6]])
    cascade = associate_in_order(similarity, (np.array([0]), np.array([1])), 0.2)
    assert _pairs(cascade) == [(0, 0)]
    assert cascade.unmatched_tracks.tolist() == [1]
    assert cascade.unmatched_detections.tolist() == []
    # One round over both would give the detection to the tentative track.
    assert _pairs(associate(similarity, 0.2)) == [(1, 0)]


def test_cascade_passes_leftover_detections_to_the_next_group():
    similarity = np.array([[0.9, 0.4, 0.0],
                           [0.0, 0.8, 0.5],
                           [0.0, 0.0, 0.7]])
    cascade = associate_in_order(similarity, (np.array([0]), np.array([1, 2])), 0.2)
    assert _pairs(cascade) == [(0, 0), (1, 1), (2, 2)]
    none = associate_in_order(similarity, (np.array([], np.int64), np.array([2])), 0.2)
    assert _pairs(none) == [(2, 2)]
    assert none.unmatched_tracks.tolist() == [0, 1]
    assert none.unmatched_detections.tolist() == [0, 1]

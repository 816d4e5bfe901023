"""Root candidates: local maxima in the TF.js queue order."""

import numpy as np

from ros2_posenet.posenet.decode.heatmap_scores import (
    parts_reaching_threshold)
from ros2_posenet.posenet.decode.multi_pose import (
    build_part_with_score_queue, root_candidates_in_queue_order, score_is_maximum_in_local_window)


def test_local_maximum_allows_equal_neighbours_only():
    scores = np.zeros((3, 4, 1), np.float32)
    scores[1, 1, 0] = 0.8
    scores[1, 2, 0] = 0.8  # equal neighbour: both stay
    scores[0, 3, 0] = 0.6
    scores[0, 2, 0] = 0.7  # strictly greater neighbour of (0, 3) and also next to 0.8
    flat_indices, values = parts_reaching_threshold(scores, 0.5)
    maxima = score_is_maximum_in_local_window(flat_indices, values, scores.shape)
    cells = [divmod(int(i), 4) for i in flat_indices[maxima]]
    assert cells == [(1, 1), (1, 2)]


def test_local_maximum_matches_window_scan_on_random_ties():
    rng = np.random.default_rng(5)
    for _ in range(100):
        scores = rng.choice(np.array([0.1, 0.3, 0.5, 0.9], np.float32),
                            (*rng.integers(1, 8, 2), 3))
        flat_indices, values = parts_reaching_threshold(scores, 0.3)
        maxima = score_is_maximum_in_local_window(flat_indices, values, scores.shape)
        height, width, _ = scores.shape
        for index, is_maximum in zip(flat_indices, maxima):
            y, rest = divmod(int(index), width * 3)
            x, k = divmod(rest, 3)
            window = scores[max(y - 1, 0):y + 2, max(x - 1, 0):x + 2, k]
            assert is_maximum == (window <= scores[y, x, k]).all()


def test_queue_holds_local_maxima_in_score_order():
    scores = np.zeros((2, 3, 2), np.float32)
    scores[0, 0, 0] = 0.6
    scores[1, 2, 1] = 0.9
    scores[1, 1, 1] = 0.4  # below the larger neighbour
    flat_indices, values = parts_reaching_threshold(scores, 0.3)
    queue = build_part_with_score_queue(flat_indices, values, scores.shape)
    assert [(round(value, 3), index) for value, index in queue.drain()] == [
        (0.9, (1 * 3 + 2) * 2 + 1), (0.6, 0)]


def test_root_candidates_follow_the_queue_beyond_the_likely_count():
    rng = np.random.default_rng(17)
    for _ in range(50):
        scores = rng.choice(np.array([0.1, 0.3, 0.5, 0.9], np.float32), (6, 7, 17))
        flat_indices, values = parts_reaching_threshold(scores, 0.3)
        expected = list(build_part_with_score_queue(flat_indices, values, scores.shape).drain())
        for likely in (1, 5, 1000):
            assert list(root_candidates_in_queue_order(flat_indices, values, scores.shape,
                                                       likely)) == expected

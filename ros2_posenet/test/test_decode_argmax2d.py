"""Single-pose argmax2d: first cell wins ties, logits and scores agree."""

import numpy as np

from ros2_posenet.posenet.decode.heatmap_scores import sigmoid_scores
from ros2_posenet.posenet.decode.single_pose import argmax2d, argmax2d_from_logits


def test_argmax2d_first_cell_wins_ties():
    scores = np.zeros((3, 4, 2), np.float32)
    scores[1, 2, 0] = 0.9
    scores[2, 0, 0] = 0.9
    scores[2, 3, 1] = 0.4
    np.testing.assert_array_equal(argmax2d(scores), [[1, 2], [2, 3]])


def test_argmax2d_from_logits_ties_on_saturated_scores():
    logits = np.full((2, 3, 17), -5.0, np.float32)
    logits[0, 2, 0] = 20.0  # score 1.0 in float32 ...
    logits[1, 1, 0] = 30.0  # ... as is this larger logit: the first cell must win
    coords, scores = argmax2d_from_logits(logits)
    assert coords[0].tolist() == [0, 2]
    assert scores[0] == np.float32(1.0)
    np.testing.assert_array_equal(coords, argmax2d(sigmoid_scores(logits)))


def test_argmax2d_from_logits_matches_dense_on_random_ties():
    rng = np.random.default_rng(3)
    for _ in range(200):
        shape = (*rng.integers(1, 7, 2), 17)
        logits = rng.choice([-110.0, -104.0, -3.0, 0.0, 16.5, 17.0, 25.0], shape)
        logits = (logits + rng.normal(0, 1e-6, shape)).astype(np.float32)
        coords, scores = argmax2d_from_logits(logits)
        dense = sigmoid_scores(logits)
        np.testing.assert_array_equal(coords, argmax2d(dense))
        np.testing.assert_array_equal(scores, dense[coords[:, 0], coords[:, 1], range(17)])

"""Constant-velocity Kalman filter per keypoint: prediction, correction, unobserved parts."""

import numpy as np

from ros2_posenet.posenet.tracking.motion import (correct_motion, MEASUREMENT_STD_PX,
                                                  predict_motion, start_motion)


def _walk(velocity: np.ndarray, stamps: np.ndarray) -> np.ndarray:
    """Return keypoints [len(stamps), 17, 2] of a rigid body moving at ``velocity`` px/s."""
    base = np.stack([np.linspace(100.0, 180.0, 17), np.linspace(50.0, 250.0, 17)], axis=1)
    return base[None] + stamps[:, None, None] * velocity


def _track(xy: np.ndarray, stamps: np.ndarray, observed: np.ndarray | None = None):
    state = start_motion(xy[:1])
    for k in range(1, len(stamps)):
        state = predict_motion(state, float(stamps[k] - stamps[k - 1]))
        seen = np.ones((1, 17), bool) if observed is None else observed[k][None]
        state = correct_motion(state, xy[k:k + 1], seen)
    return state


def test_start_is_at_the_detection_at_rest_with_unknown_velocity():
    xy = np.random.default_rng(0).uniform(0, 500, (3, 17, 2))
    state = start_motion(xy)
    np.testing.assert_array_equal(state.position, xy)
    np.testing.assert_array_equal(state.velocity, 0.0)
    assert state.covariance.shape == (3, 17, 3)
    np.testing.assert_array_equal(state.covariance[..., 0], MEASUREMENT_STD_PX ** 2)
    assert len(state) == 3


def test_velocity_converges_and_prediction_bridges_a_gap():
    velocity = np.array([120.0, -40.0])
    stamps = np.arange(20) / 25.0
    state = _track(_walk(velocity, stamps), stamps)
    np.testing.assert_allclose(state.velocity, np.broadcast_to(velocity, (1, 17, 2)), atol=1.0)
    # 0.8 s without detections: the prediction lands where the body is.
    predicted = predict_motion(state, 0.8)
    truth = _walk(velocity, np.array([stamps[-1] + 0.8]))
    np.testing.assert_allclose(predicted.position, truth, atol=1.5)
    assert (predicted.covariance[..., 0] > state.covariance[..., 0]).all()


def test_irregular_intervals_are_handled_in_seconds():
    rng = np.random.default_rng(3)
    stamps = np.cumsum(rng.uniform(0.01, 0.25, 30))
    velocity = np.array([-75.0, 30.0])
    state = _track(_walk(velocity, stamps), stamps)
    np.testing.assert_allclose(state.velocity[0], np.broadcast_to(velocity, (17, 2)), atol=1.0)


def test_unobserved_keypoints_keep_predicting_and_are_not_pulled_by_their_detections():
    velocity = np.array([100.0, 0.0])
    stamps = np.arange(30) / 25.0
    xy = _walk(velocity, stamps)
    observed = np.ones((30, 17), bool)
    observed[15:, 9] = False       # left wrist hidden for the second half ...
    xy[15:, 9] = [900.0, 900.0]    # ... and the decoder puts it somewhere absurd
    state = _track(xy, stamps, observed)
    expected = _walk(velocity, stamps[-1:])[0, 9]
    np.testing.assert_allclose(state.position[0, 9], expected, atol=1.0)
    np.testing.assert_allclose(state.velocity[0, 9], velocity, atol=1.0)
    # Its uncertainty grew while the seen keypoints' did not.
    assert state.covariance[0, 9, 0] > 10 * state.covariance[0, 5, 0]


def test_a_correction_moves_the_estimate_towards_the_detection_by_the_gain():
    state = predict_motion(start_motion(np.zeros((1, 17, 2))), 0.04)
    gain = state.covariance[0, 0, 0] / (state.covariance[0, 0, 0] + MEASUREMENT_STD_PX ** 2)
    corrected = correct_motion(state, np.full((1, 17, 2), 10.0), np.ones((1, 17), bool))
    np.testing.assert_allclose(corrected.position, 10.0 * gain)
    assert 0.0 < gain < 1.0
    assert (corrected.covariance[..., 0] < state.covariance[..., 0]).all()


def test_select_and_concatenate_keep_rows_together():
    a = start_motion(np.zeros((2, 17, 2)))
    b = start_motion(np.ones((1, 17, 2)))
    both = a.concatenate(b)
    assert len(both) == 3
    np.testing.assert_array_equal(both.select(np.array([2])).position, b.position)

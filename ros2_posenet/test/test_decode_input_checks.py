"""The decoders' public entry points reject bad arrays and parameters with InputError."""

import numpy as np
import pytest

from ros2_posenet.posenet import (InputError, Keypoint, NUM_KEYPOINTS,
                                  Pose)
from ros2_posenet.posenet import decode as decoders
from ros2_posenet.posenet.decode.heatmap_scores import sigmoid_scores

from decode_helpers import (random_case, decode_multiple_poses, decode_multiple_poses_from_scores,
                            decode_single_pose, decode_single_pose_from_scores)
from tfjs_reference import TfjsReference


def _valid_inputs(height=4, width=5):
    return [np.zeros((height, width, 17), np.float32), np.zeros((height, width, 34), np.float32),
            np.zeros((height, width, 32), np.float32), np.zeros((height, width, 32), np.float32)]


@pytest.mark.parametrize('position, bad, message', [
    (0, np.zeros((1, 4, 5, 17), np.float32), 'batch axis'),
    (0, np.zeros((4, 5, 16), np.float32), '17 channels'),
    (1, np.zeros((4, 5, 17), np.float32), '34 channels'),
    (2, np.zeros((4, 6, 32), np.float32), 'grid'),
    (3, np.zeros((0, 5, 32), np.float32), 'empty'),
    (0, np.zeros((4, 5, 17), bool), 'real numbers'),
    (1, [[0.0] * 34] * 5, 'numpy array'),
])
def test_multi_pose_rejects_bad_arrays(position, bad, message):
    inputs = _valid_inputs()
    inputs[position] = bad
    with pytest.raises(InputError, match=message):
        decode_multiple_poses(*inputs, 16)


@pytest.mark.parametrize('position', [0, 1, 2, 3])
@pytest.mark.parametrize('value', [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_rejected(position, value):
    inputs = _valid_inputs()
    inputs[position][1, 2, 3] = value
    with pytest.raises(InputError, match='NaN or infinite'):
        decode_multiple_poses(*inputs, 16)
    if position < 2:
        with pytest.raises(InputError, match='NaN or infinite'):
            decode_single_pose(inputs[0], inputs[1], 16)


@pytest.mark.parametrize('kwargs, message', [
    ({'output_stride': 0}, 'output_stride'),
    ({'output_stride': 16.0}, 'output_stride'),
    ({'output_stride': True}, 'output_stride'),
    ({'max_detections': 0}, 'max_detections'),
    ({'max_detections': 2.5}, 'max_detections'),
    ({'score_threshold': 1.5}, 'score_threshold'),
    ({'score_threshold': -0.1}, 'score_threshold'),
    ({'score_threshold': float('nan')}, 'score_threshold'),
    ({'nms_radius': 0}, 'nms_radius'),
    ({'nms_radius': float('inf')}, 'nms_radius'),
])
def test_multi_pose_rejects_bad_parameters(kwargs, message):
    arguments = {'output_stride': 16, **kwargs}
    with pytest.raises(InputError, match=message):
        decode_multiple_poses(*_valid_inputs(), **arguments)


def test_single_pose_rejects_bad_inputs():
    heatmap, offsets, _, _ = _valid_inputs()
    with pytest.raises(InputError, match='grid'):
        decode_single_pose(heatmap, offsets[:3], 16)
    with pytest.raises(InputError, match='output_stride'):
        decode_single_pose(heatmap, offsets, -16)
    assert isinstance(decode_single_pose(heatmap.astype(np.float64), offsets, np.int64(16)),
                      Pose)
    assert len(decoders.decode_single_pose(heatmap, offsets, 16)) == 1


def test_score_entry_points_reject_scores_outside_unit_range():
    inputs = _valid_inputs()
    inputs[0][0, 0, 0] = 1.5
    with pytest.raises(InputError, match=r'\[0, 1\]'):
        decode_multiple_poses_from_scores(*inputs, 16)
    with pytest.raises(InputError, match=r'\[0, 1\]'):
        decode_single_pose_from_scores(inputs[0], inputs[1], 16)


def test_no_candidate_gives_no_pose_and_threshold_zero_takes_all():
    inputs = _valid_inputs()
    inputs[0][:] = -5.0
    assert decode_multiple_poses(*inputs, 16, score_threshold=0.5) == []
    poses = decode_multiple_poses(*inputs, 16, max_detections=20, score_threshold=0.0)
    expected = TfjsReference.decode_multiple(sigmoid_scores(inputs[0]), *inputs[1:], 16, 20, 0.0,
                                             20.0)
    assert len(poses) == len(expected) > 1
    assert [[(k.y, k.x) for k in pose.keypoints] for pose in poses] == [
        points for points, _, _ in expected]
    assert all(len(pose.keypoints) == NUM_KEYPOINTS for pose in poses)


def test_multi_pose_results_equal_validated_poses():
    rng = np.random.default_rng(23)
    for quantized in (True, False):
        logits, offsets, fwd, bwd, stride = random_case(rng, quantized)
        poses = decode_multiple_poses(logits, offsets, fwd, bwd, stride, 10, 0.1, 5.0)
        for pose in poses:
            rebuilt = Pose(pose.score, tuple(Keypoint(k.id, k.name, k.x, k.y, k.score)
                                             for k in pose.keypoints))
            assert type(pose) is Pose and pose == rebuilt

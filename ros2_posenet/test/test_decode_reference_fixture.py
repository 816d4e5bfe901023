"""Decoding a third-party PoseNet output fixture (513x513 input, 33x33 grid, stride 16).

``reference/decoder_fixture/*.bin`` hold raw float32 HWC outputs whose heatmaps are already
sigmoid scores (from another PoseNet port, which rounds its sigmoid differently from TF.js), so
they go through the ``*_from_scores`` entry points. Converting them to logits instead works in
float64 (``log(s) - log1p(-s)``) and must give the same poses up to that rounding.
"""

from pathlib import Path

import numpy as np
import pytest

from ros2_posenet.posenet import decode as decoders
from ros2_posenet.posenet import get_bounding_box


def decode_multiple_poses(*args):
    """Multi-pose decoding from logits, as ``Pose`` objects."""
    return decoders.decode_multiple_poses(*args).to_poses()


def decode_multiple_poses_from_scores(*args):
    """Multi-pose decoding from scores, as ``Pose`` objects."""
    return decoders.decode_multiple_poses_from_scores(*args).to_poses()


def decode_single_pose_from_scores(*args):
    """The single-pose decoder's one pose, from scores."""
    (pose,) = decoders.decode_single_pose_from_scores(*args).to_poses()
    return pose


INPUT_SIZE = 513
GRID = 33
STRIDE = 16


@pytest.fixture(scope='module')
def fixture_outputs(data_dir: Path) -> dict[str, np.ndarray]:
    """Return the fixture tensors by name, shaped [33, 33, channels]."""
    folder = data_dir / 'reference' / 'decoder_fixture'
    channels = {'heatmapScores': 17, 'offsets': 34, 'displacementsFwd': 32,
                'displacementsBwd': 32}
    return {name: np.fromfile(folder / f'{name}.bin', '<f4').reshape(GRID, GRID, count)
            for name, count in channels.items()}


def _arguments(outputs: dict[str, np.ndarray]) -> list[np.ndarray]:
    return [outputs[name] for name in
            ('heatmapScores', 'offsets', 'displacementsFwd', 'displacementsBwd')]


def test_multi_pose_finds_plausible_people(fixture_outputs):
    poses = decode_multiple_poses_from_scores(*_arguments(fixture_outputs), STRIDE, 5, 0.5, 20)
    assert len(poses) == 5
    assert all(pose.score > 0.6 for pose in poses)
    for pose in poses:
        box = get_bounding_box(pose.keypoints)
        assert 0 <= box.min_x <= box.max_x < INPUT_SIZE
        assert 0 <= box.min_y <= box.max_y < INPUT_SIZE
        assert box.max_y - box.min_y > 50  # a person, not a dot
        confident = [keypoint for keypoint in pose.keypoints if keypoint.score > 0.5]
        assert len(confident) >= 8
    noses = sorted(pose.keypoints[0].x for pose in poses)
    assert all(b - a > 20 for a, b in zip(noses, noses[1:]))  # five distinct people


def test_more_detections_keep_the_first_ones(fixture_outputs):
    few = decode_multiple_poses_from_scores(*_arguments(fixture_outputs), STRIDE, 5, 0.5, 20)
    many = decode_multiple_poses_from_scores(*_arguments(fixture_outputs), STRIDE, 10, 0.5, 20)
    assert many[:5] == few
    assert len(many) == 10


def test_logits_entry_agrees_with_scores_entry(fixture_outputs):
    scores, offsets, fwd, bwd = _arguments(fixture_outputs)
    as_double = scores.astype(np.float64)
    logits = (np.log(as_double) - np.log1p(-as_double)).astype(np.float32)
    for parameters in ((5, 0.5, 20), (10, 0.2, 10)):
        expected = decode_multiple_poses_from_scores(scores, offsets, fwd, bwd, STRIDE,
                                                     *parameters)
        poses = decode_multiple_poses(logits, offsets, fwd, bwd, STRIDE, *parameters)
        assert len(poses) == len(expected)
        for pose, reference in zip(poses, expected):
            assert pose.score == pytest.approx(reference.score, abs=1e-6)
            for keypoint, other in zip(pose.keypoints, reference.keypoints):
                assert (keypoint.x, keypoint.y) == pytest.approx((other.x, other.y), abs=1e-4)
                assert keypoint.score == pytest.approx(other.score, abs=1e-6)


def test_single_pose_is_plausible(fixture_outputs):
    scores, offsets, _, _ = _arguments(fixture_outputs)
    pose = decode_single_pose_from_scores(scores, offsets, STRIDE)
    assert pose.score > 0.9  # each part's best score anywhere in the picture
    for keypoint in pose.keypoints:
        assert 0 <= keypoint.x < INPUT_SIZE and 0 <= keypoint.y < INPUT_SIZE

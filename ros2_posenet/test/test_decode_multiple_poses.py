"""Multi-pose decoding against the literal TF.js transliteration on inputs full of ties."""

import numpy as np
import pytest

from ros2_posenet.posenet.decode.heatmap_scores import sigmoid_scores

from decode_helpers import random_case, decode_multiple_poses
from tfjs_reference import TfjsReference


@pytest.mark.parametrize('quantized', [True, False])
def test_multi_pose_matches_reference_transliteration(quantized):
    rng = np.random.default_rng(17 if quantized else 19)
    for _ in range(60):
        logits, offsets, fwd, bwd, stride = random_case(rng, quantized)
        max_detections = int(rng.integers(1, 8))
        threshold = float(rng.choice([0.0, 0.2, 0.5, 0.7]))
        radius = float(rng.choice([1.0, 10.0, 20.0, 64.0]))
        poses = decode_multiple_poses(logits, offsets, fwd, bwd, stride, max_detections,
                                      threshold, radius)
        expected = TfjsReference.decode_multiple(sigmoid_scores(logits), offsets, fwd, bwd, stride,
                                                 max_detections, threshold, radius)
        assert len(poses) == len(expected)
        for pose, (points, scores, pose_score) in zip(poses, expected):
            assert pose.score == pose_score
            assert [(k.y, k.x) for k in pose.keypoints] == points
            assert [k.score for k in pose.keypoints] == scores

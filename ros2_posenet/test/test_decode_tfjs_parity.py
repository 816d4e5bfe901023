"""Golden tests: our decoders against ``@tensorflow-models/posenet`` 2.2.2 on real model outputs.

Each case folder of ``reference/tfjs_goldens`` holds the four network outputs of one model on one
image and the poses TF.js decoded from them. Same poses, same order; positions within 1e-3 px,
scores within 1e-5 (the decoders reproduce TF.js bit for bit, the tolerances only absorb the
JSON round trip).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from ros2_posenet.posenet import (data_dir, decode_multiple_poses, decode_single_pose, PART_NAMES,
                                  PoseArrays)

GOLDENS = Path('reference') / 'tfjs_goldens'
POSITION_TOLERANCE_PX = 1e-3
SCORE_TOLERANCE = 1e-5

MULTI_POSE_GOLDENS = {
    # golden file: (max_detections, score_threshold, nms_radius)
    'tfjs_multi_default.json': (5, 0.5, 20),
    'tfjs_multi_coral.json': (10, 0.2, 10),
    'tfjs_single.json': (1, 0.5, 20),  # its "poses": multi-pose decoding with one detection
}


def _case_names() -> list[str]:
    """Return the golden case folder names (read at collection; none when data is missing)."""
    folder = data_dir() / GOLDENS
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture(params=_case_names() or ['<no golden cases found>'])
def golden_case(request, data_dir: Path) -> Path:
    """Return one golden case folder."""
    folder = data_dir / GOLDENS / request.param
    if not folder.is_dir():
        pytest.fail(f'golden cases missing under {data_dir / GOLDENS}')
    return folder


def _load_outputs(folder: Path) -> tuple[list[np.ndarray], int]:
    names = ('heatmap_logits', 'offsets', 'displacement_fwd', 'displacement_bwd')
    arrays = [np.load(folder / f'{name}.npy') for name in names]
    stride = json.loads((folder / 'meta.json').read_text())['output_stride']
    return arrays, stride


def _assert_same_pose(poses: PoseArrays, index: int, expected: dict, label: str) -> None:
    assert abs(poses.pose_scores[index] - expected['score']) <= SCORE_TOLERANCE, label
    assert len(expected['keypoints']) == len(PART_NAMES), label
    for part_id, reference in enumerate(expected['keypoints']):
        where = f'{label} {PART_NAMES[part_id]}'
        x, y = poses.keypoints_xy[index, part_id]
        assert PART_NAMES[part_id] == reference['tfjs_part'], where
        assert abs(x - reference['x']) <= POSITION_TOLERANCE_PX, where
        assert abs(y - reference['y']) <= POSITION_TOLERANCE_PX, where
        assert abs(poses.keypoint_scores[index, part_id] - reference['score']) <= (
            SCORE_TOLERANCE), where


def test_single_pose_matches_tfjs(golden_case: Path):
    (heatmap_logits, offsets, _, _), stride = _load_outputs(golden_case)
    expected = json.loads((golden_case / 'tfjs_single.json').read_text())['single_pose']
    poses = decode_single_pose(heatmap_logits, offsets, stride)
    assert len(poses) == 1
    _assert_same_pose(poses, 0, expected, golden_case.name)


@pytest.mark.parametrize('golden_file', sorted(MULTI_POSE_GOLDENS))
def test_multi_pose_matches_tfjs(golden_case: Path, golden_file: str):
    outputs, stride = _load_outputs(golden_case)
    golden = json.loads((golden_case / golden_file).read_text())
    max_detections, score_threshold, nms_radius = MULTI_POSE_GOLDENS[golden_file]
    params = golden['params']
    assert (params['maxDetections'], params['scoreThreshold'], params['nmsRadius']) == \
        (max_detections, score_threshold, nms_radius)
    poses = decode_multiple_poses(*outputs, stride, max_detections, score_threshold,
                                  nms_radius)
    assert len(poses) == len(golden['poses'])
    for number, expected in enumerate(golden['poses']):
        _assert_same_pose(poses, number, expected,
                          f'{golden_case.name} {golden_file} pose {number}')

"""Coral's reference poses for ``images/test_couple.jpg`` and the distance of ours to them.

Coral's decoder output per model (``reference/coral/*_reference.csv``, model-input pixels, made
with Coral's preprocessing: stretched, nearest-neighbour resize) is the accuracy reference of
the model loading and decoding; ``posenet_benchmark`` prints the comparison and
``test_coral_reference`` asserts it.
"""

from collections.abc import Sequence
import csv
from dataclasses import dataclass
import math
from pathlib import Path

import numpy as np

from ros2_posenet.posenet import (DecodeOptions, EngineConfig, KeypointId, NUM_KEYPOINTS,
                                  PoseEngine)

CORAL_REFERENCE = 'reference/coral/posenet_mobilenet_v1_075_{size}_quant_decoder_reference.csv'
CORAL_OPTIONS = DecodeOptions(detection_mode='multi', max_detections=10, score_threshold=0.2,
                              nms_radius=10.0, min_pose_score=0.2, keep_aspect_ratio=False)
"""Coral's decoder settings (10 poses, score threshold 0.2, NMS radius 10 px; tfjs goldens
``tfjs_multi_coral``), the drop of weak poses by its consumers mirrored by min_pose_score."""
CORAL_MIN_KEYPOINT_SCORE = 0.5
"""Only reference keypoints scoring at least this count towards the error."""


@dataclass(frozen=True)
class ReferencePose:
    """One pose of a Coral reference CSV, in model-input pixels.

    Attributes:
        score: Coral's pose score.
        points: [17, 2] float64 (x, y) per part id.
        scores: [17] float64 keypoint scores.
    """

    score: float
    points: np.ndarray
    scores: np.ndarray


@dataclass(frozen=True)
class ReferenceError:
    """How far decoded keypoints are from a Coral reference, in model-input pixels.

    Attributes:
        matched: Reference poses that found a decoded pose.
        references: Reference poses in the CSV.
        mean_px: Mean keypoint distance over confident reference keypoints of matched poses.
        max_px: Largest such distance.
        count: Number of keypoints averaged.
    """

    matched: int
    references: int
    mean_px: float
    max_px: float
    count: int


def read_coral_reference(path: Path) -> list[ReferencePose]:
    """Parse a Coral reference CSV (pose_id, pose_score, keypoint_label, keypoint_score, x, y).

    Args:
        path: The CSV file; labels are ``KeypointId`` names (``NOSE``, ``LEFT_EYE`` ...).

    Returns:
        The poses in ``pose_id`` order, coordinates in model-input pixels.
    """
    poses: dict[int, tuple[float, np.ndarray, np.ndarray]] = {}
    with open(path, newline='', encoding='utf-8') as stream:
        for row in csv.DictReader(stream):
            pose_id = int(row['pose_id'])
            if pose_id not in poses:
                poses[pose_id] = (float(row['pose_score']), np.full((NUM_KEYPOINTS, 2), np.nan),
                                  np.zeros(NUM_KEYPOINTS))
            part = KeypointId[row['keypoint_label']]
            poses[pose_id][1][part] = (float(row['keypoint_x']), float(row['keypoint_y']))
            poses[pose_id][2][part] = float(row['keypoint_score'])
    return [ReferencePose(*poses[pose_id]) for pose_id in sorted(poses)]


def compare_with_reference(points: Sequence[np.ndarray], references: Sequence[ReferencePose],
                           min_keypoint_score: float = CORAL_MIN_KEYPOINT_SCORE
                           ) -> ReferenceError:
    """Match decoded poses to reference poses by nearest centroid and measure keypoint error.

    Args:
        points: Decoded poses as [17, 2] (x, y) arrays in model-input pixels.
        references: Reference poses.
        min_keypoint_score: Reference keypoints scoring below this are ignored (in the centroid
            and in the error).

    Returns:
        The error statistics; unmatched references count in ``references`` only.
    """
    available = list(range(len(points)))
    distances: list[float] = []
    matched = 0
    for reference in references:
        confident = reference.scores >= min_keypoint_score
        if not confident.any() or not available:
            continue
        centroid = reference.points[confident].mean(axis=0)
        best = min(available, key=lambda i: float(np.linalg.norm(
            points[i][confident].mean(axis=0) - centroid)))
        available.remove(best)
        matched += 1
        distances.extend(np.linalg.norm(points[best][confident] - reference.points[confident],
                                        axis=1).tolist())
    if not distances:
        return ReferenceError(matched, len(references), math.inf, math.inf, 0)
    return ReferenceError(matched, len(references), float(np.mean(distances)),
                          float(np.max(distances)), len(distances))


def model_input_points(engine: PoseEngine, image_bgr: np.ndarray,
                       options: DecodeOptions = CORAL_OPTIONS) -> list[np.ndarray]:
    """Estimate with Coral's preprocessing and return poses as [17, 2] model-input pixels."""
    result = engine.estimate(image_bgr, 'bgr', options, interpolation='nearest')
    xy = result.arrays.keypoints_xy
    x, y = result.transform.to_model(xy[..., 0], xy[..., 1])
    return list(np.stack((x, y), axis=-1))


def coral_reference_error(model_path: Path, reference_csv: Path, image_bgr: np.ndarray,
                          num_threads: int = 2) -> ReferenceError:
    """Decode ``image_bgr`` with ``model_path`` and compare with a Coral reference CSV."""
    with PoseEngine(EngineConfig(str(model_path), num_threads=num_threads)) as engine:
        points = model_input_points(engine, image_bgr)
    return compare_with_reference(points, read_coral_reference(reference_csv))

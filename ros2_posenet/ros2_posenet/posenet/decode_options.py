"""Per-call options of ``PoseEngine.estimate``: decoding mode, thresholds and frame handling.

One frozen object carries everything the node passes per frame, validated once at construction
(ranges follow TensorFlow.js ``validateMultiPersonInputConfig``; the limits are the constants
below).
"""

from dataclasses import dataclass
import math
import numbers
from typing import Final

from .errors import InputError

DETECTION_MODES: Final[tuple[str, ...]] = ('single', 'multi')
"""``'single'``: one pose from the per-part heatmap maxima (tfjs ``decodeSinglePose``);
``'multi'``: up to ``max_detections`` people (tfjs ``decodeMultiplePoses``)."""

MAX_DETECTIONS_RANGE: Final[tuple[int, int]] = (1, 100)
"""Inclusive range of ``max_detections``."""

SCORE_RANGE: Final[tuple[float, float]] = (0.0, 1.0)
"""Inclusive range of every score threshold."""


@dataclass(frozen=True)
class DecodeOptions:
    """How model outputs become poses.

    Attributes:
        detection_mode: One of ``DETECTION_MODES``.
        max_detections: Most poses returned in ``'multi'`` mode, in ``MAX_DETECTIONS_RANGE``.
        score_threshold: ``'multi'`` mode: lowest heatmap score (sigmoid of the logit) of a
            part that may seed a new pose (tfjs ``scoreThreshold``), in [0, 1].
        nms_radius: ``'multi'`` mode: a keypoint closer than this to the same keypoint of an
            earlier pose does not seed a pose and does not count towards the pose score (tfjs
            ``nmsRadius``). In **model-input pixels**, as in TensorFlow.js, so its effect in
            the source image scales with the resize factor. Must be > 0.
        min_pose_score: Poses scoring below this are dropped after decoding, in both modes,
            in [0, 1].
        min_keypoint_score: Not applied by the engine (every pose keeps its 17 keypoints);
            consumers (drawing, markers, bounding boxes) skip keypoints scoring below it.
            In [0, 1].
        flip_horizontal: Return poses mirrored left-right (for mirrored webcam views), as
            TensorFlow.js ``flipHorizontal``: the image is *not* flipped before inference,
            each keypoint's ``x`` becomes ``image_width - 1 - x`` and part labels are
            unchanged (a person's left wrist stays ``leftWrist``).
        keep_aspect_ratio: Letterbox the image into the model input (centred, zero padding)
            instead of stretching it (Coral's way, the default).
    """

    detection_mode: str = 'multi'
    max_detections: int = 10
    score_threshold: float = 0.5
    nms_radius: float = 20.0
    min_pose_score: float = 0.25
    min_keypoint_score: float = 0.0
    flip_horizontal: bool = False
    keep_aspect_ratio: bool = False

    def __post_init__(self) -> None:
        """Reject values outside the documented sets and ranges.

        Raises:
            InputError: (a ``ValueError``) naming the field, the bad value and what is allowed.
        """
        if self.detection_mode not in DETECTION_MODES:
            raise InputError(
                f'detection_mode must be one of {DETECTION_MODES}, got {self.detection_mode!r}')
        low, high = MAX_DETECTIONS_RANGE
        if (not isinstance(self.max_detections, numbers.Integral)
                or isinstance(self.max_detections, bool)
                or not low <= self.max_detections <= high):
            raise InputError(
                f'max_detections must be an integer in [{low}, {high}], '
                f'got {self.max_detections!r}')
        for name in ('score_threshold', 'min_pose_score', 'min_keypoint_score'):
            _check_score(name, getattr(self, name))
        if (not _is_real(self.nms_radius) or not math.isfinite(self.nms_radius)
                or self.nms_radius <= 0):
            raise InputError(
                f'nms_radius must be a finite number > 0 (model-input pixels), '
                f'got {self.nms_radius!r}')
        for name in ('flip_horizontal', 'keep_aspect_ratio'):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise InputError(f'{name} must be True or False, got {value!r}')


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_score(name: str, value: object) -> None:
    low, high = SCORE_RANGE
    if not _is_real(value) or not low <= value <= high:  # NaN fails the comparison
        raise InputError(f'{name} must be a number in [{low}, {high}], got {value!r}')

"""Per-call options of ``PoseEngine.estimate``: decoding mode, thresholds and frame handling.

One frozen object carries everything the node passes per frame, validated once at construction.
The limits below are the one source of the allowed values: ``DecodeOptions``, the decoders'
public checks (``decode.decoder_inputs``) and the node's parameter ranges all read them. Within
them every value TensorFlow.js ``validateMultiPersonInputConfig`` accepts behaves as in TF.js.
"""

from dataclasses import dataclass
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

NMS_RADIUS_RANGE: Final[tuple[float, float]] = (0.5, 1000.0)
"""Inclusive range of ``nms_radius`` in model-input pixels (below half a pixel nothing is
suppressed; above 1000 px one person suppresses every other at any model size)."""


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
            the source image scales with the resize factor. In ``NMS_RADIUS_RANGE``.
        min_pose_score: Poses scoring below this are dropped after decoding, in both modes,
            in [0, 1].
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
        check_multi_pose_parameters(self.max_detections, self.score_threshold, self.nms_radius)
        check_score('min_pose_score', self.min_pose_score)
        for name in ('flip_horizontal', 'keep_aspect_ratio'):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise InputError(f'{name} must be True or False, got {value!r}')


def check_multi_pose_parameters(max_detections: object, score_threshold: object,
                                nms_radius: object) -> tuple[int, float, float]:
    """Check the multi-pose parameters against the limits above; return them typed.

    Args:
        max_detections: Most poses, an integer in ``MAX_DETECTIONS_RANGE``.
        score_threshold: Lowest root part score, a real number in ``SCORE_RANGE``.
        nms_radius: Suppression radius in model-input pixels, in ``NMS_RADIUS_RANGE``.

    Returns:
        ``(max_detections, score_threshold, nms_radius)`` as ``(int, float, float)``.

    Raises:
        InputError: (a ``ValueError``) naming the parameter, the bad value and the range.
    """
    low, high = MAX_DETECTIONS_RANGE
    if (not isinstance(max_detections, numbers.Integral) or isinstance(max_detections, bool)
            or not low <= int(max_detections) <= high):
        raise InputError(
            f'max_detections must be an integer in [{low}, {high}], got {max_detections!r}')
    low_radius, high_radius = NMS_RADIUS_RANGE
    radius = _as_real(nms_radius)
    if radius is None or not low_radius <= radius <= high_radius:  # NaN fails the comparison
        raise InputError(
            f'nms_radius must be a number in [{low_radius}, {high_radius}] (model-input '
            f'pixels), got {nms_radius!r}')
    return int(max_detections), check_score('score_threshold', score_threshold), radius


def check_score(name: str, value: object) -> float:
    """Return ``value`` as a float after checking it is a real number in ``SCORE_RANGE``.

    Raises:
        InputError: (a ``ValueError``) naming ``name``, the bad value and the range.
    """
    low, high = SCORE_RANGE
    number = _as_real(value)
    if number is None or not low <= number <= high:  # NaN fails the comparison
        raise InputError(f'{name} must be a number in [{low}, {high}], got {value!r}')
    return number


def _as_real(value: object) -> float | None:
    """Return a real number (not a bool) as a float, anything else as ``None``."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return None

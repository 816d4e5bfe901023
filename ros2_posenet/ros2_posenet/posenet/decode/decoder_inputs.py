"""Validation of the arrays and parameters given to the PoseNet decoders.

The decoders' public entry points check their inputs here first and raise ``InputError`` with a
message that names the bad argument, what was expected and how to fix it; ``PoseEngine`` calls
the unchecked cores instead, since the model runner already guarantees all of this. The
multi-pose parameter limits live with ``DecodeOptions`` (``check_multi_pose_parameters``).
Arrays come back as float32 C-contiguous views or copies, the layout the decoders read
tensor it decodes as float32).

Non-finite values: a NaN or infinite heatmap logit, offset or displacement is rejected with
``InputError``. Such values only come from a broken model or a wrong dequantization, and
TensorFlow.js would silently turn them into NaN positions or skipped candidates.
"""

from functools import lru_cache
import math
from numbers import Integral

import numpy as np

from ..errors import InputError
from ..keypoints import NUM_EDGES, NUM_KEYPOINTS

OFFSET_CHANNELS = 2 * NUM_KEYPOINTS
"""Channels of the short-range offsets: dy of parts 0..16, then dx of parts 0..16."""

DISPLACEMENT_CHANNELS = 2 * NUM_EDGES
"""Channels of each displacement tensor: dy of edges 0..15, then dx of edges 0..15."""


@lru_cache(maxsize=16)
def _zeros(size: int) -> np.ndarray:
    """Return a read-only float32 zero vector of ``size`` elements (cached per tensor size)."""
    zeros = np.zeros(size, np.float32)
    zeros.flags.writeable = False
    return zeros


def as_output_array(name: str, array: object, channels: int) -> np.ndarray:
    """Check one network output and return it as a float32 C-contiguous array.

    Args:
        name: Argument name used in error messages, e.g. ``'offsets'``.
        array: Array-like of shape [height, width, channels] (TF.js layout, no batch axis), any
            real dtype; converted to float32 like TensorFlow.js tensor buffers.
        channels: Required size of the last axis.

    Returns:
        The array as float32, C-contiguous, shape [height, width, channels].

    Raises:
        InputError: Wrong type, dtype, number of axes, channel count, empty grid or a
            non-finite value.
    """
    if not isinstance(array, np.ndarray):
        raise InputError(f'{name} must be a numpy array, got {type(array).__name__}')
    if array.dtype.kind not in 'fiu':
        raise InputError(f'{name} must hold real numbers (float32 from the model), '
                         f'got dtype {array.dtype}')
    if array.ndim != 3:
        hint = ' (drop the batch axis, e.g. array[0])' if array.ndim == 4 else ''
        raise InputError(f'{name} must have shape [height, width, {channels}]{hint}, '
                         f'got shape {array.shape}')
    if array.shape[2] != channels:
        raise InputError(f'{name} must have {channels} channels in its last axis, '
                         f'got shape {array.shape}')
    if array.shape[0] < 1 or array.shape[1] < 1:
        raise InputError(f'{name} has an empty grid: shape {array.shape}')
    converted = np.ascontiguousarray(array, dtype=np.float32)
    # x * 0 is 0 for finite x and NaN for NaN or +-inf, so the dot product with zeros is finite
    # exactly when every value is, without an array-sized temporary
    with np.errstate(invalid='ignore'):
        zero_if_finite = np.dot(converted.reshape(-1), _zeros(converted.size))
    if not math.isfinite(zero_if_finite):
        bad = int(np.count_nonzero(~np.isfinite(converted)))
        raise InputError(f'{name} holds {bad} NaN or infinite value(s) (out of '
                         f'{converted.size}); check the model output and its dequantization')
    return converted


def check_same_grid(first_name: str, first: np.ndarray,
                    second_name: str, second: np.ndarray) -> None:
    """Raise ``InputError`` unless both arrays have the same [height, width] grid.

    Args:
        first_name: Name of the first array in messages.
        first: Array of shape [height, width, channels].
        second_name: Name of the second array in messages.
        second: Array of shape [height, width, other channels].
    """
    if first.shape[:2] != second.shape[:2]:
        raise InputError(
            f'{first_name} and {second_name} must share one [height, width] grid, got '
            f'{first.shape[:2]} and {second.shape[:2]}; pass outputs of the same inference')


def check_scores_range(name: str, heatmap_scores: np.ndarray) -> None:
    """Raise ``InputError`` unless every heatmap score lies in [0, 1].

    Args:
        name: Argument name used in the message.
        heatmap_scores: Float32 array of keypoint scores (already sigmoid).
    """
    low = float(heatmap_scores.min())
    high = float(heatmap_scores.max())
    if low < 0.0 or high > 1.0:
        raise InputError(
            f'{name} must hold scores in [0, 1] (sigmoid of the heatmap logits), got values in '
            f'[{low}, {high}]; pass the logits to the decoder without "_from_scores" instead')


def check_output_stride(output_stride: object) -> int:
    """Return ``output_stride`` as an ``int`` after checking it is a positive integer.

    Args:
        output_stride: Input pixels per grid cell (8, 16 or 32 for PoseNet models).

    Raises:
        InputError: Not an integer, or not positive.
    """
    if isinstance(output_stride, bool) or not isinstance(output_stride, Integral):
        raise InputError(f'output_stride must be a positive integer (e.g. 16), '
                         f'got {output_stride!r}')
    if output_stride <= 0:
        raise InputError(f'output_stride must be a positive integer (e.g. 16), '
                         f'got {output_stride}')
    return int(output_stride)

"""Depth images in metres, from the REP 118 encodings.

``16UC1``: unsigned millimetres, 0 = no measurement. ``32FC1``: float metres, 0 and NaN = no
measurement (and +-inf, negative values, treated as invalid too). Anything else is refused: a
colour or disparity image read as depth would place people anywhere.
"""

from typing import Final

import numpy as np

from ..errors import InputError

DEPTH_ENCODINGS: Final[tuple[str, ...]] = ('16UC1', '32FC1')
"""Accepted encodings (``mono16`` is an alias some drivers use for 16UC1)."""

_ALIASES: Final = {'16uc1': '16UC1', 'mono16': '16UC1', '32fc1': '32FC1'}


def depth_to_metres(pixels: np.ndarray, encoding: str) -> np.ndarray:
    """Return float32 ``[H, W]`` metres with invalid measurements as NaN.

    Args:
        pixels: ``[H, W]`` uint16 (16UC1) or float32 (32FC1) array, native byte order.
        encoding: The image encoding.

    Raises:
        InputError: Another encoding, or an array that does not match it.
    """
    canonical = _ALIASES.get(str(encoding).lower())
    if canonical is None:
        shown = str(encoding)[:32]
        raise InputError(f'depth encoding {shown!r} is not supported; expected one of '
                         f'{DEPTH_ENCODINGS} (REP 118: 16UC1 millimetres, 32FC1 metres)')
    if pixels.ndim != 2:
        raise InputError(f'depth must be one channel [H, W], got shape {pixels.shape}')
    if canonical == '16UC1':
        if pixels.dtype != np.uint16:
            raise InputError(f'16UC1 depth must be uint16, got {pixels.dtype}')
        metres = pixels.astype(np.float32) * np.float32(0.001)
        metres[pixels == 0] = np.nan
        return metres
    if pixels.dtype != np.float32:
        raise InputError(f'32FC1 depth must be float32, got {pixels.dtype}')
    return np.where(np.isfinite(pixels) & (pixels > 0), pixels, np.nan).astype(np.float32)

"""Depth images (``sensor_msgs/Image``, REP 118) to metres, and pairing them with colour frames.

``depth_msg_to_metres`` reads ``16UC1`` (millimetres) and ``32FC1`` (metres) honouring ``step``
(row padding) and ``is_bigendian``; 0, NaN and negative values become NaN (no measurement). Any
other encoding is refused with ``ImageConversionError`` naming the accepted ones.

``DepthPairing`` keeps the last few depth images and gives each colour frame the one nearest in
stamp within ``slop`` seconds, without blocking either stream (no message_filters: the colour
path never waits for depth; a frame without a partner is processed in 2D).
"""

from collections import deque
import threading
from typing import Final

import numpy as np
from sensor_msgs.msg import Image

from ros2_posenet.image_messages import ImageConversionError, raw_rows
from ros2_posenet.posenet import InputError
from ros2_posenet.posenet.image import DEFAULT_MAX_INPUT_PIXELS
from ros2_posenet.posenet.spatial import DEPTH_ENCODINGS, depth_to_metres

_BYTES: Final = {'16uc1': (2, 'u2'), 'mono16': (2, 'u2'), '32fc1': (4, 'f4')}
KEPT_DEPTH_IMAGES: Final = 8
"""Depth images kept for pairing (a quarter second at 30 Hz)."""


def stamp_seconds(msg: Image) -> float:
    """Return the header stamp of a message in seconds."""
    return msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9


def depth_msg_to_metres(msg: Image, *, max_pixels: int = DEFAULT_MAX_INPUT_PIXELS
                        ) -> np.ndarray:
    """Return float32 ``[height, width]`` metres (NaN = no measurement) of a depth image.

    Raises:
        ImageConversionError: Another encoding, zero or over-budget size, short rows or data.
    """
    encoding = str(msg.encoding)
    layout = _BYTES.get(encoding.strip().lower())
    if layout is None:
        raise ImageConversionError(
            f'depth encoding {encoding[:32]!r} is not supported; expected one of '
            f'{", ".join(DEPTH_ENCODINGS)} (REP 118)')
    size, kind = layout
    rows = raw_rows(msg, size, max_pixels, 'depth image')
    dtype = np.dtype(('>' if msg.is_bigendian else '<') + kind)
    pixels = np.ascontiguousarray(rows).view(dtype).reshape(msg.height, msg.width)
    try:
        return depth_to_metres(pixels.astype(dtype.newbyteorder('=')), encoding)
    except InputError as error:
        raise ImageConversionError(str(error)) from None


class DepthPairing:
    """The depth image nearest in stamp to a colour frame, within ``slop`` seconds; thread-safe."""

    def __init__(self, capacity: int = KEPT_DEPTH_IMAGES) -> None:
        """Keep up to ``capacity`` depth images (the newest)."""
        self._lock = threading.Lock()
        self._kept: deque[tuple[float, Image]] = deque(maxlen=capacity)

    def add(self, msg: Image) -> None:
        """Keep a depth image (called from its subscription)."""
        with self._lock:
            self._kept.append((stamp_seconds(msg), msg))

    def partner(self, stamp_s: float, slop_s: float) -> Image | None:
        """Return the kept depth image nearest to ``stamp_s`` if within ``slop_s``, else None."""
        with self._lock:
            best = min(self._kept, key=lambda kept: abs(kept[0] - stamp_s), default=None)
        if best is None or abs(best[0] - stamp_s) > slop_s:
            return None
        return best[1]

    def clear(self) -> None:
        """Forget every kept image (on deactivate)."""
        with self._lock:
            self._kept.clear()

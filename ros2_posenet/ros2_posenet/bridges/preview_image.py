"""The frame as a small JPEG for the live page (sent only to clients that asked for it)."""

import cv2
import numpy as np

DEFAULT_MAX_SIZE = 640
"""Longest side in pixels of the page's image; the page scales it to the source size."""
DEFAULT_JPEG_QUALITY = 70


def preview_jpeg(image_bgr: np.ndarray, max_size: int = DEFAULT_MAX_SIZE,
                 quality: int = DEFAULT_JPEG_QUALITY) -> bytes:
    """Return ``image_bgr`` (``[H, W, 3]`` uint8, or ``[H, W]`` mono) as JPEG bytes.

    A frame larger than ``max_size`` on its longest side is scaled down first (area filter):
    the page draws it stretched to the source size under the skeletons, so only bandwidth is
    saved, no coordinate changes.

    Raises:
        ValueError: The image cannot be encoded.
    """
    height, width = image_bgr.shape[:2]
    scale = min(1.0, max_size / max(height, width, 1))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image_bgr = cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode('.jpg', image_bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f'cannot encode a {width}x{height} image as JPEG')
    return encoded.tobytes()

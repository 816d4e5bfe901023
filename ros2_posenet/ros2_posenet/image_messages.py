"""Conversion of ``sensor_msgs`` images to and from numpy arrays, without ``cv_bridge``.

The estimator takes an ``HxWx3`` ``uint8`` array plus its colour order (``'rgb'`` or
``'bgr'``). Raw images are wrapped with ``np.frombuffer`` on ``msg.data`` (no copy; rclpy
hands ``array.array('B')``, hand-built messages may hold ``bytes``) and converted only when the
encoding is not already three 8-bit channels:

* ``rgb8`` / ``bgr8`` (and the OpenCV alias ``8UC3``, read as BGR) are returned as views of
  the message buffer when rows are unpadded, otherwise as one contiguous copy.
* Every other encoding is converted in one OpenCV call into a new BGR array (the order the
  annotated image is drawn in; the engine swaps to RGB while writing the input tensor anyway):
  ``rgba8`` / ``bgra8`` / ``8UC4`` (alpha dropped), ``mono8`` / ``8UC1``,
  ``mono16`` (scaled to 8 bits by ``>> 8``, i.e. the high byte, honouring ``is_bigendian``),
  YUV 4:2:2 ``yuyv`` / ``yuv422_yuy2`` (byte order Y0 U Y1 V) and ``uyvy`` / ``yuv422`` (byte
  order U Y0 V Y1; ``sensor_msgs/image_encodings.hpp`` files ``yuv422`` under fourcc UYVY).

Returned arrays are C-contiguous. A returned view shares memory with the message (and is
read-only when ``msg.data`` is ``bytes``): copy it before drawing on it.

Both conversions take a pixel budget, ``max_pixels`` (the node parameter ``max_input_pixels``,
default ``DEFAULT_MAX_INPUT_PIXELS``, 8K UHD). A raw frame is refused on the size it claims
before its data is read; a compressed frame on the size its header claims (read without
decoding, ``posenet.image.read_image_header``) and on its length (at most
``encoded_byte_budget(max_pixels)`` bytes) before ``cv2.imdecode`` sees it. Those refusals
raise ``ImageMessageTooLargeError``; every other bad frame raises ``ImageConversionError``
(which ``ImageMessageTooLargeError`` also is, so one ``except`` counts both). Strings from the
message (``encoding``, ``format``) are echoed cut to ``MAX_ECHOED_CHARS`` characters.

``copy_header`` is the one header copy every outgoing message (poses, markers, images) uses.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Header

from ros2_posenet.posenet import ColorOrder, InputError
from ros2_posenet.posenet.image import (check_encoded_byte_budget, check_max_pixels,
                                        check_pixel_budget, DEFAULT_MAX_INPUT_PIXELS,
                                        ImageTooLargeError, read_image_header)

MAX_ECHOED_CHARS: Final = 64
"""Longest message string (encoding, format) quoted whole in an error message."""


class ImageConversionError(ValueError):
    """An image message that cannot be turned into an ``HxWx3`` ``uint8`` array."""


class ImageMessageTooLargeError(ImageConversionError, ImageTooLargeError):
    """An image message above the pixel budget (``max_pixels``), refused before decoding.

    Both an ``ImageConversionError`` (a bad frame to count) and the core's
    ``ImageTooLargeError``; the message names the size, the limit and ``max_input_pixels``.
    """


def _quoted(text: object) -> str:
    """Return ``repr(text)``, cut to ``MAX_ECHOED_CHARS`` characters when longer.

    Message strings come from whoever publishes: quoting them whole would let one frame put
    megabytes into every log line and diagnostic.
    """
    if not isinstance(text, str) or len(text) <= MAX_ECHOED_CHARS:
        return repr(text)
    return f'{text[:MAX_ECHOED_CHARS]!r}... ({len(text)} characters)'


def _check_frame_budget(width: int, height: int, max_pixels: int, what: str) -> None:
    try:
        check_pixel_budget(width, height, max_pixels, what)
    except ImageTooLargeError as error:
        raise ImageMessageTooLargeError(str(error)) from None


@dataclass(frozen=True)
class _RawLayout:
    """How one raw encoding is stored and turned into three 8-bit channels.

    Attributes:
        bytes_per_pixel: Bytes one pixel takes in a row (2 for YUV 4:2:2: 4 bytes per 2 pixels).
        channels: Last axis of the per-row view handed to ``convert`` (1 for byte-level access).
        convert: ``(pixels, is_bigendian) -> (HxWx3 uint8, colour order)``; ``pixels`` is an
            ``[H, W, channels]`` ``uint8`` view whose rows may be padded (strided).
        even_width: Pixels come in pairs (YUV 4:2:2 shares U and V between two pixels).
    """

    bytes_per_pixel: int
    channels: int
    convert: Callable[[np.ndarray, bool], tuple[np.ndarray, ColorOrder]]
    even_width: bool = False


def _passthrough(order: ColorOrder) -> Callable[[np.ndarray, bool], tuple[np.ndarray, ColorOrder]]:
    def convert(pixels: np.ndarray, is_bigendian: bool) -> tuple[np.ndarray, ColorOrder]:
        # A no-op when rows are unpadded; one copy otherwise.
        return np.ascontiguousarray(pixels), order
    return convert


def _cvt(code: int) -> Callable[[np.ndarray, bool], tuple[np.ndarray, ColorOrder]]:
    def convert(pixels: np.ndarray, is_bigendian: bool) -> tuple[np.ndarray, ColorOrder]:
        if pixels.shape[2] == 1:
            pixels = pixels[:, :, 0]
        # OpenCV reads row-padded views directly (Mat row step), so no copy is needed first.
        return cv2.cvtColor(pixels, code), 'bgr'
    return convert


def _mono16(pixels: np.ndarray, is_bigendian: bool) -> tuple[np.ndarray, ColorOrder]:
    # value >> 8 is the high byte: byte 0 of each pair when big-endian, byte 1 otherwise.
    # Gathering the strided bytes first and expanding with OpenCV beats one numpy broadcast.
    high_bytes = np.ascontiguousarray(pixels[:, :, 0 if is_bigendian else 1])
    return cv2.cvtColor(high_bytes, cv2.COLOR_GRAY2BGR), 'bgr'


_RGB8: Final = _RawLayout(3, 3, _passthrough('rgb'))
_BGR8: Final = _RawLayout(3, 3, _passthrough('bgr'))
_RGBA8: Final = _RawLayout(4, 4, _cvt(cv2.COLOR_RGBA2BGR))
_BGRA8: Final = _RawLayout(4, 4, _cvt(cv2.COLOR_BGRA2BGR))
_MONO8: Final = _RawLayout(1, 1, _cvt(cv2.COLOR_GRAY2BGR))
_MONO16: Final = _RawLayout(2, 2, _mono16)
_YUYV: Final = _RawLayout(2, 2, _cvt(cv2.COLOR_YUV2BGR_YUYV), even_width=True)
_UYVY: Final = _RawLayout(2, 2, _cvt(cv2.COLOR_YUV2BGR_UYVY), even_width=True)

_RAW_LAYOUTS: Final[dict[str, _RawLayout]] = {
    'rgb8': _RGB8,
    'bgr8': _BGR8,
    '8uc3': _BGR8,
    'rgba8': _RGBA8,
    'bgra8': _BGRA8,
    '8uc4': _BGRA8,
    'mono8': _MONO8,
    '8uc1': _MONO8,
    'mono16': _MONO16,
    'yuyv': _YUYV,
    'yuv422_yuy2': _YUYV,
    'uyvy': _UYVY,
    'yuv422': _UYVY,
}

SUPPORTED_ENCODINGS: Final[tuple[str, ...]] = tuple(
    name.upper() if name[0].isdigit() else name for name in _RAW_LAYOUTS)
"""Raw ``sensor_msgs/Image`` encodings accepted by ``image_msg_to_array`` (case-insensitive)."""


def _buffer_view(data: object) -> np.ndarray:
    """Return ``data`` (``array.array('B')``, ``bytes``, any buffer or int sequence) as uint8."""
    try:
        return np.frombuffer(data, dtype=np.uint8)  # type: ignore[call-overload]
    except TypeError:
        # A list of ints (not a buffer): the one case that needs a copy.
        return np.asarray(data, dtype=np.uint8).ravel()


def image_msg_to_array(msg: Image, *, max_pixels: int = DEFAULT_MAX_INPUT_PIXELS
                       ) -> tuple[np.ndarray, ColorOrder]:
    """Turn a raw ``sensor_msgs/Image`` into three 8-bit channels.

    Args:
        msg: Image in one of ``SUPPORTED_ENCODINGS``; ``step`` may exceed the packed row size
            (row padding), ``is_bigendian`` is honoured for ``mono16``.
        max_pixels: Most ``width * height`` accepted, checked before the data is touched.

    Returns:
        ``(image, color_order)``: ``image`` is a C-contiguous ``[height, width, 3]`` ``uint8``
        array (a view of ``msg.data`` for unpadded ``rgb8``/``bgr8``/``8UC3``, else a new
        array), ``color_order`` is ``'rgb'`` or ``'bgr'``.

    Raises:
        ImageMessageTooLargeError: ``width * height`` is above ``max_pixels``.
        ImageConversionError: Unknown encoding, zero size, ``step`` shorter than a row, data
            shorter than ``step * height``, or odd width for YUV 4:2:2.
        InputError: ``max_pixels`` is not an integer >= 1 (a configuration error).
    """
    check_max_pixels(max_pixels)
    layout = _RAW_LAYOUTS.get(msg.encoding.strip().lower())
    if layout is None:
        raise ImageConversionError(
            f'unsupported image encoding {_quoted(msg.encoding)}; expected one of '
            f'{", ".join(SUPPORTED_ENCODINGS)}')
    rows = raw_rows(msg, layout.bytes_per_pixel, max_pixels, 'raw image',
                    even_width=layout.even_width)
    pixels = rows.reshape(msg.height, rows.shape[1] // layout.channels, layout.channels)
    return layout.convert(pixels, bool(msg.is_bigendian))


def raw_rows(msg: Image, bytes_per_pixel: int, max_pixels: int, what: str, *,
             even_width: bool = False) -> np.ndarray:
    """Return the pixel bytes of a raw image as ``[height, width * bytes_per_pixel]`` uint8.

    The checks every raw image gets, colour or depth, in this order: a non-zero size within
    ``max_pixels`` (before the data is touched), an even width where pixels come in pairs,
    ``step`` at least one row, data at least ``step * height``. Row padding is left out of the
    view; nothing is copied.

    Raises:
        ImageMessageTooLargeError: ``width * height`` is above ``max_pixels``.
        ImageConversionError: Zero size, an odd width, a short ``step`` or truncated data.
    """
    height, width, step = msg.height, msg.width, msg.step
    if width == 0 or height == 0:
        raise ImageConversionError(
            f'{what} has zero size (width={width}, height={height}); '
            'expected width > 0 and height > 0')
    _check_frame_budget(width, height, max_pixels, what)
    if even_width and width % 2:
        raise ImageConversionError(
            f'width={width} is odd; encoding {_quoted(msg.encoding)} (YUV 4:2:2) stores '
            'pixels in pairs and needs an even width')
    row_bytes = width * bytes_per_pixel
    if step < row_bytes:
        raise ImageConversionError(
            f'step={step} is smaller than one row of {_quoted(msg.encoding)} pixels; expected '
            f'step >= width * {bytes_per_pixel} = {row_bytes}')
    data = _buffer_view(msg.data)
    if data.size < step * height:
        raise ImageConversionError(
            f'{what} data is truncated: {data.size} bytes; expected step * height = '
            f'{step} * {height} = {step * height}')
    return data[:step * height].reshape(height, step)[:, :row_bytes]


def compressed_msg_to_array(msg: CompressedImage, *, max_pixels: int = DEFAULT_MAX_INPUT_PIXELS
                            ) -> tuple[np.ndarray, ColorOrder]:
    """Decode a ``sensor_msgs/CompressedImage`` (JPEG, PNG or another format OpenCV reads).

    The codec is taken from the data itself; ``msg.format`` (``'jpeg'``, ``'png'``,
    ``'rgb8; jpeg compressed bgr8'``...) is only checked for the ``compressedDepth`` transport,
    which holds depth rather than a picture. ``image_transport``'s compressed publisher always
    encodes colour images as BGR, so the decoded array is BGR whatever the original encoding
    (PNG of 16-bit images is reduced to 8 bits by OpenCV, grey images are expanded to 3
    channels).

    Before decoding, the data length is checked against ``encoded_byte_budget(max_pixels)`` and
    the size in the header against ``max_pixels``; a format whose size cannot be read from its
    header (AVIF, PAM, PFM, anything unrecognised) is refused (see
    ``ros2_posenet.posenet.image.encoded_size``).

    Args:
        msg: Compressed image; ``msg.data`` holds the encoded file.
        max_pixels: Most ``width * height`` accepted, read from the header.

    Returns:
        ``(image, 'bgr')`` with ``image`` a new C-contiguous ``[H, W, 3]`` ``uint8`` array.

    Raises:
        ImageMessageTooLargeError: The header claims more than ``max_pixels`` pixels, or the
            data is longer than the byte budget.
        ImageConversionError: Empty, unrecognised, refused or undecodable data, a malformed or
            truncated header, or a ``compressedDepth`` image.
        InputError: ``max_pixels`` is not an integer >= 1 (a configuration error).
    """
    check_max_pixels(max_pixels)
    image_format = _quoted(msg.format)
    if 'compresseddepth' in msg.format.lower():
        raise ImageConversionError(
            f'format {image_format} is a compressed depth image; expected a colour or grey '
            'image (format "jpeg", "png" or "<encoding>; jpeg compressed bgr8")')
    data = _buffer_view(msg.data)
    if data.size == 0:
        raise ImageConversionError(
            f'compressed image data is empty (format {image_format}); expected encoded '
            'JPEG or PNG bytes')
    what = f'compressed image (format {image_format}, {data.size} bytes)'
    try:
        check_encoded_byte_budget(data.size, max_pixels, what)
        header = read_image_header(data)
        check_pixel_budget(header.width, header.height, max_pixels,
                           f'compressed {header.format} image')
    except ImageTooLargeError as error:
        raise ImageMessageTooLargeError(str(error)) from None
    except InputError as error:
        raise ImageConversionError(f'cannot decode {what}: {error}') from None
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error as error:
        image = None
        reason = f': {error}'
    else:
        reason = ''
    if image is None or image.size == 0:
        raise ImageConversionError(
            f'cannot decode {what}: the {header.format} data after its '
            f'{header.width}x{header.height} header is corrupt{reason}')
    return np.ascontiguousarray(image), 'bgr'


def array_to_image_msg(image_bgr: np.ndarray, header: Header) -> Image:
    """Wrap a BGR array in a ``bgr8`` ``sensor_msgs/Image`` (one copy of the pixels).

    Args:
        image_bgr: ``[H, W, 3]`` ``uint8`` array, channels in BGR order (any strides).
        header: Copied into the message (stamp and frame_id), not shared.

    Returns:
        Image with ``encoding='bgr8'``, ``is_bigendian=0`` and ``step = 3 * width``.

    Raises:
        ImageConversionError: ``image_bgr`` is not a non-empty ``[H, W, 3]`` ``uint8`` array.
    """
    if (not isinstance(image_bgr, np.ndarray) or image_bgr.ndim != 3
            or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8 or image_bgr.size == 0):
        shape = getattr(image_bgr, 'shape', None)
        dtype = getattr(image_bgr, 'dtype', type(image_bgr).__name__)
        raise ImageConversionError(
            f'image has shape {shape} and dtype {dtype}; expected a non-empty [H, W, 3] '
            'uint8 array')
    height, width = int(image_bgr.shape[0]), int(image_bgr.shape[1])
    msg = Image()
    msg.header = copy_header(header)
    msg.height = height
    msg.width = width
    msg.encoding = 'bgr8'
    msg.is_bigendian = 0
    msg.step = width * 3
    # Appending to the message's own array.array is the only copy (the setter would add one).
    msg.data.frombytes(np.ascontiguousarray(image_bgr))
    return msg


def copy_header(header: Header) -> Header:
    """Return a new ``Header`` with the stamp and frame_id of ``header`` (nothing shared)."""
    copy = Header()
    copy.stamp.sec = header.stamp.sec
    copy.stamp.nanosec = header.stamp.nanosec
    copy.frame_id = header.frame_id
    return copy

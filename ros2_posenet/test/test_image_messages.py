"""Image messages to arrays and back: every encoding against a reference image, bad input."""

from types import SimpleNamespace

import numpy as np
import pytest

cv2 = pytest.importorskip('cv2')
pytest.importorskip('sensor_msgs')
from sensor_msgs.msg import CompressedImage, Image  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

from ros2_posenet.image_messages import (  # noqa: E402
    array_to_image_msg, compressed_msg_to_array, image_msg_to_array, ImageConversionError,
    SUPPORTED_ENCODINGS)

HEIGHT, WIDTH = 24, 32
PAD_BYTE = 0xAB


def reference_bgr(height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """Smooth colour ramps (so that chroma subsampling and JPEG stay close), BGR uint8."""
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    blue = 30 + 190 * cols / (width - 1)
    green = 40 + 170 * rows / (height - 1)
    red = 220 - 160 * (rows + cols) / (height + width - 2)
    return np.stack([blue, green, red], axis=2).round().astype(np.uint8)


def reference_gray() -> np.ndarray:
    """Grey version of the reference image, uint8 [H, W]."""
    return cv2.cvtColor(reference_bgr(), cv2.COLOR_BGR2GRAY)


def packed_rows(encoding: str, big_endian: bool = False) -> np.ndarray:
    """Return the reference image stored in ``encoding`` as ``[H, row bytes]`` uint8."""
    bgr = reference_bgr()
    if encoding == 'rgb8':
        pixels = bgr[:, :, ::-1]
    elif encoding in ('bgr8', '8UC3'):
        pixels = bgr
    elif encoding in ('rgba8', 'bgra8', '8UC4'):
        code = cv2.COLOR_BGR2RGBA if encoding == 'rgba8' else cv2.COLOR_BGR2BGRA
        pixels = cv2.cvtColor(bgr, code)
        # Alpha must be dropped, whatever it holds.
        pixels[:, :, 3] = np.arange(pixels[:, :, 3].size).reshape(HEIGHT, WIDTH) % 256
    elif encoding in ('mono8', '8UC1'):
        pixels = reference_gray()
    elif encoding == 'mono16':
        # High byte = the 8-bit reference; the low byte is noise that >> 8 must drop.
        value = reference_gray().astype(np.uint16) << 8 | 0x5A
        pixels = value.astype('>u2' if big_endian else '<u2').view(np.uint8)
    elif encoding in ('yuyv', 'yuv422_yuy2'):
        pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_YUYV)
    elif encoding in ('uyvy', 'yuv422'):
        pixels = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_UYVY)
    else:
        raise AssertionError(encoding)
    return np.ascontiguousarray(pixels).reshape(HEIGHT, -1)


def make_image_msg(rows: np.ndarray, encoding: str, padding: int = 0,
                   big_endian: bool = False) -> Image:
    """Build an Image from ``[H, row bytes]`` rows, each padded with ``padding`` bytes."""
    height, row_bytes = rows.shape
    padded = np.full((height, row_bytes + padding), PAD_BYTE, dtype=np.uint8)
    padded[:, :row_bytes] = rows
    msg = Image()
    msg.header.frame_id = 'camera_optical_frame'
    msg.height = height
    msg.width = WIDTH
    msg.encoding = encoding
    msg.is_bigendian = int(big_endian)
    msg.step = row_bytes + padding
    msg.data.frombytes(padded)
    return msg


def as_bgr(image: np.ndarray, color_order: str) -> np.ndarray:
    """Return ``image`` in BGR order given its colour order."""
    assert color_order in ('rgb', 'bgr')
    return image[:, :, ::-1] if color_order == 'rgb' else image


def check_result(image: np.ndarray, color_order: str, expected_bgr: np.ndarray,
                 tolerance: int) -> None:
    """Assert shape, dtype, contiguity and closeness to ``expected_bgr``."""
    assert image.dtype == np.uint8
    assert image.shape == (HEIGHT, WIDTH, 3)
    assert image.flags.c_contiguous
    error = np.abs(as_bgr(image, color_order).astype(np.int16) - expected_bgr.astype(np.int16))
    assert error.max() <= tolerance, f'max error {error.max()}'


# encoding -> (expected BGR image, tolerance). YUV 4:2:2 halves the chroma resolution and
# rounds through limited-range BT.601; the reference ramps keep that within a few levels.
EXPECTED = {
    'rgb8': (reference_bgr, 0),
    'bgr8': (reference_bgr, 0),
    '8UC3': (reference_bgr, 0),
    'rgba8': (reference_bgr, 0),
    'bgra8': (reference_bgr, 0),
    '8UC4': (reference_bgr, 0),
    'mono8': (lambda: np.repeat(reference_gray()[:, :, None], 3, axis=2), 0),
    '8UC1': (lambda: np.repeat(reference_gray()[:, :, None], 3, axis=2), 0),
    'yuyv': (reference_bgr, 6),
    'yuv422_yuy2': (reference_bgr, 6),
    'uyvy': (reference_bgr, 6),
    'yuv422': (reference_bgr, 6),
}


def test_supported_encodings_are_all_tested():
    """Supported encodings are all tested."""
    assert set(SUPPORTED_ENCODINGS) == set(EXPECTED) | {'mono16'}


@pytest.mark.parametrize('padding', [0, 5, 64])
@pytest.mark.parametrize('encoding', sorted(EXPECTED))
def test_raw_encoding_matches_reference(encoding, padding):
    """Every raw encoding, padded or not, matches the reference image."""
    expected, tolerance = EXPECTED[encoding]
    msg = make_image_msg(packed_rows(encoding), encoding, padding)
    image, color_order = image_msg_to_array(msg)
    check_result(image, color_order, expected(), tolerance)


@pytest.mark.parametrize('padding', [0, 3])
@pytest.mark.parametrize('big_endian', [False, True])
def test_mono16_takes_high_byte_in_either_byte_order(big_endian, padding):
    """The mono16 conversion keeps the high byte (>> 8) in either byte order."""
    msg = make_image_msg(packed_rows('mono16', big_endian), 'mono16', padding, big_endian)
    image, color_order = image_msg_to_array(msg)
    check_result(image, color_order, np.repeat(reference_gray()[:, :, None], 3, axis=2), 0)


def test_mono16_byte_order_matters():
    """The mono16 conversion reads is_bigendian."""
    # Little-endian bytes read as big-endian give the low byte (0x5A) everywhere.
    msg = make_image_msg(packed_rows('mono16', big_endian=False), 'mono16', big_endian=True)
    image, _ = image_msg_to_array(msg)
    assert np.all(image == 0x5A)


def test_rgb8_and_bgr8_report_their_channel_order():
    """The rgb8 and bgr8 pass-through keeps and reports the channel order."""
    bgr = reference_bgr()
    image, color_order = image_msg_to_array(make_image_msg(packed_rows('rgb8'), 'rgb8'))
    assert color_order == 'rgb'
    np.testing.assert_array_equal(image, bgr[:, :, ::-1])
    image, color_order = image_msg_to_array(make_image_msg(packed_rows('bgr8'), 'bgr8'))
    assert color_order == 'bgr'
    np.testing.assert_array_equal(image, bgr)


def test_yuv422_is_uyvy_byte_order():
    """YUV422 is UYVY byte order."""
    # One red pixel pair in limited-range BT.601: Y=81, U=90, V=240 stored as U Y0 V Y1.
    msg = Image(height=1, width=2, encoding='yuv422', step=4)
    msg.data.frombytes(bytes([90, 81, 240, 81]))
    image, color_order = image_msg_to_array(msg)
    red, green, blue = as_bgr(image, color_order)[0, 0, ::-1].astype(int)
    assert red > 240 and green < 15 and blue < 15
    # The same bytes read as YUYV (Y0 U Y1 V) are a different colour.
    msg.encoding = 'yuyv'
    other, other_order = image_msg_to_array(msg)
    assert np.abs(as_bgr(other, other_order).astype(int) - as_bgr(image, color_order)).max() > 50


def test_unpadded_bgr8_is_a_view_of_the_message_data():
    """Unpadded bgr8 is a view of the message data."""
    msg = make_image_msg(packed_rows('bgr8'), 'bgr8')
    image, _ = image_msg_to_array(msg)
    assert np.shares_memory(image, np.frombuffer(msg.data, dtype=np.uint8))
    assert image.flags.c_contiguous


def test_padded_bgr8_is_a_contiguous_copy():
    """Padded bgr8 is a contiguous copy."""
    msg = make_image_msg(packed_rows('bgr8'), 'bgr8', padding=4)
    image, _ = image_msg_to_array(msg)
    assert image.flags.c_contiguous
    np.testing.assert_array_equal(image, reference_bgr())


@pytest.mark.parametrize('data_type', ['bytes', 'list', 'bytearray'])
def test_message_data_as_bytes_or_list(data_type):
    """The data field may be bytes, bytearray or a list as well as array.array."""
    rows = packed_rows('rgb8')
    raw = rows.tobytes()
    data = {'bytes': raw, 'list': list(raw), 'bytearray': bytearray(raw)}[data_type]
    msg = SimpleNamespace(height=HEIGHT, width=WIDTH, encoding='rgb8', is_bigendian=0,
                          step=rows.shape[1], data=data)
    image, color_order = image_msg_to_array(msg)
    check_result(image, color_order, reference_bgr(), 0)


def test_trailing_bytes_after_the_last_row_are_ignored():
    """Trailing bytes after the last row are ignored."""
    msg = make_image_msg(packed_rows('bgr8'), 'bgr8')
    msg.data.frombytes(b'\x00' * 10)
    image, _ = image_msg_to_array(msg)
    np.testing.assert_array_equal(image, reference_bgr())


def test_encoding_is_case_insensitive():
    """Encoding is case insensitive."""
    msg = make_image_msg(packed_rows('bgr8'), 'BGR8')
    image, color_order = image_msg_to_array(msg)
    assert color_order == 'bgr'
    np.testing.assert_array_equal(image, reference_bgr())


def test_unknown_encoding_lists_the_supported_ones():
    """Unknown encoding lists the supported ones."""
    msg = make_image_msg(packed_rows('bgr8'), 'bayer_rggb8')
    with pytest.raises(ImageConversionError, match="'bayer_rggb8'") as info:
        image_msg_to_array(msg)
    assert isinstance(info.value, ValueError)
    for encoding in SUPPORTED_ENCODINGS:
        assert encoding in str(info.value)


@pytest.mark.parametrize('field', ['width', 'height'])
def test_zero_size_is_rejected(field):
    """Zero size is rejected."""
    msg = make_image_msg(packed_rows('bgr8'), 'bgr8')
    setattr(msg, field, 0)
    with pytest.raises(ImageConversionError, match=f'{field}=0'):
        image_msg_to_array(msg)


def test_step_shorter_than_a_row_is_rejected():
    """Step shorter than a row is rejected."""
    msg = make_image_msg(packed_rows('rgba8'), 'rgba8')
    msg.step = WIDTH * 4 - 1
    with pytest.raises(ImageConversionError, match=rf'step={WIDTH * 4 - 1}.*>= width \* 4'):
        image_msg_to_array(msg)


def test_truncated_data_is_rejected():
    """Truncated data is rejected."""
    msg = make_image_msg(packed_rows('bgr8'), 'bgr8', padding=2)
    full = msg.step * msg.height
    msg.data = msg.data[:full - 1]
    with pytest.raises(ImageConversionError,
                       match=rf'truncated: {full - 1} bytes; expected .* = {full}'):
        image_msg_to_array(msg)


@pytest.mark.parametrize('encoding', ['yuyv', 'uyvy', 'yuv422', 'yuv422_yuy2'])
def test_odd_width_yuv422_is_rejected(encoding):
    """Odd width YUV422 is rejected."""
    msg = Image(height=2, width=3, encoding=encoding, step=8)
    msg.data.frombytes(bytes(16))
    with pytest.raises(ImageConversionError, match='width=3 is odd'):
        image_msg_to_array(msg)


def make_compressed_msg(data: bytes, image_format: str) -> CompressedImage:
    """Build a CompressedImage holding ``data``."""
    msg = CompressedImage()
    msg.format = image_format
    msg.data.frombytes(data)
    return msg


@pytest.mark.parametrize('image_format', ['jpeg', 'bgr8; jpeg compressed bgr8',
                                          'rgb8; jpeg compressed bgr8'])
def test_jpeg_decodes_to_bgr(image_format):
    """JPEG decodes to BGR whatever encoding the format string names."""
    ok, encoded = cv2.imencode('.jpg', reference_bgr(), [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    image, color_order = compressed_msg_to_array(make_compressed_msg(encoded, image_format))
    assert color_order == 'bgr'
    check_result(image, color_order, reference_bgr(), 12)


@pytest.mark.parametrize('image_format', ['png', 'bgr8; png compressed bgr8'])
def test_png_decodes_exactly(image_format):
    """PNG decodes exactly."""
    ok, encoded = cv2.imencode('.png', reference_bgr())
    assert ok
    image, color_order = compressed_msg_to_array(make_compressed_msg(encoded, image_format))
    check_result(image, color_order, reference_bgr(), 0)


def test_grey_and_16_bit_png_become_three_8_bit_channels():
    """Grey and 16-bit PNGs become three 8-bit channels."""
    gray = reference_gray()
    ok, encoded = cv2.imencode('.png', gray)
    assert ok
    image, color_order = compressed_msg_to_array(make_compressed_msg(encoded, 'mono8; png'))
    check_result(image, color_order, np.repeat(gray[:, :, None], 3, axis=2), 0)
    ok, encoded = cv2.imencode('.png', gray.astype(np.uint16) << 8)
    assert ok
    image, color_order = compressed_msg_to_array(make_compressed_msg(encoded, 'mono16; png'))
    check_result(image, color_order, np.repeat(gray[:, :, None], 3, axis=2), 0)


def test_empty_compressed_data_is_rejected():
    """Empty compressed data is rejected."""
    with pytest.raises(ImageConversionError, match='empty'):
        compressed_msg_to_array(make_compressed_msg(b'', 'jpeg'))


@pytest.mark.parametrize('data', [b'\xff\xd8\xff\xe0 not really a jpeg' * 4,
                                  bytes(range(256)), b'\x89PNG\r\n\x1a\n'])
def test_corrupt_compressed_data_is_rejected(data):
    """Corrupt compressed data is rejected."""
    with pytest.raises(ImageConversionError, match='cannot decode'):
        compressed_msg_to_array(make_compressed_msg(data, 'jpeg'))


def test_compressed_depth_is_rejected():
    """Compressed depth is rejected."""
    ok, encoded = cv2.imencode('.png', reference_gray().astype(np.uint16))
    msg = make_compressed_msg(encoded, '16UC1; compressedDepth png')
    with pytest.raises(ImageConversionError, match='compressed depth'):
        compressed_msg_to_array(msg)


def test_array_to_image_msg_round_trip_and_header_copy():
    """Array to image msg round trip and header copy."""
    header = Header(frame_id='camera_optical_frame')
    header.stamp.sec = 1700000123
    header.stamp.nanosec = 456789012
    bgr = reference_bgr()
    msg = array_to_image_msg(bgr, header)
    assert (msg.height, msg.width, msg.encoding, msg.is_bigendian, msg.step) == (
        HEIGHT, WIDTH, 'bgr8', 0, WIDTH * 3)
    assert len(msg.data) == HEIGHT * WIDTH * 3
    assert msg.header == header
    assert msg.header is not header
    image, color_order = image_msg_to_array(msg)
    assert color_order == 'bgr'
    np.testing.assert_array_equal(image, bgr)


def test_array_to_image_msg_accepts_strided_arrays():
    """Array to image msg accepts strided arrays."""
    wide = reference_bgr(HEIGHT, WIDTH * 2)
    view = wide[:, ::2]
    msg = array_to_image_msg(view, Header())
    image, _ = image_msg_to_array(msg)
    np.testing.assert_array_equal(image, view)


@pytest.mark.parametrize('bad', [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                 np.zeros((4, 4, 3), np.float32), np.zeros((0, 4, 3), np.uint8),
                                 [[1, 2, 3]]])
def test_array_to_image_msg_rejects_bad_arrays(bad):
    """Array to image msg rejects bad arrays."""
    with pytest.raises(ImageConversionError, match=r'expected a non-empty \[H, W, 3\] uint8'):
        array_to_image_msg(bad, Header())

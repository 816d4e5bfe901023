"""Depth images to metres (REP 118 encodings, padding, byte order) and colour/depth pairing."""

import numpy as np
import pytest

pytest.importorskip('sensor_msgs')
from sensor_msgs.msg import Image  # noqa: E402

from ros2_posenet.depth_messages import (depth_msg_to_metres, DepthPairing,  # noqa: E402
                                         stamp_seconds)
from ros2_posenet.image_messages import ImageConversionError  # noqa: E402


def _depth(pixels: np.ndarray, encoding: str, *, pad: int = 0, big_endian: bool = False,
           stamp: float = 0.0) -> Image:
    msg = Image(encoding=encoding, height=pixels.shape[0], width=pixels.shape[1])
    msg.header.stamp.sec, nanosec = divmod(int(round(stamp * 1e9)), 1_000_000_000)
    msg.header.stamp.nanosec = nanosec
    dtype = pixels.dtype.newbyteorder('>' if big_endian else '<')
    rows = pixels.astype(dtype).view(np.uint8).reshape(pixels.shape[0], -1)
    rows = np.pad(rows, ((0, 0), (0, pad)))
    msg.step = rows.shape[1]
    msg.is_bigendian = int(big_endian)
    msg.data = rows.tobytes()
    return msg


@pytest.mark.parametrize('big_endian', [False, True])
def test_millimetres_become_metres_with_holes_as_nan(big_endian):
    pixels = np.array([[0, 1000], [2500, 65535]], np.uint16)
    metres = depth_msg_to_metres(_depth(pixels, '16UC1', pad=3, big_endian=big_endian))
    assert np.isnan(metres[0, 0])
    assert metres[0, 1] == pytest.approx(1.0) and metres[1, 0] == pytest.approx(2.5)
    assert metres[1, 1] == pytest.approx(65.535)


def test_float_metres_keep_values_and_invalid_ones_become_nan():
    pixels = np.array([[0.0, np.nan, -1.0, 3.25, np.inf]], np.float32)
    metres = depth_msg_to_metres(_depth(pixels, '32FC1', pad=4, big_endian=True))
    assert np.isnan(metres[0, :3]).all() and metres[0, 3] == 3.25 and np.isnan(metres[0, 4])


@pytest.mark.parametrize('encoding, message', [('rgb8', 'not supported'),
                                               ('x' * 500, 'not supported')])
def test_other_encodings_are_refused_with_a_short_message(encoding, message):
    with pytest.raises(ImageConversionError, match=message) as raised:
        depth_msg_to_metres(_depth(np.zeros((2, 2), np.uint16), encoding))
    assert len(str(raised.value)) < 200


def test_truncated_and_oversized_depth_images_are_refused():
    msg = _depth(np.zeros((4, 4), np.uint16), '16UC1')
    msg.data = msg.data[:10]
    with pytest.raises(ImageConversionError, match='truncated'):
        depth_msg_to_metres(msg)
    huge = Image(encoding='16UC1', width=30000, height=30000, step=60000)
    with pytest.raises(ImageConversionError, match='max_input_pixels'):
        depth_msg_to_metres(huge)


def test_pairing_gives_the_nearest_depth_within_the_slop():
    pairing = DepthPairing(capacity=3)
    for stamp in (1.00, 1.033, 1.066, 1.10):
        pairing.add(_depth(np.zeros((1, 1), np.uint16), '16UC1', stamp=stamp))
    assert stamp_seconds(pairing.partner(1.07, 0.02)) == pytest.approx(1.066)
    assert pairing.partner(1.00, 0.02) is None  # fell out of the three kept
    assert pairing.partner(1.50, 0.05) is None
    pairing.clear()
    assert pairing.partner(1.10, 1.0) is None

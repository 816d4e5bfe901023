"""Image messages within a pixel budget: refused on the claimed size before the data is read.

Raw frames are refused on ``width * height``; compressed frames on the size in their header and
on their length, before ``cv2.imdecode`` (replaced by a recorder here) is called. Strings from
the message are echoed cut short.
"""

from types import SimpleNamespace

import cv2
import numpy as np
import pytest

pytest.importorskip('sensor_msgs')
from sensor_msgs.msg import CompressedImage, Image  # noqa: E402

from ros2_posenet import image_messages  # noqa: E402
from ros2_posenet.image_messages import (  # noqa: E402
    compressed_msg_to_array, image_msg_to_array, ImageConversionError,
    ImageMessageTooLargeError, MAX_ECHOED_CHARS)
from ros2_posenet.posenet import InputError  # noqa: E402
from ros2_posenet.posenet.image import (DEFAULT_MAX_INPUT_PIXELS,  # noqa: E402
                                        encoded_byte_budget, ImageTooLargeError)
from test_image_encoded_size import (encode, HEIGHT, SAMPLES, sample_bgr,  # noqa: E402
                                     WIDTH, with_size)


@pytest.fixture
def imdecode_calls(monkeypatch):
    """Record cv2.imdecode calls (as seen from image_messages) and still decode."""
    calls = []
    real = cv2.imdecode

    def recording(buffer, flags):
        calls.append(len(buffer))
        return real(buffer, flags)
    monkeypatch.setattr(image_messages.cv2, 'imdecode', recording)
    return calls


def compressed(data: bytes, image_format: str = 'jpeg') -> CompressedImage:
    """Build a CompressedImage holding ``data``."""
    msg = CompressedImage(format=image_format)
    msg.data.frombytes(data)
    return msg


def small_jpeg() -> bytes:
    """Return a real JPEG of a few hundred bytes (8x8 pixels)."""
    data = encode('.jpg', sample_bgr(8, 8), (cv2.IMWRITE_JPEG_QUALITY, 50))
    assert len(data) < 1000
    return data


class UntouchableData:
    """A raw frame whose data must not be read: the size alone decides."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height, self.step = width, height, width * 3
        self.encoding, self.is_bigendian = 'bgr8', 0

    @property
    def data(self):
        raise AssertionError('the data of an over-budget frame was read')


# --- raw frames ------------------------------------------------------------------------------

def test_raw_frame_above_the_budget_is_refused_before_its_data_is_read():
    """A raw frame claiming 30000x30000 is refused on its size; its data is never touched."""
    with pytest.raises(ImageMessageTooLargeError) as caught:
        image_msg_to_array(UntouchableData(30000, 30000))
    message = str(caught.value)
    assert '30000x30000 = 900,000,000 pixels' in message
    assert f'{DEFAULT_MAX_INPUT_PIXELS:,}' in message and 'max_input_pixels' in message
    for kind in (ImageConversionError, ImageTooLargeError, InputError, ValueError):
        assert isinstance(caught.value, kind)
    # 8K UHD fits the default budget: refused for its missing data, not its size
    msg = SimpleNamespace(width=7680, height=4320, step=7680 * 3, encoding='bgr8',
                          is_bigendian=0, data=b'')
    with pytest.raises(ImageConversionError, match='truncated') as caught:
        image_msg_to_array(msg)
    assert not isinstance(caught.value, ImageMessageTooLargeError)


def test_raw_frame_budget_is_a_keyword():
    """max_pixels sets the budget: the limit itself passes, one pixel more does not."""
    msg = Image(height=4, width=5, encoding='bgr8', step=15)
    msg.data.frombytes(bytes(60))
    image, _ = image_msg_to_array(msg, max_pixels=20)
    assert image.shape == (4, 5, 3)
    with pytest.raises(ImageMessageTooLargeError, match=r'5x4 = 20 pixels.* 19 pixels'):
        image_msg_to_array(msg, max_pixels=19)
    with pytest.raises(ImageMessageTooLargeError):
        image_msg_to_array(UntouchableData(5, 4), max_pixels=19)


@pytest.mark.parametrize('bad', [0, -5, 2.5, True])
def test_bad_budget_is_a_configuration_error(bad):
    """A budget that is not an int >= 1 is a ValueError, not a bad frame."""
    msg = Image(height=1, width=1, encoding='bgr8', step=3)
    msg.data.frombytes(bytes(3))
    for convert, frame in ((image_msg_to_array, msg), (compressed_msg_to_array,
                                                       compressed(small_jpeg()))):
        with pytest.raises(InputError, match='max_input_pixels') as caught:
            convert(frame, max_pixels=bad)
        assert not isinstance(caught.value, ImageConversionError)


def test_long_unknown_encoding_is_echoed_cut_short():
    """A 100 kB encoding string appears cut to 64 characters with its length; 64 stay whole."""
    msg = Image(height=1, width=1, encoding='x' * 100_000, step=3)
    with pytest.raises(ImageConversionError) as caught:
        image_msg_to_array(msg)
    message = str(caught.value)
    assert len(message) < 400
    assert repr('x' * MAX_ECHOED_CHARS) + '... (100000 characters)' in message
    # up to MAX_ECHOED_CHARS characters, it is quoted whole
    msg = Image(height=1, width=1, encoding='y' * MAX_ECHOED_CHARS, step=3)
    with pytest.raises(ImageConversionError, match=repr('y' * MAX_ECHOED_CHARS) + ';'):
        image_msg_to_array(msg)


# --- compressed frames -----------------------------------------------------------------------

@pytest.mark.parametrize('image_format', ['jpeg', 'png', 'bmp', 'gif', 'webp', 'tiff', 'pnm',
                                          'sun-raster', 'hdr', 'jpeg2000'])
def test_header_claiming_30000x30000_is_refused_without_decoding(image_format, imdecode_calls):
    """A small file whose header claims 30000x30000 (16000x12000 where 16 bits cap) is refused.

    Among them a real JPEG of a few hundred bytes and a PNG whose IHDR has a valid CRC.
    """
    name = {'jpeg': 'jpeg', 'png': 'png', 'bmp': 'bmp', 'gif': 'gif', 'webp': 'webp_lossy',
            'tiff': 'tiff', 'pnm': 'ppm', 'sun-raster': 'sun_raster', 'hdr': 'hdr',
            'jpeg2000': 'jp2'}[image_format]
    width, height = (16000, 12000) if image_format in ('webp', 'gif') else (30000, 30000)
    source = small_jpeg() if image_format == 'jpeg' else SAMPLES[name][1]
    with pytest.raises(ImageMessageTooLargeError) as caught:
        compressed_msg_to_array(compressed(with_size(image_format, source, width, height)))
    assert imdecode_calls == []
    message = str(caught.value)
    assert f'compressed {image_format} image is {width}x{height}' in message
    assert 'max_input_pixels' in message and f'{DEFAULT_MAX_INPUT_PIXELS:,}' in message
    assert isinstance(caught.value, ImageConversionError)


def test_compressed_budget_is_a_keyword(imdecode_calls):
    """max_pixels applies to the header size: the limit passes, one pixel less refuses."""
    data = SAMPLES['png'][1]
    image, color_order = compressed_msg_to_array(compressed(data, 'png'),
                                                 max_pixels=WIDTH * HEIGHT)
    assert image.shape == (HEIGHT, WIDTH, 3) and color_order == 'bgr'
    assert len(imdecode_calls) == 1
    with pytest.raises(ImageMessageTooLargeError, match=f'{WIDTH}x{HEIGHT}'):
        compressed_msg_to_array(compressed(data, 'png'), max_pixels=WIDTH * HEIGHT - 1)
    assert len(imdecode_calls) == 1


def test_data_above_the_byte_budget_is_refused_before_the_header_is_read(monkeypatch,
                                                                         imdecode_calls):
    """Data longer than encoded_byte_budget(max_pixels) is refused on its length alone."""
    headers = []
    monkeypatch.setattr(image_messages, 'read_image_header',
                        lambda data: headers.append(data) or pytest.fail('header read'))
    data = small_jpeg() + bytes(encoded_byte_budget(1000))
    with pytest.raises(ImageMessageTooLargeError, match=r'bytes, more than the 4,202,304 '
                       r'bytes an encoded image within 1,000 pixels \(max_input_pixels\)'):
        compressed_msg_to_array(compressed(data), max_pixels=1000)
    assert headers == [] and imdecode_calls == []


def test_png_declaring_a_2_gb_chunk_is_refused_without_decoding(imdecode_calls):
    """44 bytes declaring a 2 GB chunk would cost OpenCV 2 GB; refused as truncated instead."""
    data = SAMPLES['png'][1][:33] + (0x7FF00000).to_bytes(4, 'big') + b'tEXtabc'
    with pytest.raises(ImageConversionError, match='cannot decode .* truncated') as caught:
        compressed_msg_to_array(compressed(data, 'png'))
    assert not isinstance(caught.value, ImageMessageTooLargeError)
    assert imdecode_calls == []


@pytest.mark.parametrize('ext, image', [('.avif', sample_bgr()), ('.pam', sample_bgr())])
def test_formats_whose_size_is_not_read_are_refused_without_decoding(ext, image,
                                                                     imdecode_calls):
    """AVIF and PAM would decode, but their size is not checked, so they are refused."""
    with pytest.raises(ImageConversionError, match='not accepted'):
        compressed_msg_to_array(compressed(encode(ext, image)))
    assert imdecode_calls == []


@pytest.mark.parametrize('name', sorted(SAMPLES))
def test_every_parsed_format_still_decodes(name):
    """Small files of every parsed format decode to their header size."""
    image, color_order = compressed_msg_to_array(compressed(SAMPLES[name][1]),
                                                 max_pixels=WIDTH * HEIGHT)
    assert image.shape == (HEIGHT, WIDTH, 3) and image.dtype == np.uint8
    assert color_order == 'bgr' and image.flags.c_contiguous


def test_corrupt_data_after_a_valid_header_names_the_format(imdecode_calls):
    """Data that OpenCV cannot decode after a readable header is a conversion error."""
    data = SAMPLES['png'][1]
    corrupt = data[:41] + bytes(len(data) - 53) + data[-12:]  # IDAT zeroed, IEND kept
    with pytest.raises(ImageConversionError, match=f'cannot decode .* png data after its '
                       f'{WIDTH}x{HEIGHT} header is corrupt'):
        compressed_msg_to_array(compressed(corrupt, 'png'))
    assert len(imdecode_calls) == 1


def test_long_format_is_echoed_cut_short():
    """A 10,000-character format string appears cut, in the depth and the decode errors."""
    for image_format, data in (('compressedDepth' + 'z' * 9985, b'\x00'),
                               ('z' * 10_000, b'not an image')):
        with pytest.raises(ImageConversionError) as caught:
            compressed_msg_to_array(compressed(data, image_format))
        message = str(caught.value)
        assert len(message) < 600, message
        assert '... (10000 characters)' in message

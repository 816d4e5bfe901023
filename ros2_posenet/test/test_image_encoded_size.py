"""Header-only size of encoded images: every format OpenCV decodes, malformed headers, budgets.

Also the sample builders the budget and fuzz tests use: small real files of every parsed format
(``sample_files``) and the same files with their header claiming another size (``with_size``).
"""

import array
import re
import struct
import zlib

import cv2
import numpy as np
import pytest

from ros2_posenet.posenet import InputError
from ros2_posenet.posenet import image as image_wing
from ros2_posenet.posenet.image import (check_encoded_byte_budget, check_jpeg_complete,
                                        check_max_pixels, check_pixel_budget,
                                        DEFAULT_MAX_INPUT_PIXELS, encoded_byte_budget,
                                        encoded_image_size, ImageHeader, ImageTooLargeError,
                                        PARSED_FORMATS, read_image_header)
from ros2_posenet.posenet.image.encoded_size import (ENCODED_METADATA_ALLOWANCE,
                                                     MAX_ENCODED_BYTES_PER_PIXEL,
                                                     MAX_JPEG2000_TILES)

WIDTH, HEIGHT = 53, 37


# --- sample builders -------------------------------------------------------------------------

def sample_bgr(height: int = HEIGHT, width: int = WIDTH) -> np.ndarray:
    """Colour ramps with a little texture, BGR uint8 [height, width, 3]."""
    rows, cols = np.mgrid[0:height, 0:width]
    bgr = np.stack([cols * 255 // max(1, width - 1), rows * 255 // max(1, height - 1),
                    (rows * 7 + cols * 13) % 256], axis=2)
    return bgr.astype(np.uint8)


def encode(ext: str, image: np.ndarray, params: tuple = ()) -> bytes:
    """Return ``image`` encoded by OpenCV as ``ext``."""
    ok, buffer = cv2.imencode(ext, image, list(params))
    assert ok, ext
    return buffer.tobytes()


def tiff_gray(pixels: np.ndarray, byte_order: str, big: bool) -> bytes:
    """Build an uncompressed 8-bit grey TIFF ('<' little- or '>' big-endian, BigTIFF or not)."""
    height, width = pixels.shape
    short, long_ = 3, 4
    count = 9
    ifd = 16 if big else 8
    ifd_size = (8 + 20 * count + 8) if big else (2 + 12 * count + 4)
    strip = ifd + ifd_size
    entries = [(256, long_, width), (257, long_, height), (258, short, 8), (259, short, 1),
               (262, short, 1), (273, long_, strip), (277, short, 1), (278, long_, height),
               (279, long_, width * height)]
    if big:
        mark = b'II' if byte_order == '<' else b'MM'
        out = mark + struct.pack(byte_order + 'HHHQ', 43, 8, 0, ifd)
        out += struct.pack(byte_order + 'Q', count)
        for tag, kind, value in entries:
            packed = struct.pack(byte_order + ('H' if kind == short else 'I'), value)
            out += struct.pack(byte_order + 'HHQ', tag, kind, 1) + packed.ljust(8, b'\0')
        out += struct.pack(byte_order + 'Q', 0)
    else:
        out = (b'II' if byte_order == '<' else b'MM') + struct.pack(byte_order + 'HI', 42, ifd)
        out += struct.pack(byte_order + 'H', count)
        for tag, kind, value in entries:
            packed = struct.pack(byte_order + ('H' if kind == short else 'I'), value)
            out += struct.pack(byte_order + 'HHI', tag, kind, 1) + packed.ljust(4, b'\0')
        out += struct.pack(byte_order + 'I', 0)
    assert len(out) == strip
    return out + pixels.tobytes()


def bmp_core_header(image: np.ndarray) -> bytes:
    """Build a 24-bit BMP with the 12-byte OS/2 core header."""
    height, width = image.shape[:2]
    row = (width * 3 + 3) & ~3
    pixels = b''.join(image[y].tobytes().ljust(row, b'\0') for y in range(height - 1, -1, -1))
    header = struct.pack('<IHHHH', 12, width, height, 1, 24)
    return b'BM' + struct.pack('<IHHI', 26 + len(pixels), 0, 0, 26) + header + pixels


def bmp_top_down(data: bytes) -> bytes:
    """Turn OpenCV's bottom-up 24-bit BMP into the same picture stored top-down."""
    offset, width, height = struct.unpack_from('<I', data, 10)[0], *struct.unpack_from(
        '<ii', data, 18)
    row = (width * 3 + 3) & ~3
    rows = [data[offset + y * row:offset + (y + 1) * row] for y in range(height)]
    out = bytearray(data[:offset] + b''.join(reversed(rows)))
    struct.pack_into('<i', out, 22, -height)
    return bytes(out)


def jp2_boxes(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Return ``{box type: (content start, content end)}`` of the top-level JP2 boxes."""
    boxes, pos = {}, 0
    while pos < len(data):
        length, kind = struct.unpack_from('>I4s', data, pos)
        length = length or len(data) - pos
        boxes[kind] = (pos + 8, pos + length)
        pos += length
    return boxes


def jpeg_sof_offset(data: bytes) -> int:
    """Return the offset of the first SOFn marker of a well-formed JPEG."""
    pos = 2
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return pos
        pos += 2 + struct.unpack_from('>H', data, pos + 2)[0]


def png_with_ihdr(data: bytes, width: int, height: int) -> bytes:
    """Return a PNG with its IHDR size replaced and the CRC recomputed (a valid header)."""
    out = bytearray(data)
    struct.pack_into('>II', out, 16, width, height)
    struct.pack_into('>I', out, 29, zlib.crc32(bytes(out[12:29])))
    return bytes(out)


def tiff_with_size(data: bytes, width: int, height: int) -> bytes:
    """Return a classic TIFF with ImageWidth/ImageLength of its first IFD replaced (as LONG)."""
    order = '<' if data[:2] == b'II' else '>'
    out = bytearray(data)
    ifd = struct.unpack_from(order + 'I', data, 4)[0]
    for index in range(struct.unpack_from(order + 'H', data, ifd)[0]):
        entry = ifd + 2 + 12 * index
        tag = struct.unpack_from(order + 'H', data, entry)[0]
        if tag in (256, 257):
            struct.pack_into(order + 'HI', out, entry + 2, 4, 1)  # one LONG
            struct.pack_into(order + 'I', out, entry + 8, width if tag == 256 else height)
    return bytes(out)


def with_size(image_format: str, data: bytes, width: int, height: int) -> bytes:
    """Return ``data`` of ``image_format`` with its header claiming ``width`` x ``height``."""
    out = bytearray(data)
    if image_format == 'jpeg':
        struct.pack_into('>HH', out, jpeg_sof_offset(data) + 5, height, width)
    elif image_format == 'png':
        return png_with_ihdr(data, width, height)
    elif image_format == 'bmp':
        struct.pack_into('<ii', out, 18, width, height)
    elif image_format == 'gif':
        struct.pack_into('<HH', out, 6, width, height)
    elif image_format == 'webp':
        chunk = bytes(out[12:16])
        if chunk == b'VP8X':
            out[24:27] = (width - 1).to_bytes(3, 'little')
            out[27:30] = (height - 1).to_bytes(3, 'little')
        elif chunk == b'VP8L':
            bits = struct.unpack_from('<I', out, 21)[0] & ~((1 << 28) - 1)
            struct.pack_into('<I', out, 21, bits | (width - 1) | (height - 1) << 14)
        else:
            struct.pack_into('<HH', out, 26, width, height)
    elif image_format == 'tiff':
        return tiff_with_size(data, width, height)
    elif image_format == 'pnm':
        match = re.match(rb'(P[1-6]\s+)\d+\s+\d+(\s)', data)
        assert match
        return match[1] + b'%d %d' % (width, height) + data[match.end() - 1:]
    elif image_format == 'sun-raster':
        struct.pack_into('>II', out, 4, width, height)
    elif image_format == 'hdr':
        return re.sub(rb'\n-Y \d+ \+X \d+\n', b'\n-Y %d +X %d\n' % (height, width), data,
                      count=1)
    elif image_format == 'jpeg2000':
        start = data.find(b'\xff\x4f\xff\x51')
        # image and a single tile of the new size
        struct.pack_into('>IIIIII', out, start + 8, width, height, 0, 0, width, height)
        if data.startswith(b'\x00\x00\x00\x0cjP'):
            jp2h = jp2_boxes(data)[b'jp2h']
            struct.pack_into('>II', out, jp2h[0] + 8, height, width)
    else:
        raise AssertionError(image_format)
    return bytes(out)


def sample_files() -> dict[str, tuple[str, bytes]]:
    """Return ``{name: (format, data)}``: small real files of every parsed format."""
    bgr, gray = sample_bgr(), cv2.cvtColor(sample_bgr(), cv2.COLOR_BGR2GRAY)
    bgra = cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)
    bgra[:, :, 3] = 200
    animation = cv2.Animation()
    animation.frames = [bgra, np.ascontiguousarray(bgra[::-1])]
    animation.durations = [100, 100]
    jp2 = encode('.jp2', bgr)
    codestream = jp2[slice(*jp2_boxes(jp2)[b'jp2c'])]
    ok, webp_animated = cv2.imencodeanimation('.webp', animation)
    assert ok
    ok, apng = cv2.imencodeanimation('.png', animation)
    assert ok
    ok, gif_animated = cv2.imencodeanimation('.gif', animation)
    assert ok
    samples = {
        'jpeg': ('jpeg', encode('.jpg', bgr)),
        'jpeg_progressive': ('jpeg', encode('.jpg', bgr, (cv2.IMWRITE_JPEG_PROGRESSIVE, 1))),
        'jpeg_gray': ('jpeg', encode('.jpg', gray)),
        'png': ('png', encode('.png', bgr)),
        'png_gray16': ('png', encode('.png', gray.astype(np.uint16) << 8)),
        'png_rgba': ('png', encode('.png', bgra)),
        'apng': ('png', apng.tobytes()),
        'bmp': ('bmp', encode('.bmp', bgr)),
        'bmp_gray': ('bmp', encode('.bmp', gray)),
        'bmp_top_down': ('bmp', bmp_top_down(encode('.bmp', bgr))),
        'bmp_core_header': ('bmp', bmp_core_header(bgr)),
        'gif': ('gif', encode('.gif', bgr)),
        'gif_animated': ('gif', gif_animated.tobytes()),
        'webp_lossless': ('webp', encode('.webp', bgr)),
        'webp_lossy': ('webp', encode('.webp', bgr, (cv2.IMWRITE_WEBP_QUALITY, 80))),
        'webp_animated': ('webp', webp_animated.tobytes()),
        'tiff': ('tiff', encode('.tif', bgr)),
        'tiff_big_endian': ('tiff', tiff_gray(gray, '>', big=False)),
        'bigtiff': ('tiff', tiff_gray(gray, '<', big=True)),
        'bigtiff_big_endian': ('tiff', tiff_gray(gray, '>', big=True)),
        'ppm': ('pnm', encode('.ppm', bgr)),
        'ppm_ascii': ('pnm', encode('.ppm', bgr, (cv2.IMWRITE_PXM_BINARY, 0))),
        'pgm': ('pnm', encode('.pgm', gray)),
        'pbm': ('pnm', encode('.pbm', gray)),
        'sun_raster': ('sun-raster', encode('.ras', bgr)),
        'hdr': ('hdr', encode('.hdr', bgr.astype(np.float32) / 255)),
        'jp2': ('jpeg2000', jp2),
        'j2k': ('jpeg2000', codestream),
    }
    return samples


SAMPLES = sample_files()


# --- every format ----------------------------------------------------------------------------

def test_samples_cover_every_parsed_format():
    """The samples hold every format the module parses."""
    assert {image_format for image_format, _ in SAMPLES.values()} == set(PARSED_FORMATS)


@pytest.mark.parametrize('name', sorted(SAMPLES))
def test_header_size_is_the_decoded_size(name):
    """Every sample's header size is the size cv2.imdecode decodes."""
    image_format, data = SAMPLES[name]
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None, name
    assert read_image_header(data) == ImageHeader(image_format, WIDTH, HEIGHT)
    assert decoded.shape[:2] == (HEIGHT, WIDTH)


@pytest.mark.parametrize('name', sorted(SAMPLES))
def test_claimed_size_is_read_as_claimed(name):
    """A header patched to claim 30000x20000 reads as such (what a decoder would allocate)."""
    image_format, data = SAMPLES[name]
    small_fields = image_format in ('webp', 'gif', 'jpeg')  # 14 or 16 bits
    width, height = (16000, 12000) if small_fields else (30000, 20000)
    if name == 'bmp_core_header':
        pytest.skip('builder patches only the Windows info header')
    if image_format == 'tiff' and name != 'tiff':
        pytest.skip('builder patches only the classic little-endian OpenCV layout')
    claimed = with_size(image_format, data, width, height)
    assert read_image_header(claimed) == ImageHeader(image_format, width, height)


def test_real_photos_match_opencv(data_dir):
    """The data set's JPEG photos read the size OpenCV decodes, and run to EOI."""
    for path in sorted((data_dir / 'images').rglob('*.jpg')):
        data = path.read_bytes()
        check_jpeg_complete(data)
        decoded = cv2.imread(str(path), cv2.IMREAD_COLOR)
        assert encoded_image_size(data) == (decoded.shape[1], decoded.shape[0]), path


@pytest.mark.parametrize('kind', ['bytes', 'bytearray', 'memoryview', 'ndarray', 'array',
                                  'list'])
def test_any_byte_container_is_accepted(kind):
    """Bytes, bytearray, memoryview, uint8 arrays, array.array and int lists all work."""
    data = SAMPLES['png'][1]
    wrapped = {'bytes': data, 'bytearray': bytearray(data), 'memoryview': memoryview(data),
               'ndarray': np.frombuffer(data, np.uint8), 'array': array.array('B', data),
               'list': list(data)}[kind]
    assert encoded_image_size(wrapped) == (WIDTH, HEIGHT)


def test_bad_container_is_an_input_error():
    """A container of something else than bytes is an InputError."""
    with pytest.raises(InputError, match='bytes'):
        read_image_header([1000, 2000])


# --- JPEG ------------------------------------------------------------------------------------

def segment(marker: int, payload: bytes) -> bytes:
    """Return a JPEG marker segment."""
    return bytes([0xFF, marker]) + struct.pack('>H', len(payload) + 2) + payload


def fake_sof(width: int, height: int) -> bytes:
    """Return an SOF0 segment for three components."""
    return segment(0xC0, struct.pack('>BHHB', 8, height, width, 3) + bytes(9))


def test_jpeg_walk_skips_fill_bytes_garbage_and_standalone_markers():
    """Fill bytes, garbage between segments, TEM and RST markers are skipped as libjpeg does."""
    data = SAMPLES['jpeg'][1]
    sof = jpeg_sof_offset(data)
    noisy = data[:2] + b'\xff\xff\xff' + data[2:sof] + b'junk\x00' + b'\xff\x01\xff\xd3' \
        + b'\xff\xff' + data[sof:]
    assert encoded_image_size(noisy) == (WIDTH, HEIGHT)
    decoded = cv2.imdecode(np.frombuffer(noisy, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape[:2] == (HEIGHT, WIDTH)


def test_jpeg_frame_header_inside_a_segment_is_not_read():
    """An SOF inside an APP segment (a thumbnail, say) is skipped with its segment."""
    data = SAMPLES['jpeg'][1]
    thumbnail = segment(0xE1, b'Exif\x00\x00' + b'\xff\xd8' + fake_sof(30000, 30000)
                        + b'\xff\xd9')
    assert encoded_image_size(data[:2] + thumbnail + data[2:]) == (WIDTH, HEIGHT)


@pytest.mark.parametrize('marker', [0xC1, 0xC2, 0xC3, 0xC9, 0xCA, 0xCB])
def test_every_sof_kind_gives_the_size(marker):
    """Extended, progressive, lossless and arithmetic frame headers all carry the size."""
    sof = bytearray(fake_sof(640, 480))
    sof[1] = marker
    assert encoded_image_size(b'\xff\xd8\xff' + bytes(sof)[1:]) == (640, 480)


@pytest.mark.parametrize('data, match', [
    (b'\xff\xd8\xff\xe0\x00\x10JFIF', 'truncated'),
    (b'\xff\xd8\xff\xe0\x00\x01', 'length 1'),
    (b'\xff\xd8\xff\xda\x00\x08' + bytes(6), 'SOS marker .* before any frame header'),
    (b'\xff\xd8\xff\xd9', 'EOI marker .* before any frame header'),
    (b'\xff\xd8\xff\xd8', 'second SOI'),
    (b'\xff\xd8\xff\xc0\x00\x11\x08\x00\x00\x02\x80\x03' + bytes(9), 'DNL'),
    (b'\xff\xd8\xff\xc0\x00\x11\x08\x01', 'truncated'),
    (b'\xff\xd8\xff' + b'\x00' * 50, 'without a frame header'),
])
def test_malformed_jpeg_headers_are_refused(data, match):
    """Truncated segments, bad lengths, scans or EOI before SOF and DNL heights are refused."""
    with pytest.raises(InputError, match=match):
        read_image_header(data)


def test_complete_jpeg_passes_and_trailing_bytes_are_allowed():
    """A complete JPEG passes check_jpeg_complete, also with bytes after EOI."""
    for name in ('jpeg', 'jpeg_progressive', 'jpeg_gray'):
        check_jpeg_complete(SAMPLES[name][1])
        check_jpeg_complete(SAMPLES[name][1] + b'\x00trailing')


@pytest.mark.parametrize('name', ['jpeg', 'jpeg_progressive'])
def test_truncated_jpeg_is_detected_at_every_cut(name):
    """Cut anywhere before EOI, a JPEG is reported as truncated."""
    data = SAMPLES[name][1]
    for cut in range(2, len(data) - 1, 7):
        with pytest.raises(InputError, match='truncated'):
            check_jpeg_complete(data[:cut])


def test_eoi_inside_a_segment_does_not_count():
    """An EOI inside an APP segment (an embedded thumbnail) does not complete a cut stream."""
    data = SAMPLES['jpeg'][1]
    with_thumbnail = data[:2] + segment(0xE1, b'\xff\xd8\xff\xd9') + data[2:]
    check_jpeg_complete(with_thumbnail)
    with pytest.raises(InputError, match='truncated'):
        check_jpeg_complete(with_thumbnail[:-200])


def test_check_jpeg_complete_refuses_other_data():
    """check_jpeg_complete needs a JPEG."""
    with pytest.raises(InputError, match='SOI'):
        check_jpeg_complete(SAMPLES['png'][1])


# --- PNG -------------------------------------------------------------------------------------

def test_png_crc_mismatch_is_refused():
    """An IHDR whose CRC does not match is refused (libpng would refuse it too)."""
    data = bytearray(png_with_ihdr(SAMPLES['png'][1], 30000, 30000))
    data[20] ^= 0x01
    with pytest.raises(InputError, match='CRC'):
        read_image_header(bytes(data))


def test_png_ihdr_must_come_first():
    """A PNG whose first chunk is not IHDR is refused."""
    data = SAMPLES['png'][1]
    text = struct.pack('>I', 3) + b'tEXta\x00b' + struct.pack('>I', zlib.crc32(b'tEXta\x00b'))
    with pytest.raises(InputError, match='IHDR'):
        read_image_header(data[:8] + text + data[8:])


def test_png_chunk_longer_than_the_data_is_refused():
    """A chunk declaring 2 GB in a small file is refused: OpenCV would allocate it first."""
    data = SAMPLES['png'][1][:33] + struct.pack('>I', 0x7FF00000) + b'tEXt' + b'abc'
    with pytest.raises(InputError, match=r"truncated: chunk b'tEXt' at byte 33 declares "
                       '2146435072 bytes'):
        read_image_header(data)


@pytest.mark.parametrize('cut', [40, 100, -12, -1])
def test_truncated_png_is_refused(cut):
    """A PNG cut inside a chunk or before IEND is refused as truncated."""
    with pytest.raises(InputError, match='truncated'):
        read_image_header(SAMPLES['png'][1][:cut])


def test_png_bytes_after_iend_are_allowed():
    """Bytes after IEND do not matter."""
    assert encoded_image_size(SAMPLES['png'][1] + b'trailing') == (WIDTH, HEIGHT)


# --- the other formats -----------------------------------------------------------------------

@pytest.mark.parametrize('data, match', [
    (b'BM' + bytes(12) + struct.pack('<i', 20) + bytes(16), 'info header of 20 bytes'),
    (b'BM' + bytes(12) + struct.pack('<iii', 40, 0, 10) + bytes(30), 'size is 0x10'),
    (b'BM' + bytes(12) + struct.pack('<iii', 40, 10, 0) + bytes(30), 'height is 0'),
    (b'BM' + bytes(12) + struct.pack('<iii', 40, -5, 10) + bytes(30), 'size is -5x10'),
    (b'GIF90a' + bytes(10), 'version'),
    (b'GIF89a\x00\x00\x10\x00' + bytes(10), 'size is 0x16'),
    (b'RIFF\x00\x00\x00\x00WEBPALPH' + bytes(20), 'first chunk'),
    (b'RIFF\x00\x00\x00\x00WEBPVP8 ' + bytes(20), 'start code'),
    (b'RIFF\x00\x00\x00\x00WEBPVP8L' + bytes(20), 'signature'),
    (b'II*\x00' + struct.pack('<I', 4) + bytes(20), 'points into the header'),
    (b'II*\x00' + struct.pack('<I', 8) + struct.pack('<H', 0) + bytes(4), 'no ImageWidth'),
    (b'II*\x00' + struct.pack('<IH', 8, 20) + bytes(20), 'truncated'),
    (b'II*\x00' + struct.pack('<IHHHII', 8, 1, 256, 4, 2, 0) + bytes(4), 'one SHORT or LONG'),
    (b'MM\x00+' + struct.pack('>HHQ', 4, 0, 16), 'not 8 bytes'),
    (b'P6\n53x37\n255\n', 'bad number'),
    (b'P6 # comment without end', 'truncated'),
    (b'P5\n53 99999999999\n255\n', 'bad number'),
    (b'P2\n53 -37\n', 'unexpected byte'),
    (b'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n+Y 10 +X 10\n', 'resolution line'),
    (b'#?RADIANCE\n\n-Y 10 +X 10\n', 'FORMAT'),
    (b'#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n', 'ends inside the header'),
    (b'\xff\x4f\xff\x51' + bytes(10), 'truncated'),
    (b'\x00\x00\x00\x0cjP  \r\n\x87\n', 'no contiguous codestream'),
])
def test_malformed_headers_are_refused(data, match):
    """Malformed headers of every format are refused with a reason."""
    with pytest.raises(InputError, match=match):
        read_image_header(data)


def test_pnm_comments_and_whitespace_are_read_as_opencv_does():
    """Comments (ending in CR or LF) and runs of whitespace in a PNM header are skipped."""
    pixels = SAMPLES['ppm'][1].split(b'255\n', 1)[1]
    data = b'P6 # a comment\r\n\t53 #another\n\n 37\n255\n' + pixels
    assert encoded_image_size(data) == (WIDTH, HEIGHT)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape[:2] == (HEIGHT, WIDTH)


def test_hdr_header_lines_are_read_in_127_byte_pieces():
    """A header line longer than OpenCV's line buffer still gives the decoded size."""
    data = SAMPLES['hdr'][1]
    first_line_end = data.index(b'\n') + 1
    long_comment = b'#' + b'x' * 300 + b'\n'
    patched = data[:first_line_end] + long_comment + data[first_line_end:]
    decoded = cv2.imdecode(np.frombuffer(patched, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None and decoded.shape[:2] == (HEIGHT, WIDTH)
    assert encoded_image_size(patched) == (WIDTH, HEIGHT)


def test_jpeg2000_with_too_many_tiles_or_components_is_refused():
    """Tiny tiles (OpenJPEG's per-tile bookkeeping) and more than 4 components are refused."""
    data = bytearray(SAMPLES['j2k'][1])
    struct.pack_into('>IIIIII', data, 8, 1000, 1000, 0, 0, 4, 4)
    with pytest.raises(InputError, match=f'62500 tiles .* at most {MAX_JPEG2000_TILES}'):
        read_image_header(bytes(data))
    data = bytearray(SAMPLES['j2k'][1])
    struct.pack_into('>H', data, 40, 5)
    with pytest.raises(InputError, match='5 components'):
        read_image_header(bytes(data))
    data = bytearray(SAMPLES['j2k'][1])
    struct.pack_into('>II', data, 16, WIDTH, 0)  # x offset == width: empty image
    with pytest.raises(InputError, match='inconsistent SIZ'):
        read_image_header(bytes(data))


def test_jp2_takes_the_larger_of_codestream_and_ihdr():
    """In a JP2 file the larger of the SIZ and ihdr sizes is the one reported."""
    data = bytearray(SAMPLES['jp2'][1])
    ihdr = jp2_boxes(bytes(data))[b'jp2h'][0] + 8
    struct.pack_into('>II', data, ihdr, 5000, 6000)  # HEIGHT, WIDTH
    assert encoded_image_size(bytes(data)) == (6000, 5000)


@pytest.mark.parametrize('ext, image, match', [
    ('.avif', sample_bgr(), 'AVIF'), ('.pam', sample_bgr(), 'PAM'),
    ('.pfm', sample_bgr().astype(np.float32), 'PFM')])
def test_formats_opencv_decodes_but_whose_size_is_not_read_are_refused(ext, image, match):
    """AVIF, PAM and PFM decode in OpenCV, but are refused: their size is not parsed."""
    data = encode(ext, image)
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is not None
    with pytest.raises(InputError, match=f'{match}.* not accepted'):
        read_image_header(data)


@pytest.mark.parametrize('data', [b'', b'\x00', bytes(range(64)), b'\x2f' + bytes(31),
                                  b'\x76\x2f\x31\x01' + bytes(60), b'P6', b'qoif' + bytes(20)])
def test_unrecognised_data_is_refused(data):
    """Empty data, raw WebP bitstreams, OpenEXR, QOI and noise are not recognised."""
    with pytest.raises(InputError, match='not a recognised image format'):
        read_image_header(data)


# --- budgets ---------------------------------------------------------------------------------

def test_default_budget_is_8k_uhd():
    """The default pixel budget is 8K UHD."""
    assert DEFAULT_MAX_INPUT_PIXELS == 7680 * 4320


def test_pixel_budget_allows_the_limit_and_refuses_above():
    """check_pixel_budget accepts up to the limit and names size, limit and parameter above."""
    check_pixel_budget(7680, 4320, DEFAULT_MAX_INPUT_PIXELS, 'frame')
    with pytest.raises(ImageTooLargeError) as caught:
        check_pixel_budget(30000, 30000, DEFAULT_MAX_INPUT_PIXELS, 'compressed jpeg image')
    message = str(caught.value)
    assert 'compressed jpeg image is 30000x30000 = 900,000,000 pixels' in message
    assert '33,177,600' in message and 'max_input_pixels' in message
    assert isinstance(caught.value, InputError) and isinstance(caught.value, ValueError)
    with pytest.raises(ImageTooLargeError, match='--max-input-pixels'):
        check_pixel_budget(11, 10, 100, 'image', '--max-input-pixels')


@pytest.mark.parametrize('bad', [0, -1, 1.5, True, None, '100'])
def test_bad_budget_values_are_input_errors(bad):
    """A budget must be an int >= 1."""
    with pytest.raises(InputError, match='max_input_pixels must be an integer >= 1'):
        check_pixel_budget(1, 1, bad, 'image')
    with pytest.raises(InputError):
        check_max_pixels(bad)
    with pytest.raises(InputError):
        check_encoded_byte_budget(1, bad, 'data')


def test_byte_budget():
    """The byte budget is 8 bytes per pixel plus the metadata allowance."""
    assert MAX_ENCODED_BYTES_PER_PIXEL == 8
    assert encoded_byte_budget(100) == 800 + ENCODED_METADATA_ALLOWANCE
    check_encoded_byte_budget(encoded_byte_budget(100), 100, 'data')
    with pytest.raises(ImageTooLargeError, match=r'data is 4,195,105 bytes, more than the '
                       r'4,195,104 bytes .* 100 pixels \(max_input_pixels\)'):
        check_encoded_byte_budget(encoded_byte_budget(100) + 1, 100, 'data')


def test_exports():
    """The wing exports the header reader and the budget helpers."""
    for name in ('DEFAULT_MAX_INPUT_PIXELS', 'ImageHeader', 'ImageTooLargeError',
                 'PARSED_FORMATS', 'check_encoded_byte_budget', 'check_jpeg_complete',
                 'check_max_pixels', 'check_pixel_budget', 'encoded_byte_budget',
                 'encoded_image_size', 'read_image_header'):
        assert name in image_wing.__all__ and hasattr(image_wing, name), name
    assert ImageHeader('png', 3, 4).pixels == 12

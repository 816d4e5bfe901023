"""posenet_estimate goes on past bad inputs, reports each by name, and never blocks.

Missing paths amid good ones, FIFOs and folders named like images (run in a subprocess with a
timeout: reading a FIFO would block forever), a truncated JPEG, images and videos above
``--max-input-pixels``, an annotated image too wide for JPEG, an output that cannot be written.
"""

import os
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from ros2_posenet.tools.estimate import EXIT_INPUT_FAILED, EXIT_OK, EXIT_SETUP_FAILED, main
from test_image_encoded_size import encode, sample_bgr, with_size

MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
RUN_TIMEOUT_S = 60.0  # a model load and a few small images take a few seconds

pytestmark = pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason='needs POSIX FIFOs')


@pytest.fixture
def model(models_dir):
    return str(models_dir / MODEL)


@pytest.fixture
def pose_jpg(data_dir):
    return data_dir / 'images' / 'tfjs_pose.jpg'


def run_cli(args: list[str]) -> subprocess.CompletedProcess:
    """Run posenet_estimate in a fresh interpreter; fail the test if it does not finish."""
    code = 'import sys; from ros2_posenet.tools.estimate import main; sys.exit(main(sys.argv[1:]))'
    try:
        return subprocess.run([sys.executable, '-c', code, *args], capture_output=True,
                              text=True, timeout=RUN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f'posenet_estimate still running after {RUN_TIMEOUT_S} s (blocked on an '
                    f'input?): {expired.stderr}')


def test_missing_path_amid_good_ones_does_not_stop_the_run(pose_jpg, model, tmp_path, capsys):
    """A missing path is reported by name; the other inputs are processed; the status is 1."""
    folder = tmp_path / 'folder'
    folder.mkdir()
    shutil.copy(pose_jpg, folder / 'pose.jpg')
    missing = tmp_path / 'missing.jpg'
    out = tmp_path / 'out'
    status = main([str(missing), str(pose_jpg), str(folder), '--model', model,
                   '--output-dir', str(out), '--no-annotate'])
    assert status == EXIT_INPUT_FAILED
    errors = capsys.readouterr().err
    assert f'skipped {missing}: no such file or folder' in errors
    assert '1 of 3 input(s) failed' in errors
    assert (out / 'tfjs_pose.json').exists() and (out / 'pose.json').exists()


def test_fifos_and_folders_named_like_images_are_reported_without_blocking(pose_jpg, model,
                                                                           tmp_path):
    """FIFOs (given or in a folder) and a folder named y.png are reported; nothing blocks."""
    os.mkfifo(tmp_path / 'pipe.jpg')
    os.mkfifo(tmp_path / 'clip.mp4')
    frames = tmp_path / 'frames'
    frames.mkdir()
    os.mkfifo(frames / 'x.jpg')
    (frames / 'y.png').mkdir()
    shutil.copy(pose_jpg, frames / 'good.jpg')
    out = tmp_path / 'out'
    result = run_cli([str(tmp_path / 'pipe.jpg'), str(tmp_path / 'clip.mp4'), str(frames),
                      '--model', model, '--output-dir', str(out), '--no-annotate'])
    assert result.returncode == EXIT_INPUT_FAILED, result.stderr
    for name in ('pipe.jpg', 'clip.mp4', 'x.jpg'):
        assert f'{name}: is a FIFO (named pipe), not a regular file' in result.stderr
    assert 'y.png: is a folder, not a regular file' in result.stderr
    assert '4 of 5 input(s) failed' in result.stderr
    assert (out / 'good.json').exists()


def test_reading_a_fifo_directly_does_not_block(tmp_path):
    """read_image_file opens without blocking and refuses what is not a regular file."""
    fifo = tmp_path / 'late.jpg'
    os.mkfifo(fifo)
    code = ('import sys; from pathlib import Path\n'
            'from ros2_posenet.tools.estimate import InputReadError, read_image_file\n'
            'try:\n    read_image_file(Path(sys.argv[1]), 1000)\n'
            'except InputReadError as error:\n    print(error)\n')
    try:
        result = subprocess.run([sys.executable, '-c', code, str(fifo)], capture_output=True,
                                text=True, timeout=RUN_TIMEOUT_S, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail('read_image_file blocked on a FIFO')
    assert 'is a FIFO (named pipe), not a regular file' in result.stdout


def test_truncated_jpeg_is_reported_by_name(pose_jpg, model, tmp_path, capsys):
    """A JPEG cut short is refused (OpenCV would decode grey rows), the run goes on."""
    data = pose_jpg.read_bytes()
    (tmp_path / 'cut.jpg').write_bytes(data[:len(data) * 6 // 10])
    out = tmp_path / 'out'
    status = main([str(tmp_path / 'cut.jpg'), str(pose_jpg), '--model', model,
                   '--output-dir', str(out), '--no-annotate'])
    assert status == EXIT_INPUT_FAILED
    errors = capsys.readouterr().err
    assert f'skipped {tmp_path / "cut.jpg"}: cannot read image' in errors
    assert 'JPEG data is truncated' in errors
    assert not (out / 'cut.json').exists() and (out / 'tfjs_pose.json').exists()


def test_image_whose_header_claims_too_many_pixels_is_refused_by_name(model, tmp_path, capsys):
    """A small JPEG whose frame header claims 10000x10000 is refused without decoding."""
    small = encode('.jpg', sample_bgr(8, 8), (cv2.IMWRITE_JPEG_QUALITY, 50))
    (tmp_path / 'huge.jpg').write_bytes(with_size('jpeg', small, 10000, 10000))
    out = tmp_path / 'out'
    status = main([str(tmp_path / 'huge.jpg'), '--model', model, '--output-dir', str(out),
                   '--no-annotate'])
    assert status == EXIT_INPUT_FAILED
    errors = capsys.readouterr().err
    assert f'skipped {tmp_path / "huge.jpg"}' in errors
    assert 'jpeg image is 10000x10000 = 100,000,000 pixels, more than the limit of ' \
        '33,177,600 pixels (--max-input-pixels)' in errors
    assert not (out / 'huge.json').exists()


def test_max_input_pixels_refuses_images_and_videos_by_name(data_dir, pose_jpg, model,
                                                            tmp_path, capsys):
    """--max-input-pixels applies to images (header) and videos (container frame size)."""
    video = data_dir / 'video' / 'Dance.mp4'
    small = encode('.png', sample_bgr(100, 200))
    (tmp_path / 'small.png').write_bytes(small)
    out = tmp_path / 'out'
    status = main([str(pose_jpg), str(video), str(tmp_path / 'small.png'), '--model', model,
                   '--output-dir', str(out), '--no-annotate', '--max-input-pixels', '100000',
                   '--max-frames', '1'])
    assert status == EXIT_INPUT_FAILED
    errors = capsys.readouterr().err
    assert f'skipped {pose_jpg}' in errors and '1000x667 = 667,000 pixels' in errors
    assert f'skipped {video}' in errors and 'frame is 514x496' in errors
    assert '2 of 3 input(s) failed' in errors
    assert (out / 'small.json').exists()


@pytest.mark.parametrize('value', ['0', '-3'])
def test_bad_max_input_pixels_is_a_setup_error(pose_jpg, model, tmp_path, capsys, value):
    """--max-input-pixels below 1 is refused before anything runs."""
    assert main([str(pose_jpg), '--model', model, '--output-dir', str(tmp_path),
                 '--max-input-pixels', value]) == EXIT_SETUP_FAILED
    assert '--max-input-pixels must be an integer >= 1' in capsys.readouterr().err


def test_image_wider_than_jpeg_allows_is_annotated_as_png(model, tmp_path, capsys):
    """A 66000-pixel-wide BMP gets its annotated copy as PNG, and the summary says why."""
    wide = np.repeat(sample_bgr(8, 660), 100, axis=1)
    assert wide.shape == (8, 66000, 3)
    (tmp_path / 'wide.bmp').write_bytes(encode('.bmp', wide))
    out = tmp_path / 'out'
    status = main([str(tmp_path / 'wide.bmp'), '--model', model, '--output-dir', str(out)])
    assert status == EXIT_OK, capsys.readouterr().err
    summary = capsys.readouterr().out
    assert f'{out / "wide_poses.png"} (PNG: 66000x8 is beyond the 65500 pixel side of JPEG)' \
        in summary
    annotated = cv2.imread(str(out / 'wide_poses.png'), cv2.IMREAD_COLOR)
    assert annotated is not None and annotated.shape == (8, 66000, 3)


def test_failed_write_says_why(pose_jpg, model, tmp_path, capsys):
    """When the annotated file cannot be written, the error gives the system's reason."""
    out = tmp_path / 'out'
    (out / 'tfjs_pose_poses.jpg').mkdir(parents=True)  # a folder where the file should go
    status = main([str(pose_jpg), '--model', model, '--output-dir', str(out)])
    assert status == EXIT_INPUT_FAILED
    errors = capsys.readouterr().err
    assert f'cannot write {out / "tfjs_pose_poses.jpg"}: Is a directory' in errors

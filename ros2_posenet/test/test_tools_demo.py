"""posenet_demo's annotated video: every processed frame is in it, whatever its size."""

import cv2
import numpy as np
import pytest

pytest.importorskip('rclpy')
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402

from ros2_posenet.tools.demo import fit_frame, write_outputs  # noqa: E402


def test_fit_frame_letterboxes_into_the_video_size():
    frame = np.full((10, 200, 3), 255, np.uint8)
    fitted = fit_frame(frame, 100, 50)
    assert fitted.shape == (50, 100, 3)
    assert fitted[:, :, 0].sum(axis=1).nonzero()[0].tolist() == [22, 23, 24, 25, 26]
    assert fit_frame(frame, 200, 10) is frame
    assert fit_frame(np.zeros((1, 1, 3), np.uint8), 64, 48).shape == (48, 64, 3)


def test_frames_of_other_sizes_are_not_dropped_from_the_video(tmp_path):
    # An image folder mixes sizes; OpenCV's writer silently drops frames of another size.
    sizes = [(160, 120), (4000, 30), (1, 1), (160, 120), (30, 400)]
    results = []
    for index, (width, height) in enumerate(sizes):
        frame = np.full((height, width, 3), 40 * index, np.uint8)
        msg = PoseArray(image_width=width, image_height=height)
        results.append((index, frame, msg, 10.0))
    video = write_outputs(results[::-1], tmp_path, 5.0, 0.3)
    capture = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    assert len(frames) == len(sizes)
    assert all(frame.shape == (120, 160, 3) for frame in frames)
    assert (tmp_path / 'annotated_last.png').exists()

"""FramePipeline: image messages to output messages without a node (what the node publishes)."""

import cv2
import numpy as np
import pytest

pytest.importorskip('ros2_posenet_msgs')
from sensor_msgs.msg import CameraInfo, CompressedImage  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

from ros2_posenet.frame_pipeline import annotated_image, FramePipeline  # noqa: E402
from ros2_posenet.image_messages import array_to_image_msg  # noqa: E402
from ros2_posenet.node_config import NodeConfig  # noqa: E402
from ros2_posenet.posenet import EngineConfig, PoseArrays, PoseEngine  # noqa: E402

MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'


@pytest.fixture(scope='module')
def pipeline(models_dir):
    with PoseEngine(EngineConfig(str(models_dir / MODEL))) as engine:
        yield FramePipeline(engine)


def _header() -> Header:
    header = Header(frame_id='camera_optical_frame')
    header.stamp.sec, header.stamp.nanosec = 1234, 5678
    return header


def test_outputs_carry_the_header_and_people_in_decreasing_score(pipeline, couple_bgr):
    msg = array_to_image_msg(couple_bgr, _header())
    outputs = pipeline.process(msg, NodeConfig(), markers=True, annotated=True)
    scores = [person.score for person in outputs.poses.poses]
    assert len(scores) >= 2 and scores == sorted(scores, reverse=True)
    for out in (outputs.poses, outputs.markers.markers[0], outputs.annotated):
        assert (out.header.stamp.sec, out.header.stamp.nanosec) == (1234, 5678)
        assert out.header.frame_id == 'camera_optical_frame'
    assert (outputs.annotated.width, outputs.annotated.height) == (
        couple_bgr.shape[1], couple_bgr.shape[0])
    assert pipeline.process(msg, NodeConfig()).markers is None


def test_compressed_and_raw_frames_give_the_same_poses(pipeline, couple_bgr):
    raw = pipeline.process(array_to_image_msg(couple_bgr, _header()), NodeConfig())
    png = CompressedImage(header=_header(), format='png')
    png.data = cv2.imencode('.png', couple_bgr)[1].tobytes()
    compressed = pipeline.process(png, NodeConfig())
    assert [p.score for p in raw.poses.poses] == [p.score for p in compressed.poses.poses]


def test_camera_is_built_once_per_calibration_and_size(pipeline):
    info = CameraInfo(width=640, height=480)
    info.k = [500.0, 0.0, 320.0, 0.0, 500.0, 240.0, 0.0, 0.0, 1.0]
    pipeline.set_camera_info(info)
    camera = pipeline.camera(640, 480)
    assert camera is pipeline.camera(640, 480) and camera.source == 'camera_info.k'
    assert pipeline.camera(320, 240).fx == 250.0
    pipeline.set_camera_info(None)
    assert pipeline.camera(320, 240).source == 'fallback'


def test_annotated_image_of_a_huge_frame_is_bounded_and_the_poses_follow():
    image = np.zeros((6000, 3000, 3), np.uint8)
    xy = np.full((1, 17, 2), 100.0)
    xy[0, :, 0] = np.linspace(1000.0, 2000.0, 17)
    xy[0, :, 1] = 4000.0
    poses = PoseArrays(xy, np.ones((1, 17)), np.ones(1))
    canvas = annotated_image(image, 'rgb', poses, 0.5, 1920)
    assert canvas.shape == (1920, 960, 3)
    lit = np.argwhere(canvas.any(axis=2))
    # the skeleton sits at the scaled place: y 4000 -> 1280, x 1000..2000 -> 320..640
    assert abs(np.median(lit[:, 0]) - 1280) < 6
    assert 312 <= lit[:, 1].min() <= 322 and 638 <= lit[:, 1].max() <= 648  # radius 3 + AA
    small = annotated_image(np.zeros((100, 200, 3), np.uint8), 'bgr', PoseArrays.empty(), 0.5,
                            1920)
    assert small.shape == (100, 200, 3)

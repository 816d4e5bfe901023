"""The installed posenet node with ``input_transport: compressed`` and the default QoS.

One node process for the module, subscribing ``image/compressed`` with sensor-data QoS (best
effort); the client publishes test_couple.jpg as JPEG and PNG, and broken compressed frames.
"""

import cv2
import numpy as np
import pytest

pytest.importorskip('rclpy')
from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import CompressedImage, Image  # noqa: E402

from node_harness import (compressed_image, couple_frame_bgr, diagnostic_values,  # noqa: E402
                          FRAME_ID, IMAGE_QOS, jpeg_bytes, NodeProcess, publish_until,
                          RosClient, stamp_of, wait_until)
from ros2_posenet import diagnostics  # noqa: E402

DOMAIN_ID = 62


@pytest.fixture(scope='module')
def frame(data_dir):
    return couple_frame_bgr(data_dir)


@pytest.fixture(scope='module')
def node(tmp_path_factory, data_dir):
    process = NodeProcess(DOMAIN_ID, tmp_path_factory.mktemp('ros_home'), {
        'diagnostics_period': 0.2, 'input_transport': 'compressed'})
    try:
        if not process.wait_for_output(r'\]: active: ', timeout=60.0):
            pytest.fail(f'node did not become active:\n{process.output}')
        yield process
    finally:
        process.stop()


@pytest.fixture(scope='module')
def client(node):
    ros = RosClient(DOMAIN_ID)
    ros.compressed_publisher = ros.node.create_publisher(
        CompressedImage, 'image/compressed', IMAGE_QOS)
    ros.raw_publisher = ros.node.create_publisher(Image, 'image', IMAGE_QOS)
    ros.poses = ros.collect(PoseArray, 'poses')
    ros.diagnostics = ros.collect(DiagnosticArray, '/diagnostics')
    wait_until(lambda: ros.compressed_publisher.get_subscription_count() > 0, 20.0,
               'the node does not subscribe to /image/compressed')
    try:
        yield ros
    finally:
        ros.close()


def _check_two_people(msg: PoseArray, index: int, frame: np.ndarray) -> None:
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == stamp_of(index)
    assert msg.header.frame_id == FRAME_ID
    assert (msg.image_width, msg.image_height) == (frame.shape[1], frame.shape[0])
    assert len([pose for pose in msg.poses if pose.score >= 0.4]) >= 2
    assert all(len(pose.keypoints) == 17 for pose in msg.poses)


def test_jpeg_gives_both_people_with_the_header_kept(client, frame):
    msg = compressed_image(jpeg_bytes(frame), 1, 'jpeg')
    _check_two_people(publish_until(client.compressed_publisher, msg, client.poses, 1), 1, frame)


def test_png_gives_both_people(client, frame):
    ok, png = cv2.imencode('.png', frame)
    assert ok
    msg = compressed_image(png.tobytes(), 2, 'png')
    _check_two_people(publish_until(client.compressed_publisher, msg, client.poses, 2), 2, frame)


def test_raw_topic_is_not_subscribed(client):
    assert client.raw_publisher.get_subscription_count() == 0


def test_diagnostics_name_the_compressed_topic(client):
    values = wait_until(lambda: diagnostic_values(client.diagnostics), 10.0, 'no diagnostics')
    assert values[diagnostics.KEY_INPUT_TOPIC] == '/image/compressed'


def test_broken_compressed_frames_are_skipped_and_good_ones_still_served(client, frame, node):
    rng = np.random.default_rng(7)
    broken = {
        'corrupt jpeg': b'\xff\xd8\xff\xe0' + rng.integers(0, 256, 5000, np.uint8).tobytes(),
        'random bytes': rng.integers(0, 256, 2000, np.uint8).tobytes(),
        'empty data': b'',
    }

    def failed_count() -> int:
        values = diagnostic_values(client.diagnostics)
        return -1 if values is None else int(values[diagnostics.KEY_FAILED])

    wait_until(lambda: failed_count() >= 0, 10.0, 'no diagnostics')
    index = 10
    for offset, (name, data) in enumerate(broken.items()):
        before = failed_count()
        client.compressed_publisher.publish(compressed_image(data, 100 + offset))
        wait_until(lambda: failed_count() > before, 10.0, f'{name}: frame not counted as failed')
        index += 1
        good = compressed_image(jpeg_bytes(frame), index)
        _check_two_people(publish_until(client.compressed_publisher, good, client.poses, index),
                          index, frame)
    depth = compressed_image(jpeg_bytes(frame), 200, '16UC1; compressedDepth')
    before = failed_count()
    client.compressed_publisher.publish(depth)
    wait_until(lambda: failed_count() > before, 10.0, 'compressedDepth frame not rejected')
    assert 'compressed' in diagnostic_values(client.diagnostics)[diagnostics.KEY_LAST_ERROR]
    assert node.wait_for_output(r'WARN.*skipping bad frame', timeout=5.0)
    assert 'Traceback' not in node.output

"""A video published to the installed node gives PoseArrays whose ids persist across frames."""

from pathlib import Path
import time

import cv2
import pytest

rclpy = pytest.importorskip('rclpy')
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402

from node_harness import image_client, raw_image, running_node, wait_until  # noqa: E402

DOMAIN_ID = 61
FRAMES = 30
FRAME_PERIOD_NS = 40_000_000  # Dance.mp4 is 25 fps
MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'


@pytest.fixture(scope='module')
def node(tmp_path_factory, data_dir):
    with running_node(DOMAIN_ID, tmp_path_factory.mktemp('ros_home'), {
            'image_qos_reliability': 'reliable', 'model_path': MODEL}) as process:
        yield process


@pytest.fixture(scope='module')
def client(node):
    with image_client(DOMAIN_ID) as ros:
        yield ros


def _reply(received: list, stamp: tuple[int, int], timeout: float = 15.0) -> PoseArray:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for msg in list(received):
            if (msg.header.stamp.sec, msg.header.stamp.nanosec) == stamp:
                return msg
        time.sleep(0.01)
    pytest.fail(f'no PoseArray stamped {stamp}')


def test_the_dancer_keeps_one_id(node, client, data_dir: Path):
    capture = cv2.VideoCapture(str(data_dir / 'video' / 'Dance.mp4'))
    wait_until(lambda: client.image_publisher.get_subscription_count() > 0, 30.0,
               'node does not subscribe')
    replies = []
    for index in range(FRAMES):
        ok, frame = capture.read()
        assert ok
        msg = raw_image(frame, 'bgr8', index)
        stamp_ns = 1_700_000_000_000_000_000 + index * FRAME_PERIOD_NS
        msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(stamp_ns, 1_000_000_000)
        client.image_publisher.publish(msg)
        replies.append(_reply(client.poses, (msg.header.stamp.sec, msg.header.stamp.nanosec)))
    capture.release()
    best = [max(reply.poses, key=lambda person: person.score) for reply in replies
            if reply.poses]
    assert len(best) >= FRAMES - 2
    assert all(person.id == 0 for person in best[:2])  # tentative until seen 3 times
    ids = [person.id for person in best[3:]]
    dominant = max(set(ids), key=ids.count)
    assert dominant > 0
    assert ids.count(dominant) >= 0.9 * len(ids), ids

"""The installed node with ``use_depth``: people placed in metres from a paired depth image.

A colour frame, its CameraInfo and a depth image with the same stamp (16UC1, everything at
2.5 m) give keypoints and people at z = 2.5 m (``POSITION_DEPTH``); a depth image in an
unsupported encoding is refused with a warning and the frame is still answered in 2D.
"""

import numpy as np
import pytest

rclpy = pytest.importorskip('rclpy')
from ros2_posenet_msgs.msg import PersonPose, PoseArray  # noqa: E402
from sensor_msgs.msg import CameraInfo, Image  # noqa: E402

from node_harness import (couple_frame_bgr, IMAGE_QOS, NodeProcess,  # noqa: E402
                          publish_until, raw_image, RosClient, stamp_of, wait_until)

DOMAIN_ID = 51


def _info(width: int, height: int) -> CameraInfo:
    info = CameraInfo(width=width, height=height)
    info.k = [500.0, 0.0, width / 2, 0.0, 500.0, height / 2, 0.0, 0.0, 1.0]
    return info


def _depth(index: int, width: int, height: int, encoding: str = '16UC1') -> Image:
    msg = raw_image(np.full((height // 2, width // 2), 2500, np.uint16), encoding, index)
    msg.encoding = encoding
    return msg


def test_depth_places_people_and_a_bad_depth_image_leaves_2d(tmp_path, data_dir):
    node = NodeProcess(DOMAIN_ID, tmp_path, {'use_depth': True, 'depth_slop': 0.01,
                                             'image_qos_reliability': 'reliable'})
    client = RosClient(DOMAIN_ID)
    try:
        images = client.node.create_publisher(Image, 'image', IMAGE_QOS)
        depths = client.node.create_publisher(Image, 'depth', IMAGE_QOS)
        infos = client.node.create_publisher(CameraInfo, 'camera_info', IMAGE_QOS)
        poses = client.collect(PoseArray, 'poses')
        wait_until(lambda: depths.get_subscription_count() > 0, 30.0, 'no depth subscription')
        frame = couple_frame_bgr(data_dir)
        height, width = frame.shape[:2]
        for attempt in range(10):
            infos.publish(_info(width, height))
            index = 10 + attempt
            depths.publish(_depth(index, width, height))  # half resolution, same stamp
            reply = publish_until(images, raw_image(frame, 'bgr8', index), poses, index)
            placed = [person for person in reply.poses if person.has_position]
            if placed:
                break
        else:
            pytest.fail(f'nobody placed with depth: {node.output[-2000:]}')
        for person in placed:
            assert person.position_source == PersonPose.POSITION_DEPTH
            assert person.position.z == pytest.approx(2.5, abs=0.01)
        measured = [k for k in placed[0].keypoints if k.has_position]
        assert measured and all(abs(k.position.z - 2.5) < 0.01 for k in measured)
        bad = _depth(30, width, height)
        bad.encoding = 'rgb8_not_depth'
        depths.publish(bad)
        reply = publish_until(images, raw_image(frame, 'bgr8', 30), poses, 30)
        assert reply.poses and all(person.position_source != PersonPose.POSITION_DEPTH
                                   for person in reply.poses)
        assert node.wait_for_output(r'depth image not used: depth encoding', 10.0), node.output
        assert stamp_of(30) == (reply.header.stamp.sec, reply.header.stamp.nanosec)
    finally:
        client.close()
        node.stop()

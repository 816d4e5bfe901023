"""person_target's message conversions: PoseArray -> Candidates, target -> pose and TF (no DDS)."""

import numpy as np
import pytest

pytest.importorskip('rclpy')
# tf2_msgs comes with ROS 2; in the wheels venv, with the overlay make setup builds
pytest.importorskip('tf2_msgs')
from ros2_posenet_msgs.msg import PersonPose  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

from ros2_posenet.person_target_node import (candidates_from_msg, stamp_seconds,  # noqa: E402
                                             target_pose_msg, transform_msg)
from ros2_posenet.pose_messages import poses_to_msg  # noqa: E402
from ros2_posenet.posenet import PoseArrays  # noqa: E402
from ros2_posenet.posenet.following import bearing_quaternion  # noqa: E402


def _header() -> Header:
    header = Header(frame_id='camera_color_optical_frame')
    header.stamp.sec, header.stamp.nanosec = 1_700_000_123, 456_789_000
    return header


def test_candidates_from_the_nodes_pose_array():
    xy = np.zeros((2, 17, 2))
    xy[0, :, 0], xy[0, :, 1] = np.linspace(10, 50, 17), np.linspace(20, 220, 17)
    xy[1, :, 0], xy[1, :, 1] = np.linspace(300, 340, 17), np.linspace(100, 140, 17)
    arrays = PoseArrays(xy, np.full((2, 17), 0.9), np.array([0.9, 0.8]))
    msg = poses_to_msg(arrays, _header(), 640, 480, ids=[3, 0])
    msg.poses[0].position.x, msg.poses[0].position.z = 0.4, 2.5
    msg.poses[0].has_position = True
    candidates = candidates_from_msg(msg)
    assert candidates.ids.tolist() == [3, 0]
    assert candidates.boxes == pytest.approx(np.array([[10, 20, 50, 220], [300, 100, 340, 140]]))
    assert candidates.has_position.tolist() == [True, False]
    assert candidates.positions[0] == pytest.approx([0.4, 0.0, 2.5])
    assert candidates.image_size == (640, 480)
    msg.poses = []
    assert len(candidates_from_msg(msg)) == 0


def test_target_pose_and_transform_carry_the_image_header_and_bearing():
    target = PersonPose(id=5, has_position=True)
    target.position.x, target.position.y, target.position.z = -1.0, 0.3, 2.0
    pose = target_pose_msg(_header(), target)
    assert pose.header == _header()
    assert (pose.pose.position.x, pose.pose.position.y, pose.pose.position.z) == (-1.0, 0.3, 2.0)
    q = bearing_quaternion((-1.0, 0.3, 2.0))
    o = pose.pose.orientation
    assert (o.x, o.y, o.z, o.w) == pytest.approx((q.x, q.y, q.z, q.w))
    assert o.y < 0  # a person to the left (-x) turns +z towards -x: negative about +y
    transform = transform_msg(pose, 'target')
    assert transform.header == _header() and transform.child_frame_id == 'target'
    assert transform.transform.rotation == pose.pose.orientation
    assert transform.transform.translation.z == 2.0
    assert stamp_seconds(_header().stamp) == pytest.approx(1_700_000_123.456789)

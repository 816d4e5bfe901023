"""Poses to ros2_posenet_msgs/PoseArray: every field, the header, and a serialization round trip.

Run with ROS_PYTHON_CHECK_FIELDS=1 to have every field assignment type-checked as well.
"""

import numpy as np
import pytest

pytest.importorskip('ros2_posenet_msgs')
from rclpy.serialization import deserialize_message, serialize_message  # noqa: E402
from ros2_posenet_msgs.msg import Keypoint as KeypointMsg, PoseArray  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

from ros2_posenet import pose_messages  # noqa: E402
from ros2_posenet.pose_messages import pose_array_to_arrays, pose_array_to_poses  # noqa: E402
from ros2_posenet.posenet import (Keypoint, KeypointId, NUM_KEYPOINTS, PART_NAMES,  # noqa: E402
                                  Pose, PoseArrays)


def poses_to_msg(poses, header, width, height, ids=None):
    """``pose_messages.poses_to_msg`` on the arrays of ``Pose`` objects."""
    return pose_messages.poses_to_msg(PoseArrays.from_poses(poses), header, width, height, ids)


def make_pose(person: int) -> Pose:
    """Pose with a distinct, exactly float32-representable value in every field."""
    keypoints = tuple(
        Keypoint(id=i, name=PART_NAMES[i], x=100.0 * person + 10.0 * i + 0.25,
                 y=50.0 * person + 5.0 * i + 0.5, score=(i + 1) / 32)
        for i in range(NUM_KEYPOINTS))
    return Pose(score=0.5 + person / 64, keypoints=keypoints)


def make_header() -> Header:
    """Header with a distinctive stamp and the camera optical frame."""
    header = Header(frame_id='camera_color_optical_frame')
    header.stamp.sec = 1700000123
    header.stamp.nanosec = 456789012
    return header


def check_poses(msg: PoseArray, poses: list[Pose]) -> None:
    """Assert every field of ``msg.poses`` against ``poses``."""
    assert len(msg.poses) == len(poses)
    for person_msg, pose in zip(msg.poses, poses):
        assert person_msg.id == 0
        assert person_msg.score == pose.score
        assert len(person_msg.keypoints) == NUM_KEYPOINTS
        for i, (keypoint_msg, keypoint) in enumerate(zip(person_msg.keypoints, pose.keypoints)):
            assert keypoint_msg.id == i == keypoint.id
            assert keypoint_msg.name == PART_NAMES[i]
            assert keypoint_msg.score == keypoint.score
            assert (keypoint_msg.x, keypoint_msg.y) == (keypoint.x, keypoint.y)
            assert keypoint_msg.has_position is False
            position = keypoint_msg.position
            assert (position.x, position.y, position.z) == (0.0, 0.0, 0.0)
        xs = [keypoint.x for keypoint in pose.keypoints]
        ys = [keypoint.y for keypoint in pose.keypoints]
        assert (person_msg.x_min, person_msg.y_min, person_msg.x_max, person_msg.y_max) == (
            min(xs), min(ys), max(xs), max(ys))


def test_every_field_is_filled():
    """Every field is filled."""
    poses = [make_pose(person) for person in range(3)]
    header = make_header()
    msg = poses_to_msg(poses, header, 641, 481)
    assert msg.header == header
    assert msg.header is not header
    assert (msg.image_width, msg.image_height) == (641, 481)
    check_poses(msg, poses)


def test_fields_survive_serialization():
    """Fields survive serialization."""
    poses = [make_pose(person) for person in range(2)]
    msg = poses_to_msg(poses, make_header(), 640, 480)
    copy = deserialize_message(serialize_message(msg), PoseArray)
    assert copy.header.stamp.sec == 1700000123
    assert copy.header.stamp.nanosec == 456789012
    assert copy.header.frame_id == 'camera_color_optical_frame'
    assert (copy.image_width, copy.image_height) == (640, 480)
    check_poses(copy, poses)


def test_keypoint_ids_match_message_constants():
    """Keypoint ids match message constants."""
    msg = poses_to_msg([make_pose(0)], make_header(), 640, 480)
    keypoints = msg.poses[0].keypoints
    for part in KeypointId:
        assert keypoints[getattr(KeypointMsg, part.name)].id == part.value
        assert keypoints[getattr(KeypointMsg, part.name)].name == PART_NAMES[part.value]


def test_no_people_gives_empty_array_with_header():
    """No people gives empty array with header."""
    header = make_header()
    msg = poses_to_msg([], header, 320, 240)
    assert msg.poses == []
    assert msg.header == header
    assert (msg.image_width, msg.image_height) == (320, 240)


def test_bounding_box_spans_low_score_keypoints_too():
    """Bounding box spans low score keypoints too."""
    pose = make_pose(0)
    far = pose.keypoints[KeypointId.LEFT_ANKLE]
    keypoints = list(pose.keypoints)
    keypoints[far.id] = Keypoint(far.id, far.name, x=900.0, y=700.0, score=0.0)
    msg = poses_to_msg([Pose(pose.score, tuple(keypoints))], make_header(), 1000, 800)
    assert (msg.poses[0].x_max, msg.poses[0].y_max) == (900.0, 700.0)


def test_numpy_scalars_become_python_numbers():
    """Numpy scalars in a pose become Python floats in the message."""
    keypoints = tuple(
        Keypoint(id=i, name=PART_NAMES[i], x=np.float32(i), y=np.float64(2 * i),
                 score=np.float32(0.5))
        for i in range(NUM_KEYPOINTS))
    msg = poses_to_msg([Pose(np.float32(0.75), keypoints)], make_header(), 64, 48)
    person = msg.poses[0]
    assert type(person.score) is float and person.score == 0.75
    assert all(type(keypoint.x) is float and type(keypoint.score) is float
               for keypoint in person.keypoints)
    assert (person.x_min, person.y_min, person.x_max, person.y_max) == (0.0, 0.0, 16.0, 32.0)


def test_pose_array_reads_back_into_core_poses():
    """Message -> core poses is the inverse of poses_to_msg for float32-exact values."""
    poses = [make_pose(0), make_pose(1)]
    assert pose_array_to_poses(poses_to_msg(poses, make_header(), 640, 480)) == poses
    assert pose_array_to_poses(PoseArray()) == []


def test_ids_are_carried_and_arrays_read_back():
    poses = [make_pose(0), make_pose(1)]
    msg = poses_to_msg(poses, make_header(), 640, 480, ids=[7, 0])
    assert [person.id for person in msg.poses] == [7, 0]
    arrays = pose_array_to_arrays(msg)
    assert arrays.keypoints_xy.tolist() == PoseArrays.from_poses(poses).keypoints_xy.tolist()
    with pytest.raises(ValueError, match='ids'):
        poses_to_msg(poses, make_header(), 640, 480, ids=[1])

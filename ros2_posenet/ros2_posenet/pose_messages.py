"""Conversion of estimated poses into ``ros2_posenet_msgs/PoseArray`` messages."""

from collections.abc import Sequence

from ros2_posenet_msgs.msg import PersonPose, PoseArray
from std_msgs.msg import Header

from .posenet.pose import Keypoint, Pose


def poses_to_msg(poses: Sequence[Pose], header: Header, image_width: int,
                 image_height: int) -> PoseArray:
    """Build the ``PoseArray`` for one image.

    Every person carries all 17 keypoints (``id``, ``name``, ``score``, ``x``, ``y``;
    ``has_position`` false, ``position`` zero: no depth is used here) and ``id`` 0 (not tracked).
    The bounding box spans all 17 keypoints whatever their score, like TensorFlow.js
    ``getBoundingBox``: PoseNet places every keypoint, and a score cut here would make the box
    depend on a threshold the message does not carry (consumers can recompute a box from the
    keypoints and their scores).

    Args:
        poses: Poses in pixels of the source image (x right, y down), in the order to publish
            (the engine's order: highest score first).
        header: Header of the source image; stamp and frame_id are copied (not shared).
        image_width: Width in pixels of the source image.
        image_height: Height in pixels of the source image.

    Returns:
        The message, one ``PersonPose`` per pose in ``poses`` order.
    """
    msg = PoseArray()
    msg.header.stamp.sec = header.stamp.sec
    msg.header.stamp.nanosec = header.stamp.nanosec
    msg.header.frame_id = header.frame_id
    msg.image_width = int(image_width)
    msg.image_height = int(image_height)
    msg.poses = [_person_msg(pose) for pose in poses]
    return msg


def _person_msg(pose: Pose) -> PersonPose:
    # Filling the 17 Keypoint messages PersonPose() creates is about twice as fast as
    # constructing them with keyword arguments (10 people: ~0.6 ms instead of ~1.1 ms).
    person = PersonPose()
    person.score = float(pose.score)
    xs = []
    ys = []
    for keypoint, keypoint_msg in zip(pose.keypoints, person.keypoints):
        x = float(keypoint.x)
        y = float(keypoint.y)
        keypoint_msg.id = int(keypoint.id)
        keypoint_msg.name = keypoint.name
        keypoint_msg.score = float(keypoint.score)
        keypoint_msg.x = x
        keypoint_msg.y = y
        xs.append(x)
        ys.append(y)
    person.x_min = min(xs)
    person.y_min = min(ys)
    person.x_max = max(xs)
    person.y_max = max(ys)
    return person


def pose_array_to_poses(msg: PoseArray) -> list[Pose]:
    """Read the poses of a ``PoseArray`` back into core ``Pose`` objects (for drawing, tools).

    Args:
        msg: A message as published by the node (17 keypoints per person, index == id).

    Returns:
        One ``Pose`` per ``PersonPose``, coordinates in pixels of the source image.

    Raises:
        ValueError: A person's keypoints are not the 17 PoseNet parts in id order.
    """
    return [
        Pose(float(person.score), tuple(
            Keypoint(int(kp.id), kp.name, float(kp.x), float(kp.y), float(kp.score))
            for kp in person.keypoints))
        for person in msg.poses]

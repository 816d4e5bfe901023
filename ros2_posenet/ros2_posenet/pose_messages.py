"""Conversion of estimated poses into ``ros2_posenet_msgs/PoseArray`` messages and back."""

from collections.abc import Sequence

import numpy as np
from ros2_posenet_msgs.msg import PersonPose, PoseArray
from std_msgs.msg import Header

from ros2_posenet.image_messages import copy_header
from ros2_posenet.posenet import bounding_boxes, Keypoint, PART_NAMES, Pose, PoseArrays
from ros2_posenet.posenet.spatial import Keypoints3d, PersonPositions


def poses_to_msg(poses: PoseArrays, header: Header, image_width: int, image_height: int,
                 ids: Sequence[int] | None = None, keypoints_3d: Keypoints3d | None = None,
                 positions: PersonPositions | None = None) -> PoseArray:
    """Build the ``PoseArray`` for one image.

    Every person carries all 17 keypoints (``id``, ``name``, ``score``, ``x``, ``y``, and the
    measured ``position`` with ``has_position`` where ``keypoints_3d`` has one); the person's
    ``position``, ``has_position`` and ``position_source`` come from ``positions``. The box spans
    all 17 keypoints whatever their score, like TensorFlow.js ``getBoundingBox``
    (``pose_geometry.bounding_boxes``): PoseNet places every keypoint, and a score cut here
    would make the box depend on a threshold the message does not carry.

    Args:
        poses: Poses in pixels of the source image (x right, y down), in the order to publish
            (see ``PoseArray.msg`` for the order the node uses).
        header: Header of the source image; stamp and frame_id are copied (not shared).
        image_width: Width in pixels of the source image.
        image_height: Height in pixels of the source image.
        ids: Track id per pose (0 = not tracked); ``None`` gives 0 to every pose.
        keypoints_3d: Measured keypoints in metres (header frame), or ``None``.
        positions: Person positions in metres (header frame), or ``None``.

    Returns:
        The message, one ``PersonPose`` per pose in ``poses`` order.
    """
    msg = PoseArray()
    msg.header = copy_header(header)
    msg.image_width = int(image_width)
    msg.image_height = int(image_height)
    count = len(poses)
    if ids is not None and len(ids) != count:
        raise ValueError(f'{len(ids)} ids for {count} poses')
    if not count:
        return msg
    xy = poses.keypoints_xy.tolist()
    keypoint_scores = poses.keypoint_scores.tolist()
    boxes = bounding_boxes(poses.keypoints_xy).tolist()
    pose_scores = poses.pose_scores.tolist()
    measured = keypoints_3d.valid.tolist() if keypoints_3d is not None else None
    points = keypoints_3d.xyz.tolist() if keypoints_3d is not None else None
    sources = positions.source.tolist() if positions is not None else None
    centres = positions.xyz.tolist() if positions is not None else None
    people = []
    for index in range(count):
        # filling the 17 Keypoint messages PersonPose() creates beats constructing new ones
        person = PersonPose()
        person.id = 0 if ids is None else int(ids[index])
        person.score = pose_scores[index]
        person.x_min, person.y_min, person.x_max, person.y_max = boxes[index]
        for part_id, (keypoint_msg, (x, y), score) in enumerate(
                zip(person.keypoints, xy[index], keypoint_scores[index])):
            keypoint_msg.id = part_id
            keypoint_msg.name = PART_NAMES[part_id]
            keypoint_msg.score = score
            keypoint_msg.x = x
            keypoint_msg.y = y
            if measured is not None and points is not None and measured[index][part_id]:
                position = keypoint_msg.position
                position.x, position.y, position.z = points[index][part_id]
                keypoint_msg.has_position = True
        if sources is not None and centres is not None and sources[index]:
            person.position.x, person.position.y, person.position.z = centres[index]
            person.has_position = True
            person.position_source = sources[index]
        people.append(person)
    msg.poses = people
    return msg


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


def pose_array_to_arrays(msg: PoseArray) -> PoseArrays:
    """Read the poses of a ``PoseArray`` back into ``PoseArrays`` (source-image pixels)."""
    if not msg.poses:
        return PoseArrays.empty()
    return PoseArrays(
        np.array([[(kp.x, kp.y) for kp in person.keypoints] for person in msg.poses],
                 dtype=np.float64),
        np.array([[kp.score for kp in person.keypoints] for person in msg.poses],
                 dtype=np.float64),
        np.array([person.score for person in msg.poses], dtype=np.float64))

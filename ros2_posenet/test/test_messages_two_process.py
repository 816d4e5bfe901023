"""Interfaces across processes: a PoseArray with two people published by a child process.

Real rclpy and real DDS over loopback: the child process fills every field of the message
with distinct values; this process subscribes and reads every field back.
"""

import os
import subprocess
import sys
import textwrap
import time

import pytest

rclpy = pytest.importorskip('rclpy')
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy  # noqa: E402
from ros2_posenet_msgs.msg import Keypoint, PoseArray  # noqa: E402

from ros2_posenet.posenet.keypoints import KeypointId, PART_NAMES  # noqa: E402

TOPIC = 'test_two_process_poses'

PUBLISHER = textwrap.dedent(f'''
    import time
    import rclpy
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
    from ros2_posenet_msgs.msg import Keypoint, PersonPose, PoseArray
    rclpy.init()
    try:
        node = rclpy.create_node('two_process_publisher')
        qos = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL)
        publisher = node.create_publisher(PoseArray, '{TOPIC}', qos)
        msg = PoseArray()
        msg.header.stamp.sec = 1700000123
        msg.header.stamp.nanosec = 456789012
        msg.header.frame_id = 'camera_color_optical_frame'
        msg.image_width = 641
        msg.image_height = 481
        names = {list(PART_NAMES)!r}
        for person in range(2):
            pose = PersonPose()
            pose.id = 7 + person
            pose.score = 0.5 + 0.25 * person
            for part, keypoint in enumerate(pose.keypoints):
                keypoint.id = part
                keypoint.name = names[part]
                keypoint.score = part / 16.0
                keypoint.x = 100.0 * person + part
                keypoint.y = 200.0 + 0.5 * part
                keypoint.position.x = float(person)
                keypoint.position.y = float(part)
                keypoint.position.z = 2.5
                keypoint.has_position = part % 2 == 0
            pose.x_min, pose.y_min = 100.0 * person, 200.0
            pose.x_max, pose.y_max = 100.0 * person + 16.0, 208.0
            msg.poses.append(pose)
        publisher.publish(msg)
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline:
            rclpy.spin_once(node, timeout_sec=0.1)
    finally:
        rclpy.try_shutdown()
''')


@pytest.fixture()
def ros_context():
    """Initialise rclpy for one test and shut it down afterwards."""
    context = rclpy.context.Context()
    rclpy.init(context=context)
    try:
        yield context
    finally:
        rclpy.try_shutdown(context=context)


def test_pose_array_with_two_people_crosses_processes(ros_context):
    """Every field written by the publisher process arrives unchanged."""
    publisher = subprocess.Popen([sys.executable, '-c', PUBLISHER], env=dict(os.environ))
    node = rclpy.create_node('two_process_subscriber', context=ros_context)
    executor = rclpy.executors.SingleThreadedExecutor(context=ros_context)
    executor.add_node(node)
    received: list[PoseArray] = []
    qos = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
    node.create_subscription(PoseArray, TOPIC, received.append, qos)
    try:
        deadline = time.monotonic() + 20.0
        while not received and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.1)
    finally:
        publisher.terminate()
        publisher.wait(timeout=10)
        executor.shutdown()
        node.destroy_node()

    assert received, 'no PoseArray received from the publisher process within 20 s'
    msg = received[0]
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (1700000123, 456789012)
    assert msg.header.frame_id == 'camera_color_optical_frame'
    assert (msg.image_width, msg.image_height) == (641, 481)
    assert len(msg.poses) == 2
    for person, pose in enumerate(msg.poses):
        assert pose.id == 7 + person
        assert pose.score == pytest.approx(0.5 + 0.25 * person)
        assert len(pose.keypoints) == 17
        for part, keypoint in enumerate(pose.keypoints):
            assert keypoint.id == part
            assert keypoint.name == PART_NAMES[part]
            assert keypoint.score == pytest.approx(part / 16.0)
            assert keypoint.x == pytest.approx(100.0 * person + part)
            assert keypoint.y == pytest.approx(200.0 + 0.5 * part)
            assert (keypoint.position.x, keypoint.position.y, keypoint.position.z) == (
                float(person), float(part), 2.5)
            assert keypoint.has_position == (part % 2 == 0)
        assert (pose.x_min, pose.y_min, pose.x_max, pose.y_max) == (
            100.0 * person, 200.0, 100.0 * person + 16.0, 208.0)


def test_keypoint_constants_match_the_core_part_table():
    """The message constants and the engine's part ids are the same table."""
    for part in KeypointId:
        assert getattr(Keypoint, part.name) == part.value
        assert PART_NAMES[part.value]
    assert len(PART_NAMES) == len(KeypointId) == 17

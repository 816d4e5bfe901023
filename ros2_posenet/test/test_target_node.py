"""The installed ``person_target_node`` in its own process, over real DDS, fed synthetic poses.

Two tests, each with its own node process and ROS domain: ``select_target`` locks and
releases while ``target`` follows; and a consumer subscribed as Nav2's ``following_server`` is
(``target_pose``, reliable, keep-last 1) plus a plain ``/tf`` listener get the target with the
image's stamp and camera frame, and nothing once the person is gone.
"""

import os
from pathlib import Path
import time
from typing import Any, Callable

import pytest

rclpy = pytest.importorskip('rclpy')
# tf2_msgs comes with ROS 2; in the wheels venv, with the overlay make setup builds
pytest.importorskip('tf2_msgs')
from geometry_msgs.msg import PoseStamped  # noqa: E402
from rcl_interfaces.srv import GetParameters  # noqa: E402
from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile,  # noqa: E402
                       ReliabilityPolicy)
from ros2_posenet_msgs.msg import PersonPose, PoseArray  # noqa: E402
from ros2_posenet_msgs.srv import SelectTarget  # noqa: E402
from tf2_msgs.msg import TFMessage  # noqa: E402

from node_harness import child_env, RosClient, wait_until  # noqa: E402
from ros2_posenet.posenet.following import bearing_quaternion  # noqa: E402
from ros2_posenet.tools.node_process import NodeProcess  # noqa: E402

DOMAIN_ID = 76  # and 77
PACKAGE = 'ros2_posenet'
EXECUTABLE = 'person_target_node'
CAMERA_FRAME = 'camera_color_optical_frame'
T0_SEC = 1_700_000_000
FRAME_NS = 100_000_000  # 10 fps of image stamps
NAV2_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1,
                      reliability=ReliabilityPolicy.RELIABLE,
                      durability=DurabilityPolicy.VOLATILE)
"""``rclcpp::QoS(1)``: how Nav2's following_server subscribes to its pose topic."""
TF_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100,
                    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
POSES_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)


def start_node(domain_id: int, ros_home: Path, parameters: dict[str, Any]) -> NodeProcess:
    """Start the installed node with the installed YAML and ``-p`` overrides."""
    from ament_index_python.packages import (get_package_prefix, get_package_share_directory,
                                             PackageNotFoundError)
    try:
        executable = Path(get_package_prefix(PACKAGE)) / 'lib' / PACKAGE / EXECUTABLE
    except PackageNotFoundError:
        executable = None
    if executable is None or not executable.exists():
        message = f'{EXECUTABLE} is not installed: make build, source install/setup.bash'
        if os.environ.get('POSENET_REQUIRE_DATA') == '1':
            pytest.fail(message)
        pytest.skip(message)
    params_file = Path(get_package_share_directory(PACKAGE)) / 'config' / 'person_target.yaml'
    command = [str(executable), '--ros-args', '--params-file', str(params_file)]
    for name, value in parameters.items():
        command += ['-p', f'{name}:={str(value).lower() if isinstance(value, bool) else value}']
    return NodeProcess(command, child_env(domain_id, ros_home))


def person(track_id: int, position: tuple[float, float, float] | None, tag: int) -> PersonPose:
    """A person with a box and (optionally) a position; ``tag`` marks the frame it is from."""
    msg = PersonPose()
    msg.id = track_id
    msg.score = 0.9
    msg.x_min, msg.y_min = 100.0 * track_id, 50.0
    msg.x_max, msg.y_max = 100.0 * track_id + 80.0, 400.0
    msg.keypoints[0].x = float(tag)  # PersonPose has no header: the frame travels here
    if position is not None:
        msg.position.x, msg.position.y, msg.position.z = position
        msg.has_position = True
        msg.position_source = PersonPose.POSITION_DEPTH
    return msg


def frame(index: int, people: dict[int, tuple[float, float, float] | None]) -> PoseArray:
    """The PoseArray of image ``index`` (stamped ``index`` frames after T0)."""
    msg = PoseArray()
    msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(
        T0_SEC * 1_000_000_000 + index * FRAME_NS, 1_000_000_000)
    msg.header.frame_id = CAMERA_FRAME
    msg.image_width, msg.image_height = 640, 480
    msg.poses = [person(i, position, index) for i, position in people.items()]
    return msg


def first(received: list, match: Callable[[Any], bool], timeout: float = 5.0) -> Any:
    """Wait for the first message satisfying ``match``."""
    return wait_until(lambda: next((m for m in list(received) if match(m)), None), timeout,
                      'no matching message')


@pytest.fixture
def ros_home(tmp_path: Path) -> Path:
    return tmp_path / 'ros_home'


def test_select_target_locks_and_releases(ros_home):
    node = start_node(DOMAIN_ID, ros_home, {'policy': 'nearest', 'switch_time': 0.3})
    ros = RosClient(DOMAIN_ID)
    try:
        poses = ros.node.create_publisher(PoseArray, 'poses', POSES_QOS)
        targets = ros.collect(PersonPose, 'target', QoSProfile(depth=50))
        select_client = ros.node.create_client(SelectTarget, '/person_target/select_target')
        get_parameters = ros.node.create_client(GetParameters, '/person_target/get_parameters')
        wait_until(lambda: poses.get_subscription_count() > 0, 20.0, 'node does not subscribe')
        wait_until(lambda: ros.node.count_publishers('target') > 0, 10.0, 'no target writer')
        people = {1: (0.3, 0.0, 2.0), 2: (-0.5, 0.1, 4.0)}  # 1 is nearer

        def target_of(index: int) -> int:
            poses.publish(frame(index, people))
            return first(targets, lambda p: p.keypoints[0].x == index).id

        def select(track_id: int) -> SelectTarget.Response:
            return ros.call(select_client, SelectTarget.Request(id=track_id))

        def locked_id() -> int:
            request = GetParameters.Request(names=['locked_id'])
            return ros.call(get_parameters, request).values[0].integer_value

        first_target = wait_until(lambda: _retry(poses, targets, frame(0, people)), 10.0,
                                  'no target for the first frame')
        assert first_target.id == 1
        assert [target_of(i) for i in range(1, 4)] == [1, 1, 1]

        refused = select(9)
        assert not refused.success
        assert 'not seen' in refused.message and '[1, 2]' in refused.message
        locked = select(2)
        assert locked.success, locked.message
        assert locked_id() == 2
        assert [target_of(i) for i in range(4, 10)] == [2] * 6  # though 1 is nearer

        released = select(0)
        assert released.success and 'nearest' in released.message
        assert locked_id() == 0
        after = [target_of(i) for i in range(10, 16)]
        # switch_time 0.3 s of stamps (3 frames): the target does not jump at the release
        assert after == [2, 2, 2, 1, 1, 1], after
    finally:
        ros.close()
        code = node.stop()
    assert code == 0, node.output
    assert 'following track 1 (nearest)' in node.output
    assert 'target switched from track 2 to 1' in node.output


def _retry(publisher: Any, received: list, msg: PoseArray) -> PersonPose | None:
    """Publish ``msg`` again (the first may precede matching) and look for its reply."""
    publisher.publish(msg)
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        for reply in list(received):
            if reply.keypoints[0].x == msg.poses[0].keypoints[0].x:
                return reply
        time.sleep(0.01)
    return None


def test_a_nav2_style_consumer_and_tf_listener(ros_home):
    domain = DOMAIN_ID + 1
    node = start_node(domain, ros_home, {'target_timeout': 0.5, 'publish_person_frames': True})
    ros = RosClient(domain)
    try:
        poses = ros.node.create_publisher(PoseArray, 'poses', POSES_QOS)
        target_poses: list[PoseStamped] = []
        ros.node.create_subscription(PoseStamped, 'target_pose', target_poses.append, NAV2_QOS)
        tf_messages = ros.collect(TFMessage, '/tf', TF_QOS)
        wait_until(lambda: poses.get_subscription_count() > 0, 20.0, 'node does not subscribe')
        writers = wait_until(lambda: ros.node.get_publishers_info_by_topic('/target_pose'),
                             10.0, 'no target_pose writer')
        assert writers[0].qos_profile.reliability == ReliabilityPolicy.RELIABLE
        assert writers[0].qos_profile.durability == DurabilityPolicy.VOLATILE

        position = (0.5, 0.2, 2.0)
        seen = {1: position, 0: (0.0, 0.0, 1.0)}  # an untracked person is never the target

        def stamped(index: int) -> Callable[[Any], bool]:
            stamp = frame(index, {}).header.stamp
            return lambda m: m.header.stamp == stamp

        pose = wait_until(lambda: _retry_pose(poses, target_poses, frame(0, seen)), 10.0,
                          'no target_pose for the first frame')
        for index in range(1, 4):
            poses.publish(frame(index, seen))
            pose = first(target_poses, stamped(index))
        assert pose.header.frame_id == CAMERA_FRAME
        assert pose.header.stamp == frame(3, {}).header.stamp
        p, q = pose.pose.position, pose.pose.orientation
        assert (p.x, p.y, p.z) == pytest.approx(position)
        expected = bearing_quaternion(position)
        assert (q.x, q.y, q.z, q.w) == pytest.approx((expected.x, expected.y, expected.z,
                                                      expected.w))
        tf = first(tf_messages, lambda m: any(
            t.child_frame_id == 'target' and t.header.stamp == pose.header.stamp
            for t in m.transforms))
        frames = {t.child_frame_id: t for t in tf.transforms}
        assert set(frames) == {'target', 'person_1'}
        target = frames['target']
        assert target.header.frame_id == CAMERA_FRAME
        translation = target.transform.translation
        assert (translation.x, translation.y, translation.z) == pytest.approx(position)
        assert target.transform.rotation == pose.pose.orientation

        # the person leaves: nothing is published, during target_timeout (0.5 s) or after it
        count = len(target_poses)
        for index in range(4, 14):
            poses.publish(frame(index, {0: (0.0, 0.0, 1.0)}))
            time.sleep(0.05)
        time.sleep(0.5)
        assert len(target_poses) == count
        gone = {_stamp(frame(index, {})) for index in range(4, 14)}
        assert not [t for m in list(tf_messages) for t in m.transforms if _stamp(t) in gone]
        # someone else appears after the timeout: the policy picks them at once
        poses.publish(frame(14, {2: (-1.0, 0.0, 3.0)}))
        assert first(target_poses, stamped(14)).pose.position.x == pytest.approx(-1.0)
    finally:
        ros.close()
        code = node.stop()
    assert code == 0, node.output
    assert 'target 1 lost' in node.output


def _stamp(msg: Any) -> tuple[int, int]:
    return msg.header.stamp.sec, msg.header.stamp.nanosec


def _retry_pose(publisher: Any, received: list, msg: PoseArray) -> PoseStamped | None:
    """Publish ``msg`` again (the first may precede matching) and look for its pose."""
    publisher.publish(msg)
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        for reply in list(received):
            if reply.header.stamp == msg.header.stamp:
                return reply
        time.sleep(0.01)
    return None

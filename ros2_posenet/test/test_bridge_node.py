"""The pose_bridge node with the real posenet node: what WebSocket clients and an OSC server
receive is what the node published.

The installed ``posenet_node`` and ``pose_bridge_node`` run in their own processes on a private
ROS domain; a client node publishes test_couple.jpg frames and collects the ``PoseArray``s, two
WebSocket clients collect the JSON, and an OSC server the datagrams; one client then vanishes
mid-stream while the other keeps receiving.
"""

import contextlib
import json
from pathlib import Path
import re
import threading
import time

import numpy as np
import pytest

rclpy = pytest.importorskip('rclpy')
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402
from websockets.sync.client import connect  # noqa: E402

from node_harness import (child_env, couple_frame_bgr, find_by_stamp, IMAGE_QOS,  # noqa: E402
                          LifecycleClient, NodeProcess, publish_until, raw_image, RosClient,
                          wait_until)
from ros2_posenet.tools import node_process  # noqa: E402
from test_bridge_harness import frames_of, MODEL, OscRecorder  # noqa: E402

DOMAIN_ID = 71
PAGE = re.compile(r'WebSocket on http://127\.0\.0\.1:(\d+)/')


def bridge_executable() -> Path:
    from ament_index_python.packages import get_package_prefix
    path = Path(get_package_prefix('ros2_posenet')) / 'lib' / 'ros2_posenet' / 'pose_bridge_node'
    if not path.exists():
        pytest.fail('pose_bridge_node is not installed: make build')
    return path


class Collector:
    """A WebSocket client in a thread, keeping every JSON text message."""

    def __init__(self, port: int) -> None:
        self.documents: list[dict] = []
        self.error: BaseException | None = None
        self._exit = contextlib.ExitStack()
        self.websocket = self._exit.enter_context(
            connect(f'ws://127.0.0.1:{port}/', close_timeout=0.2))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    message = self.websocket.recv(timeout=0.1)
                except TimeoutError:
                    continue
                if isinstance(message, str):
                    self.documents.append(json.loads(message))
        except ConnectionClosed as error:
            self.error = error

    def drop(self) -> None:
        """Vanish without a closing handshake."""
        self._stop.set()
        self._thread.join(2.0)
        self.websocket.socket.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        self._exit.close()


@pytest.fixture(scope='module')
def osc():
    with OscRecorder() as recorder:
        yield recorder


@pytest.fixture(scope='module')
def nodes(tmp_path_factory, data_dir, osc):
    ros_home = tmp_path_factory.mktemp('ros_home')
    posenet = NodeProcess(DOMAIN_ID, ros_home, {'image_qos_reliability': 'reliable',
                                                'model_path': MODEL})
    bridge = node_process.NodeProcess(
        [str(bridge_executable()), '--ros-args', '-p', 'websocket_port:=0',
         '-p', f'osc_port:={osc.port}', '-p', 'status_period:=1.0'],
        child_env(DOMAIN_ID, ros_home))
    try:
        match = bridge.wait_for_output(PAGE.pattern, 30.0)
        assert match, bridge.output
        bridge.port = int(match.group(1))
        yield posenet, bridge
    finally:
        bridge.stop()
        posenet.stop()


@pytest.fixture(scope='module')
def client(nodes):
    ros = RosClient(DOMAIN_ID, 'pose_bridge_test_client')
    ros.image_publisher = ros.node.create_publisher(Image, 'image', IMAGE_QOS)
    ros.poses = ros.collect(PoseArray, 'poses')
    try:
        yield ros
    finally:
        ros.close()


def _same(document: dict, msg: PoseArray) -> bool:
    """Whether a JSON message holds exactly the poses of a PoseArray (float32 values)."""
    if document['image'] != {'width': msg.image_width, 'height': msg.image_height}:
        return False
    if len(document['poses']) != len(msg.poses):
        return False
    for pose, person in zip(document['poses'], msg.poses):
        if pose['id'] != person.id or np.float32(pose['score']) != np.float32(person.score):
            return False
        for keypoint, kp in zip(pose['keypoints'], person.keypoints):
            if keypoint['part'] != kp.name or (
                    np.float32(keypoint['score']), np.float32(keypoint['position']['x']),
                    np.float32(keypoint['position']['y'])) != (
                    np.float32(kp.score), np.float32(kp.x), np.float32(kp.y)):
                return False
    return True


def test_clients_receive_the_published_poses(nodes, client, data_dir, osc):
    posenet, bridge = nodes
    frame = couple_frame_bgr(data_dir)
    if not client.image_publisher.get_subscription_count():
        assert posenet.wait_for_output(r'active: ', 30.0), posenet.output
    wait_until(lambda: client.image_publisher.get_subscription_count() > 0, 30.0,
               'posenet does not subscribe')
    wait_until(lambda: client.node.count_subscribers('poses') >= 2, 30.0,
               'pose_bridge does not subscribe to poses')
    first, second = Collector(bridge.port), Collector(bridge.port)
    try:
        wait_until(lambda: 'client' in bridge.output and bridge.output.count('connected') >= 2,
                   10.0, 'the bridge saw no clients')
        osc.clear()
        replies = []
        for index in range(5):
            image = raw_image(frame, 'bgr8', index)
            replies.append(publish_until(client.image_publisher, image, client.poses, index))
            # the bridge's subscription may match posenet's publisher after the client's did
            # (discovery under load): the frame is sent again until its JSON arrives
            deadline = time.monotonic() + 30.0
            while not (len(first.documents) > index and len(second.documents) > index):
                assert time.monotonic() < deadline, f'no JSON of frame {index}'
                client.image_publisher.publish(image)
                time.sleep(0.5)
        assert all(len(reply.poses) >= 2 for reply in replies)
        assert replies[-1].poses[0].id > 0  # tracked from the third frame on
        published = list(client.poses)
        for collector in (first, second):
            for document in collector.documents:
                assert any(_same(document, msg) for msg in published), document
        last = find_by_stamp(client.poses, 4)
        assert any(_same(document, last) for document in first.documents)
        # OSC carries the same frames: amount, ids and nose coordinates of the last one (a
        # re-sent frame repeats a stamp, which restarts the tracker: compare the newest)

        def final_matches(got: list) -> bool:
            frames = frames_of(got)
            if len(frames) < 5 or not client.poses:
                return False
            newest = client.poses[-1]
            final = {address: values for address, _, values in frames[-1]}
            ids = sorted(values[0] for address, values in final.items()
                         if address.endswith('/id'))
            noses = sorted(values[1] for address, values in final.items()
                           if address.endswith('/nose'))
            return (final.get('/poses/amount') == [len(newest.poses)]
                    and ids == sorted(person.id for person in newest.poses)
                    and noses == sorted(float(np.float32(person.keypoints[0].x))
                                        for person in newest.poses))
        assert osc.wait_for(final_matches)

        second.drop()  # a client vanishes mid-stream
        before = len(first.documents)
        for index in range(5, 8):
            publish_until(client.image_publisher, raw_image(frame, 'bgr8', index),
                          client.poses, index)
        wait_until(lambda: len(first.documents) >= before + 3, 10.0,
                   'the remaining client stopped receiving')
        assert _same(first.documents[-1], find_by_stamp(client.poses, 7))
        wait_until(lambda: 'left (1 now)' in bridge.output, 10.0, 'the drop is noticed')
        assert bridge.running() and posenet.running()
    finally:
        first.close()
        second.close()


def test_runtime_osc_format_and_read_only_addresses(nodes, client, data_dir, osc):
    parameters = LifecycleClient(client, 'pose_bridge')
    successful, reason = parameters.set_string('websocket_host', '0.0.0.0')
    assert not successful and 'read-only' in reason  # the descriptor refuses it
    assert parameters.set_string('osc_format', 'wekinator') == (True, '')
    osc.clear()
    reply = publish_until(client.image_publisher,
                          raw_image(couple_frame_bgr(data_dir), 'bgr8', 20), client.poses, 20)
    messages = osc.wait_for(lambda got: len(got) >= len(reply.poses) and got)
    assert {address for address, _, _ in messages} >= {'/wek/inputs/0', '/wek/inputs/1'}
    assert all(tags == 'f' * 51 for _, tags, _ in messages)


def test_status_lines_and_a_clean_ctrl_c(nodes):
    posenet, bridge = nodes
    assert bridge.wait_for_output(r'ws clients \d+ \(dropped \d+\), osc sent \d+', 10.0)
    code, _ = bridge.interrupt(10.0)
    assert code == 0, bridge.output
    assert 'Traceback' not in bridge.output

"""The installed posenet node on raw images: poses, markers, annotated image, diagnostics.

One node process for the module (autostart, raw transport), real DDS over loopback on a domain
of its own; the client publishes test_couple.jpg (two people) in several encodings. The image
subscription is made reliable here: best-effort frames of about 1 MB lose UDP fragments when the
socket receive buffer is the Linux default (the node reports those as lost in transport); the
default best-effort QoS is exercised with small JPEG frames in test_node_compressed.py.
"""

import numpy as np
import pytest

pytest.importorskip('rclpy')
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus  # noqa: E402
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue  # noqa: E402
from rcl_interfaces.srv import SetParameters  # noqa: E402
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import CameraInfo, Image  # noqa: E402
from visualization_msgs.msg import Marker, MarkerArray  # noqa: E402

from node_harness import (couple_frame_bgr, diagnostic_values, encoded_images,  # noqa: E402
                          FRAME_ID, IMAGE_QOS, NodeProcess, publish_until, raw_image, RosClient,
                          stamp_of, wait_until)
from ros2_posenet import diagnostics  # noqa: E402
from ros2_posenet.markers import JOINTS_MARKER_ID  # noqa: E402
from ros2_posenet.posenet.keypoints import PART_NAMES  # noqa: E402

DOMAIN_ID = 61
MARKER_DEPTH = 3.0


@pytest.fixture(scope='module')
def frame(data_dir):
    return couple_frame_bgr(data_dir)


@pytest.fixture(scope='module')
def node(tmp_path_factory, data_dir):
    process = NodeProcess(DOMAIN_ID, tmp_path_factory.mktemp('ros_home'), {
        'diagnostics_period': 0.2, 'marker_depth': MARKER_DEPTH,
        'image_qos_reliability': 'reliable'})
    try:
        if not process.wait_for_output(r'\]: active: ', timeout=60.0):
            pytest.fail(f'node did not become active:\n{process.output}')
        yield process
    finally:
        process.stop()


@pytest.fixture(scope='module')
def client(node):
    ros = RosClient(DOMAIN_ID)
    ros.image_publisher = ros.node.create_publisher(Image, 'image', IMAGE_QOS)
    ros.info_publisher = ros.node.create_publisher(CameraInfo, 'camera_info', IMAGE_QOS)
    ros.poses = ros.collect(PoseArray, 'poses')
    ros.markers = ros.collect(MarkerArray, 'markers')
    ros.diagnostics = ros.collect(DiagnosticArray, '/diagnostics')
    ros.set_parameters = ros.node.create_client(SetParameters, '/posenet/set_parameters')
    wait_until(lambda: ros.image_publisher.get_subscription_count() > 0, 20.0,
               'the node does not subscribe to /image')
    try:
        yield ros
    finally:
        ros.close()


def _check_two_people(msg: PoseArray, index: int, width: int, height: int) -> None:
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == stamp_of(index)
    assert msg.header.frame_id == FRAME_ID
    assert (msg.image_width, msg.image_height) == (width, height)
    good = [pose for pose in msg.poses if pose.score >= 0.4]
    assert len(good) >= 2, [pose.score for pose in msg.poses]
    for pose in msg.poses:
        assert [keypoint.name for keypoint in pose.keypoints] == list(PART_NAMES)
        assert [keypoint.id for keypoint in pose.keypoints] == list(range(17))
        assert all(0.0 <= keypoint.x < width and 0.0 <= keypoint.y < height
                   for keypoint in pose.keypoints if keypoint.score > 0.5)
    # The two people stand side by side: their noses are far apart horizontally.
    noses = sorted(pose.keypoints[0].x for pose in good[:2])
    assert noses[1] - noses[0] > width / 10


@pytest.mark.parametrize('encoding', ['bgr8', 'rgb8', 'mono8', 'yuyv'])
def test_each_encoding_gives_both_people_with_the_header_kept(client, frame, encoding):
    index = 10 * (1 + ['bgr8', 'rgb8', 'mono8', 'yuyv'].index(encoding))
    msg = encoded_images(frame, index)[encoding]
    msg.header.stamp.sec, msg.header.stamp.nanosec = stamp_of(index)
    reply = publish_until(client.image_publisher, msg, client.poses, index)
    _check_two_people(reply, index, frame.shape[1], frame.shape[0])


def test_rgb8_and_bgr8_give_the_same_poses(client, frame):
    images = encoded_images(frame, 100)
    bgr = publish_until(client.image_publisher, images['bgr8'], client.poses, 100)
    rgb = publish_until(client.image_publisher, images['rgb8'], client.poses, 101)
    assert len(bgr.poses) == len(rgb.poses)
    for first, second in zip(bgr.poses, rgb.poses):
        assert first.score == pytest.approx(second.score, abs=1e-6)
        assert [(k.x, k.y) for k in first.keypoints] == [(k.x, k.y) for k in second.keypoints]


def test_markers_follow_the_image_header_and_camera_info(client, frame):
    height, width = frame.shape[:2]
    info = CameraInfo()
    info.header.frame_id = FRAME_ID
    info.width, info.height = width, height
    fx, fy, cx, cy = 500.0, 510.0, 300.0, 200.0
    info.k = [fx, 0.0, cx, 0.0, fy, cy, 0.0, 0.0, 1.0]
    client.info_publisher.publish(info)
    index = 200
    msg = raw_image(frame, 'bgr8', index)
    # Re-publish the camera info with each try: the node keeps only the latest one.
    for attempt in range(20):
        client.info_publisher.publish(info)
        poses = publish_until(client.image_publisher, msg, client.poses, index)
        markers = [array for array in client.markers if array.markers and
                   (array.markers[0].header.stamp.sec,
                    array.markers[0].header.stamp.nanosec) == stamp_of(index)]
        if markers and _joints_match_camera_info(markers[-1], poses, fx, fy, cx, cy):
            break
        index += 1
        msg = raw_image(frame, 'bgr8', index)
    else:
        pytest.fail('markers never placed with the published camera_info')
    array = markers[-1]
    assert array.markers[0].action == Marker.DELETEALL
    for marker in array.markers:
        assert marker.header.frame_id == FRAME_ID
    joints = [m for m in array.markers if m.id == JOINTS_MARKER_ID and m.action == Marker.ADD]
    assert len(joints) >= 2
    assert all(point.z == pytest.approx(MARKER_DEPTH) for point in joints[0].points)


def _joints_match_camera_info(array: MarkerArray, poses: PoseArray, fx: float, fy: float,
                              cx: float, cy: float) -> bool:
    person = poses.poses[0]
    namespace = f'track_{person.id}' if person.id else 'person_0'
    joints = [m for m in array.markers if m.ns == namespace and m.id == JOINTS_MARKER_ID]
    if not joints or not joints[0].points:
        return False
    # The best-scoring keypoint of person 0 is drawn; find its marker point.
    keypoint = max(poses.poses[0].keypoints, key=lambda k: k.score)
    expected = ((keypoint.x - cx) * MARKER_DEPTH / fx, (keypoint.y - cy) * MARKER_DEPTH / fy)
    return any(abs(p.x - expected[0]) < 1e-3 and abs(p.y - expected[1]) < 1e-3
               for p in joints[0].points)


def test_annotated_image_is_published_while_subscribed(client, frame):
    annotated = client.collect(Image, 'image_annotated')
    index = 300
    msg = raw_image(frame, 'bgr8', index)
    reply = publish_until(client.image_publisher, msg, annotated, index, timeout=20.0)
    assert reply.encoding == 'bgr8'
    assert reply.header.frame_id == FRAME_ID
    height, width = frame.shape[:2]
    assert (reply.width, reply.height, reply.step) == (width, height, width * 3)
    drawn = np.frombuffer(reply.data, dtype=np.uint8).reshape(frame.shape)
    changed = np.any(drawn != frame, axis=2).mean()
    assert 0.001 < changed < 0.2, f'{changed:.4f} of the pixels changed by the skeleton'


def test_diagnostics_report_delegate_model_and_counts(client, frame):
    publish_until(client.image_publisher, raw_image(frame, 'bgr8', 400), client.poses, 400)

    def processed_reported():
        values = diagnostic_values(client.diagnostics)
        return values if values and int(values[diagnostics.KEY_PROCESSED]) > 0 else None

    values = wait_until(processed_reported, 10.0, 'no /diagnostics with processed frames')
    assert values[diagnostics.KEY_DELEGATE] == 'cpu'
    assert values[diagnostics.KEY_MODEL].endswith('.tflite')
    assert values[diagnostics.KEY_STATE] == 'active'
    assert values[diagnostics.KEY_INPUT_TOPIC] == '/image'
    assert float(values[diagnostics.KEY_LATENCY]) > 0.0
    # every frame sent was answered, so nothing can have been dropped or lost
    assert int(values[diagnostics.KEY_DROPPED]) == 0
    assert int(values[diagnostics.KEY_LOST]) == 0
    assert values['level'] in (ord(DiagnosticStatus.OK), ord(DiagnosticStatus.WARN))


def _set(client, name: str, value) -> tuple[bool, str]:
    parameter_value = ParameterValue()
    if isinstance(value, bool):
        parameter_value.type, parameter_value.bool_value = ParameterType.PARAMETER_BOOL, value
    elif isinstance(value, int):
        parameter_value.type = ParameterType.PARAMETER_INTEGER
        parameter_value.integer_value = value
    elif isinstance(value, float):
        parameter_value.type = ParameterType.PARAMETER_DOUBLE
        parameter_value.double_value = value
    else:
        parameter_value.type = ParameterType.PARAMETER_STRING
        parameter_value.string_value = value
    request = SetParameters.Request()
    request.parameters = [Parameter(name=name, value=parameter_value)]
    result = client.call(client.set_parameters, request).results[0]
    return result.successful, result.reason


@pytest.mark.parametrize('name, value, reason', [
    ('score_threshold', 1.5, 'out of range'),
    ('max_detections', 0, 'out of range'),
    ('detection_mode', 'everyone', 'detection_mode must be one of'),
    ('marker_depth', 'far', 'type'),
    ('model_path', 'other.tflite', 'applied at configure'),
    ('input_transport', 'compressed', 'applied at configure'),
    ('autostart', False, 'read-only'),
])
def test_invalid_parameter_updates_are_rejected_with_a_reason(client, name, value, reason):
    successful, text = _set(client, name, value)
    assert not successful
    assert reason in text


def test_runtime_parameter_update_applies_to_the_next_frame(client, frame):
    assert _set(client, 'max_detections', 1) == (True, '')
    try:
        reply = publish_until(client.image_publisher, raw_image(frame, 'bgr8', 500),
                              client.poses, 500)
        assert len(reply.poses) == 1
    finally:
        assert _set(client, 'max_detections', 10)[0]
    reply = publish_until(client.image_publisher, raw_image(frame, 'bgr8', 501),
                          client.poses, 501)
    assert len(reply.poses) >= 2


def _bad_frames(frame: np.ndarray, index: int) -> dict[str, Image]:
    height, width = frame.shape[:2]
    truncated = raw_image(frame, 'bgr8', index + 2)
    truncated.data = truncated.data[:len(truncated.data) // 2]
    return {
        'unknown encoding': raw_image(frame, 'bayer_nonsense8', index),
        'step smaller than a row': raw_image(frame, 'bgr8', index + 1, step=width),
        'truncated data': truncated,
        'zero size': raw_image(np.zeros((0, 0, 3), np.uint8), 'bgr8', index + 3),
        'size larger than data': raw_image(frame, 'bgr8', index + 4, height=height * 2),
        'odd yuyv width': raw_image(frame[:, :-1], 'yuyv', index + 5, step=(width - 1) * 2),
    }


def test_bad_frames_are_skipped_and_good_ones_still_served(client, frame, node):
    def failed_count() -> int | None:
        values = diagnostic_values(client.diagnostics)
        return None if values is None else int(values[diagnostics.KEY_FAILED])

    index = 600
    for name, bad in _bad_frames(frame, 1000).items():
        before = wait_until(lambda: failed_count() is not None, 10.0, 'no diagnostics')
        before = failed_count()
        client.image_publisher.publish(bad)
        wait_until(lambda: failed_count() > before, 10.0, f'{name}: frame not counted as failed')
        index += 1
        reply = publish_until(client.image_publisher, raw_image(frame, 'bgr8', index),
                              client.poses, index)
        assert len(reply.poses) >= 2, f'after a frame with {name}'
    values = diagnostic_values(client.diagnostics)
    assert values[diagnostics.KEY_LAST_ERROR]
    assert node.wait_for_output(r'WARN.*skipping bad frame', timeout=5.0)
    assert 'Traceback' not in node.output

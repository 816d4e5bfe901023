"""Test support for the node integration tests: the node as a process, a client node, frames.

The node under test is the installed executable (what ``ros2 run`` starts), in its own process,
talking real DDS over loopback with a client node in the test process. Each test module passes
its own ROS domain id so modules never see each other's nodes.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import threading
import time
from typing import Any

import cv2
import numpy as np
import pytest
import rclpy
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros2_posenet_msgs.msg import PoseArray
from sensor_msgs.msg import CompressedImage, Image

from ros2_posenet.tools import node_process as tools_node_process

PACKAGE = 'ros2_posenet'
EXECUTABLE = 'posenet_node'
FRAME_ID = 'camera_color_optical_frame'
TEST_IMAGE_SIZE = (640, 426)
"""(width, height) test_couple.jpg is resized to: a camera-like frame that crosses DDS fast."""

# QoS of the client's image publisher: reliable writers serve best-effort and reliable readers.
IMAGE_QOS = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
OUTPUT_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)

# The client in this process must also stay on loopback (the Makefile sets it for `make test`).
os.environ.setdefault('ROS_AUTOMATIC_DISCOVERY_RANGE', 'LOCALHOST')


def node_executable() -> Path:
    """Return the installed ``posenet_node``; skip (or fail in CI) when it is not installed."""
    from ament_index_python.packages import get_package_prefix, PackageNotFoundError
    try:
        path = Path(get_package_prefix(PACKAGE)) / 'lib' / PACKAGE / EXECUTABLE
    except PackageNotFoundError:
        path = None
    if path is None or not path.exists():
        message = (f'{EXECUTABLE} is not installed: build and source install/setup.bash '
                   '(make build)')
        if os.environ.get('POSENET_REQUIRE_DATA') == '1':
            pytest.fail(message)
        pytest.skip(message)
    return path


def installed_params_file() -> Path:
    """Return the installed ``config/posenet.yaml``."""
    from ament_index_python.packages import get_package_share_directory
    return Path(get_package_share_directory(PACKAGE)) / 'config' / 'posenet.yaml'


def child_env(domain_id: int, ros_home: Path) -> dict[str, str]:
    """Return the environment of a node process isolated on ``domain_id``."""
    env = dict(os.environ)
    env.update({
        'ROS_DOMAIN_ID': str(domain_id),
        'ROS_AUTOMATIC_DISCOVERY_RANGE': 'LOCALHOST',
        'ROS_HOME': str(ros_home),
        'ROS_PYTHON_CHECK_FIELDS': '1',
        'PYTHONUNBUFFERED': '1',
        'RCUTILS_COLORIZED_OUTPUT': '0',
        'RCUTILS_LOGGING_BUFFERED_STREAM': '0',
    })
    return env


class NodeProcess(tools_node_process.NodeProcess):
    """``posenet_node`` in a child process on its own domain; stdout/stderr collected."""

    def __init__(self, domain_id: int, ros_home: Path, parameters: dict[str, Any],
                 params_file: Path | None = None, ros_arguments: tuple[str, ...] = ()) -> None:
        """Start the node with ``--params-file`` (default: installed one) and ``-p`` overrides.

        ``ros_arguments`` are appended after ``--ros-args`` (e.g. ``('-r', '__node:=other')``).
        """
        command = [str(node_executable()), '--ros-args', '--params-file',
                   str(params_file or installed_params_file()), *ros_arguments]
        for name, value in parameters.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            command += ['-p', f'{name}:={text}']
        super().__init__(command, child_env(domain_id, ros_home))


class RosClient:
    """A client node in its own context and domain, spun by a background thread."""

    def __init__(self, domain_id: int, name: str = 'posenet_test_client') -> None:
        """Initialise a context on ``domain_id`` and start spinning."""
        self.context = rclpy.context.Context()
        rclpy.init(context=self.context, domain_id=domain_id)
        self.node = rclpy.create_node(name, context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self._spinner = threading.Thread(target=self._spin, daemon=True)
        self._spinner.start()

    def _spin(self) -> None:
        try:
            self.executor.spin()
        except Exception:  # noqa: B902 shutdown races end the spin thread quietly
            pass

    def collect(self, msg_type: type, topic: str, qos: QoSProfile = OUTPUT_QOS) -> list:
        """Subscribe to ``topic``; return the list the messages are appended to."""
        received: list = []
        self.node.create_subscription(msg_type, topic, received.append, qos)
        return received

    def call(self, client: Any, request: Any, timeout: float = 10.0) -> Any:
        """Call a service (waiting for it first); return the response or fail the test."""
        if not client.wait_for_service(timeout_sec=timeout):
            pytest.fail(f'service {client.srv_name} not available after {timeout} s')
        future = client.call_async(request)
        wait_until(future.done, timeout, f'no response from {client.srv_name}')
        return future.result()

    def close(self) -> None:
        """Stop spinning and shut the context down."""
        self.executor.shutdown(timeout_sec=2.0)
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)
        self._spinner.join(timeout=2.0)


def wait_until(predicate: Callable[[], Any], timeout: float, message: str) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f'{message} (waited {timeout} s)')
        time.sleep(0.02)


def couple_frame_bgr(data_dir: Path) -> np.ndarray:
    """Return test_couple.jpg (two people) resized to ``TEST_IMAGE_SIZE``, BGR uint8."""
    image = cv2.imread(str(data_dir / 'images' / 'test_couple.jpg'), cv2.IMREAD_COLOR)
    assert image is not None, 'cannot read images/test_couple.jpg'
    return cv2.resize(image, TEST_IMAGE_SIZE, interpolation=cv2.INTER_AREA)


def stamp_of(index: int) -> tuple[int, int]:
    """Return a distinct, odd-looking (sec, nanosec) stamp for frame ``index``."""
    return 1_700_000_000 + index, 123_456_789 + index


def raw_image(pixels: np.ndarray, encoding: str, index: int, *, step: int | None = None,
              width: int | None = None, height: int | None = None) -> Image:
    """Wrap packed ``pixels`` (rows x bytes) in an Image; size fields may be overridden."""
    msg = Image()
    msg.header.stamp.sec, msg.header.stamp.nanosec = stamp_of(index)
    msg.header.frame_id = FRAME_ID
    msg.height = pixels.shape[0] if height is None else height
    msg.width = pixels.shape[1] if width is None else width
    msg.encoding = encoding
    msg.is_bigendian = 0
    row_bytes = pixels.shape[1] * (pixels.shape[2] if pixels.ndim == 3 else 1) * pixels.itemsize
    msg.step = row_bytes if step is None else step
    msg.data = np.ascontiguousarray(pixels).tobytes()
    return msg


def encoded_images(frame_bgr: np.ndarray, start_index: int) -> dict[str, Image]:
    """Return the test frame as bgr8, rgb8, mono8 and yuyv Images with distinct stamps."""
    return {
        'bgr8': raw_image(frame_bgr, 'bgr8', start_index),
        'rgb8': raw_image(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), 'rgb8', start_index + 1),
        'mono8': raw_image(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2GRAY), 'mono8',
                           start_index + 2),
        'yuyv': raw_image(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2YUV_YUYV), 'yuyv',
                          start_index + 3),
    }


def compressed_image(data: bytes, index: int, image_format: str = 'jpeg') -> CompressedImage:
    """Return a CompressedImage with the given bytes and a distinct stamp."""
    msg = CompressedImage()
    msg.header.stamp.sec, msg.header.stamp.nanosec = stamp_of(index)
    msg.header.frame_id = FRAME_ID
    msg.format = image_format
    msg.data = data
    return msg


def jpeg_bytes(frame_bgr: np.ndarray) -> bytes:
    """Return ``frame_bgr`` encoded as JPEG (quality 90)."""
    ok, encoded = cv2.imencode('.jpg', frame_bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return encoded.tobytes()


def find_by_stamp(messages: list, index: int) -> Any:
    """Return the first message stamped ``stamp_of(index)``, else ``None``."""
    sec, nanosec = stamp_of(index)
    for msg in list(messages):
        if msg.header.stamp.sec == sec and msg.header.stamp.nanosec == nanosec:
            return msg
    return None


def publish_until(publisher: Any, msg: Any, received: list, index: int,
                  timeout: float = 15.0, repeat_s: float = 1.0) -> Any:
    """Publish ``msg`` (again every ``repeat_s``) until a reply stamped ``index`` arrives.

    Repeating covers the first frames a best-effort reader may miss right after discovery;
    the reply is matched by stamp, so repeats cannot be confused with other frames.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        publisher.publish(msg)
        repeat_deadline = min(deadline, time.monotonic() + repeat_s)
        while time.monotonic() < repeat_deadline:
            reply = find_by_stamp(received, index)
            if reply is not None:
                return reply
            time.sleep(0.01)
    pytest.fail(f'no reply stamped {stamp_of(index)} within {timeout} s')


def diagnostic_values(diagnostics: list, name_prefix: str = 'posenet') -> dict[str, str] | None:
    """Return the key/values (plus 'level' and 'message') of the newest posenet status."""
    for array in reversed(list(diagnostics)):
        for status in array.status:
            if status.name.startswith(name_prefix):
                values = {kv.key: kv.value for kv in status.values}
                values['level'] = int.from_bytes(status.level, 'little') if isinstance(
                    status.level, bytes) else int(status.level)
                values['message'] = status.message
                return values
    return None


class LifecycleClient:
    """Service clients of one lifecycle node."""

    def __init__(self, ros: RosClient, node_name: str) -> None:
        """Create the clients of ``/<node_name>/...`` on the client node."""
        self.ros = ros
        self.change_client = ros.node.create_client(ChangeState, f'/{node_name}/change_state')
        self.get_client = ros.node.create_client(GetState, f'/{node_name}/get_state')
        self.parameters_client = ros.node.create_client(
            SetParameters, f'/{node_name}/set_parameters')

    def state(self) -> str:
        """Return the current state label."""
        return self.ros.call(self.get_client, GetState.Request()).current_state.label

    def change(self, transition_id: int) -> bool:
        """Trigger a transition; return whether it succeeded."""
        request = ChangeState.Request()
        request.transition = Transition(id=transition_id)
        return self.ros.call(self.change_client, request, timeout=30.0).success

    def set_string(self, name: str, value: str) -> tuple[bool, str]:
        """Set a string parameter; return (successful, reason)."""
        request = SetParameters.Request()
        request.parameters = [Parameter(name=name, value=ParameterValue(
            type=ParameterType.PARAMETER_STRING, string_value=value))]
        result = self.ros.call(self.parameters_client, request).results[0]
        return result.successful, result.reason


@contextmanager
def running_node(domain_id: int, ros_home: Path, parameters: dict[str, Any],
                 **options: Any) -> Iterator[NodeProcess]:
    """Run the installed node for the ``with`` block (Ctrl-C'd, killed if it must be)."""
    node = NodeProcess(domain_id, ros_home, parameters, **options)
    try:
        yield node
    finally:
        node.stop()


@contextmanager
def image_client(domain_id: int, message_type: type = Image, topic: str = 'image',
                 qos: QoSProfile = IMAGE_QOS) -> Iterator[RosClient]:
    """A client with an ``image_publisher`` (``message_type`` on ``topic``) and ``poses``."""
    ros = RosClient(domain_id)
    try:
        ros.image_publisher = ros.node.create_publisher(message_type, topic, qos)
        ros.poses = ros.collect(PoseArray, 'poses')
        yield ros
    finally:
        ros.close()

"""The ``pose_bridge`` node: ``poses`` in; OSC datagrams and a WebSocket with a live page out.

A thin shell around ``ros2_posenet.bridges.PoseBridge``: each ``ros2_posenet_msgs/PoseArray``
on ``poses`` (the people in the order published, ids from ``PersonPose.id``, pixels of an image
of ``image_width`` x ``image_height``) is sent as OSC (p5-poses-osc formats) and as one
TensorFlow.js JSON text message to every WebSocket client; the page at ``http://HOST:PORT/``
draws them. With ``websocket_image`` the node also subscribes to ``image_annotated`` and sends
the newest one as JPEG to page clients that ask (the image of the previous poses message: the
posenet node publishes the image after the poses).

Slots (the ``<i>`` of ``/poses/<i>/...``) follow the ids: a person keeps its slot while its id
is seen, and ``slot_hold`` seconds after (the node does not see the tracker's lost tracks).

Parameters: ``ros2_posenet.bridge_config.PARAMETERS``; the installed ``config/pose_bridge.yaml``
lists them with their defaults.
"""

import time

import cv2
import numpy as np
import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException
from rclpy.logging import get_logger
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile
from rcl_interfaces.msg import SetParametersResult
from ros2_posenet_msgs.msg import PoseArray
from sensor_msgs.msg import Image

from ros2_posenet.bridge_config import BridgeNodeConfig
from ros2_posenet.bridges import BridgeError, PoseBridge
from ros2_posenet.image_messages import ImageConversionError, image_msg_to_array
from ros2_posenet.pose_messages import pose_array_to_arrays

INPUT_QOS = QoSProfile(depth=5)  # reliable: matches posenet's outputs
IMAGE_QOS = QoSProfile(depth=1)
WARN_THROTTLE_S = 5.0


class PoseBridgeNode(Node):
    """Relays pose messages to OSC receivers and WebSocket clients."""

    def __init__(self, **kwargs) -> None:
        """Declare the parameters, start the bridges, subscribe.

        Raises:
            ValueError: A parameter value breaks a rule of ``BridgeNodeConfig``.
            rclpy.exceptions.ParameterException: A value has the wrong type or range.
            BridgeError: A bridge cannot start (port in use, host that does not resolve).
        """
        super().__init__('pose_bridge', **kwargs)
        self._config = BridgeNodeConfig.declare_on(self)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        config = self._config
        self._bridge = PoseBridge(config.bridge_settings, on_event=self.get_logger().info)
        self._image: Image | None = None
        self.create_subscription(PoseArray, 'poses', self._on_poses, INPUT_QOS)
        if config.websocket_enabled and config.websocket_image:
            self.create_subscription(Image, 'image_annotated', self._on_image, IMAGE_QOS)
        if config.status_period > 0:
            self.create_timer(config.status_period, self._log_status)
        parts = []
        if self._bridge.osc is not None:
            parts.append(f'OSC {config.osc_format} to {self._bridge.osc.target}')
        if self._bridge.websocket is not None:
            parts.append(f'live page and WebSocket on {self._bridge.websocket.url}')
        self.get_logger().info(f'bridging poses: {"; ".join(parts) or "no bridge enabled"}')

    def _on_set_parameters(self, parameters: list[Parameter]) -> SetParametersResult:
        try:
            config = self._config.with_runtime_changes(
                {parameter.name: parameter.value for parameter in parameters})
        except ValueError as error:
            return SetParametersResult(successful=False, reason=str(error))
        self._config = config
        self._bridge.set_osc_options(config.osc_options)
        return SetParametersResult(successful=True)

    def _on_poses(self, msg: PoseArray) -> None:
        stamp_s = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9
        if stamp_s == 0.0:
            stamp_s = time.monotonic()  # an unstamped message: the receive time
        try:
            self._bridge.publish(pose_array_to_arrays(msg), [person.id for person in msg.poses],
                                 msg.image_width, msg.image_height, stamp_s,
                                 image=self._image_array)
        except ValueError as error:  # e.g. normalized coordinates of a 0x0 image
            self.get_logger().warn(f'cannot relay a poses message: {error}',
                                   throttle_duration_sec=WARN_THROTTLE_S)

    def _on_image(self, msg: Image) -> None:
        self._image = msg

    def _image_array(self) -> np.ndarray | None:
        msg = self._image
        if msg is None:
            return None
        try:
            image, color_order = image_msg_to_array(msg)
        except ImageConversionError as error:
            self.get_logger().warn(f'cannot send image_annotated: {error}',
                                   throttle_duration_sec=WARN_THROTTLE_S)
            return None
        return cv2.cvtColor(image, cv2.COLOR_RGB2BGR) if color_order == 'rgb' else image

    def _log_status(self) -> None:
        self.get_logger().info(self._bridge.status().line())

    def close(self) -> None:
        """Stop the bridges (idempotent)."""
        self._bridge.close()


def main(args: list[str] | None = None) -> int:
    """Run the node until Ctrl-C or shutdown; return the exit code (console script entry)."""
    try:
        rclpy.init(args=args)
    except RuntimeError as error:
        get_logger('pose_bridge').fatal(f'invalid parameters (ROS arguments): {error}')
        return 1
    node = None
    try:
        try:
            node = PoseBridgeNode()
        except (ValueError, ParameterException) as error:
            get_logger('pose_bridge').fatal(f'invalid parameters: {error}')
            return 1
        except BridgeError as error:
            get_logger('pose_bridge').fatal(str(error))
            return 1
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if node is not None:
            node.close()
            node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    raise SystemExit(main())

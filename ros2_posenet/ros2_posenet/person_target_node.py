"""The ``person_target`` lifecycle node: whom to follow among the tracked people of ``poses``.

A thin shell around the ROS-free ``posenet.following.TargetSelector``: each ``PoseArray``
becomes ``Candidates``, the selector picks the target (policy, hysteresis, lock, timeout, all
timed by the image stamps), and the node publishes, for that image only and only while the
target is seen in it:

- ``target`` (``ros2_posenet_msgs/PersonPose``, reliable, keep-last 1): the target's entry of
  the ``PoseArray``, with or without a 3D position;
- ``target_pose`` (``geometry_msgs/PoseStamped``, reliable, keep-last 1, what Nav2's
  ``following_server`` subscribes with), only when the target has a 3D position: header =
  the image's (stamp and camera frame), position = ``PersonPose.position``, orientation =
  ``bearing_quaternion``: the yaw about the camera's vertical (y) axis that turns the optical
  axis (+z) towards the person (+z of the pose points away from the camera, level);
- ``/tf`` (``tf2_msgs/TFMessage``, reliable, keep-last 100, volatile): the same pose as the
  transform camera frame -> ``target_frame``, and with ``publish_person_frames`` one
  ``person_<id>`` per tracked person with a position.

Nothing is published while there is no target or the target is unseen (consumers such as Nav2
treat a stale stamp as a lost target). The service ``~/select_target`` (private:
``/<namespace>/person_target/select_target``, ``ros2_posenet_msgs/SelectTarget``) locks onto a
track seen within ``target_timeout`` (id 0 releases); it sets the ``locked_id`` parameter, the
other way to lock. A locked track that times out stays locked (the selector's docstring says
why) until released. Subscribes ``poses`` (``ros2_posenet_msgs/PoseArray``, reliable).
``autostart`` configures and activates at start. Parameters:
``ros2_posenet.target_config.PARAMETERS``.
"""

from builtin_interfaces.msg import Time
from geometry_msgs.msg import PoseStamped, TransformStamped
import numpy as np
from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.publisher import Publisher
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from rclpy.subscription import Subscription
from rcl_interfaces.msg import SetParametersResult
from ros2_posenet_msgs.msg import PersonPose, PoseArray
from ros2_posenet_msgs.srv import SelectTarget
from std_msgs.msg import Header
from tf2_msgs.msg import TFMessage

from ros2_posenet.image_messages import copy_header
from ros2_posenet.lifecycle_support import RefuseInvalidTransitions, run_lifecycle_node
from ros2_posenet.posenet import InputError
from ros2_posenet.posenet.following import (bearing_quaternion, Candidates, Selection,
                                            TargetEvent, TargetSelector)
from ros2_posenet.target_config import PERSON_FRAME_PREFIX, TargetConfig

WARN_THROTTLE_S = 5.0
POSES_QOS = QoSProfile(depth=10)  # reliable, as posenet publishes them
TARGET_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=1,
                        reliability=ReliabilityPolicy.RELIABLE,
                        durability=DurabilityPolicy.VOLATILE)
"""What Nav2's following_server subscribes with (``rclcpp::QoS(1)``); a best-effort writer
would never match it."""
TF_QOS = QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=100,
                    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
"""The standard ``/tf`` QoS (tf2_ros ``DynamicBroadcasterQoS``)."""


def candidates_from_msg(msg: PoseArray) -> Candidates:
    """Return the people of a ``PoseArray`` as ``Candidates`` (ids, boxes, positions)."""
    people = msg.poses
    return Candidates(
        ids=np.array([person.id for person in people], dtype=np.int64),
        boxes=np.array([(p.x_min, p.y_min, p.x_max, p.y_max) for p in people],
                       dtype=np.float64),
        positions=np.array([(p.position.x, p.position.y, p.position.z) for p in people],
                           dtype=np.float64),
        has_position=np.array([person.has_position for person in people], dtype=bool),
        image_size=(int(msg.image_width), int(msg.image_height)))


def stamp_seconds(stamp: Time) -> float:
    """Return a ``builtin_interfaces/Time`` in seconds."""
    return stamp.sec + stamp.nanosec * 1e-9


def target_pose_msg(header: Header, person: PersonPose) -> PoseStamped:
    """Return the person's position and bearing as a pose in the image's frame and stamp."""
    msg = PoseStamped()
    msg.header = copy_header(header)
    position = person.position
    msg.pose.position.x, msg.pose.position.y, msg.pose.position.z = (
        position.x, position.y, position.z)
    q = bearing_quaternion((position.x, position.y, position.z))
    orientation = msg.pose.orientation
    orientation.x, orientation.y, orientation.z, orientation.w = q.x, q.y, q.z, q.w
    return msg


def transform_msg(pose: PoseStamped, child_frame_id: str) -> TransformStamped:
    """Return ``pose`` as the transform from its frame to ``child_frame_id``."""
    msg = TransformStamped()
    msg.header = copy_header(pose.header)
    msg.child_frame_id = child_frame_id
    p, q = pose.pose.position, pose.pose.orientation
    msg.transform.translation.x, msg.transform.translation.y, msg.transform.translation.z = (
        p.x, p.y, p.z)
    msg.transform.rotation.x, msg.transform.rotation.y = q.x, q.y
    msg.transform.rotation.z, msg.transform.rotation.w = q.z, q.w
    return msg


class PersonTargetNode(RefuseInvalidTransitions, LifecycleNode):
    """Lifecycle node choosing and publishing the person to follow."""

    def __init__(self, **kwargs) -> None:
        """Declare the parameters, read them into a ``TargetConfig``, offer ``select_target``.

        Raises:
            ValueError: A parameter value breaks a rule of ``TargetConfig``.
            rclpy.exceptions.ParameterException: A value has the wrong type or range.
        """
        super().__init__('person_target', **kwargs)
        self._config = TargetConfig.declare_on(self)
        # the lock from the parameters file waits for its track to appear
        self._selector = TargetSelector(self._config.selector_config, self._config.locked_id)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._publishers_out: dict[str, Publisher] = {}
        self._subscription: Subscription | None = None
        self.create_service(SelectTarget, '~/select_target', self._on_select_target)

    @property
    def autostart(self) -> bool:
        """Whether ``main`` configures and activates the node at start."""
        return self._config.autostart

    # --- lifecycle transitions ----------------------------------------------------------
    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Create the (lifecycle) publishers."""
        self._publishers_out = {
            'target_pose': self.create_lifecycle_publisher(PoseStamped, 'target_pose',
                                                           TARGET_QOS),
            'target': self.create_lifecycle_publisher(PersonPose, 'target', TARGET_QOS),
            'tf': self.create_lifecycle_publisher(TFMessage, '/tf', TF_QOS),
        }
        return super().on_configure(state)

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Enable the publishers and subscribe; the target is chosen afresh (a lock stays)."""
        result = super().on_activate(state)
        self._selector.reset()
        self._subscription = self.create_subscription(PoseArray, 'poses', self._on_poses,
                                                      POSES_QOS)
        self.get_logger().info(
            f'active: {self._subscription.topic_name}, policy {self._config.policy}'
            + (f', locked on track {self._selector.locked_id}' if self._selector.locked_id
               else ''))
        return result

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Unsubscribe."""
        self._unsubscribe()
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Destroy the publishers."""
        self.release()
        return super().on_cleanup(state)

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop everything."""
        self.release()
        return super().on_shutdown(state)

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Release everything; SUCCESS returns the node to unconfigured."""
        self.release()
        return TransitionCallbackReturn.SUCCESS

    def release(self) -> None:
        """Unsubscribe and destroy the publishers (idempotent)."""
        self._unsubscribe()
        for publisher in self._publishers_out.values():
            self.destroy_lifecycle_publisher(publisher)
        self._publishers_out = {}

    def _unsubscribe(self) -> None:
        if self._subscription is not None:
            self.destroy_subscription(self._subscription)
            self._subscription = None

    # --- parameters and the service -----------------------------------------------------
    def _on_set_parameters(self, parameters: list[Parameter]) -> SetParametersResult:
        try:
            config = self._config.with_changes(
                {parameter.name: parameter.value for parameter in parameters},
                self._state_machine.current_state[1])
            if config.locked_id != self._selector.locked_id:
                if config.locked_id:
                    self._selector.lock(config.locked_id)  # refuses a track not seen lately
                else:
                    self._selector.release()
        except ValueError as error:  # InputError is one
            return SetParametersResult(successful=False, reason=str(error))
        self._selector.configure(config.selector_config)
        self._config = config
        return SetParametersResult(successful=True)

    def _on_select_target(self, request: SelectTarget.Request,
                          response: SelectTarget.Response) -> SelectTarget.Response:
        track_id = int(request.id)
        result = self.set_parameters([Parameter('locked_id', Parameter.Type.INTEGER,
                                                track_id)])[0]
        response.success = result.successful
        if not result.successful:
            response.message = result.reason
        elif track_id:
            response.message = f'locked on track {track_id}'
        else:
            response.message = f'released: policy {self._config.policy} chooses'
        self.get_logger().info(f'select_target {track_id}: {response.message}')
        return response

    # --- data path ----------------------------------------------------------------------
    def _on_poses(self, msg: PoseArray) -> None:
        if not self._publishers_out:
            return
        try:
            candidates = candidates_from_msg(msg)
        except InputError as error:
            self.get_logger().warn(f'skipping a PoseArray: {error}',
                                   throttle_duration_sec=WARN_THROTTLE_S)
            return
        stamp_s = stamp_seconds(msg.header.stamp)
        selection = self._selector.update(candidates, stamp_s)
        self._report(selection, stamp_s, len(candidates))
        transforms = []
        if selection.index is not None:
            person = msg.poses[selection.index]
            self._publishers_out['target'].publish(person)
            if person.has_position:
                pose = target_pose_msg(msg.header, person)
                self._publishers_out['target_pose'].publish(pose)
                transforms.append(transform_msg(pose, self._config.target_frame))
            else:
                self.get_logger().warn(
                    f'target {selection.target_id} has no 3D position (PersonPose.'
                    'has_position): target_pose and its TF frame are not published',
                    throttle_duration_sec=WARN_THROTTLE_S)
        if self._config.publish_person_frames:
            transforms += [
                transform_msg(target_pose_msg(msg.header, person),
                              f'{PERSON_FRAME_PREFIX}{person.id}')
                for person in msg.poses if person.id > 0 and person.has_position]
        if transforms:
            self._publishers_out['tf'].publish(TFMessage(transforms=transforms))

    def _report(self, selection: Selection, stamp_s: float, people: int) -> None:
        logger = self.get_logger()
        if selection.reset_reason:
            logger.warn(selection.reset_reason)
        event, target, previous = selection.event, selection.target_id, selection.previous_id
        if event is TargetEvent.ACQUIRED:
            lost = f'target {previous} lost; ' if previous and previous != target else ''
            logger.info(f'{lost}following track {target}'
                        + (' (locked)' if selection.locked else f' ({self._config.policy})'))
        elif event is TargetEvent.SWITCHED:
            logger.info(f'target switched from track {previous} to {target} '
                        f'({self._config.policy})')
        elif event is TargetEvent.LOST:
            logger.info(f'target {previous} lost (unseen for more than '
                        f'{self._config.target_timeout:g} s)'
                        + ('; the lock is kept' if selection.locked else ''))
        if selection.locked and selection.index is None:
            seen = selection.target_seen_s
            unseen = f'unseen for {stamp_s - seen:.1f} s' if seen is not None else 'not seen yet'
            logger.warn(f'locked track {target} {unseen}: nothing is published; call '
                        'select_target with id 0 (or another track) to release it',
                        throttle_duration_sec=WARN_THROTTLE_S)
        if selection.needs_positions:
            logger.warn(
                f'policy nearest needs 3D positions: none of the tracked people among {people} '
                'has one (PersonPose.has_position); give the posenet node a position source '
                '(depth, ground plane or height prior) or choose another policy',
                throttle_duration_sec=WARN_THROTTLE_S)


def main(args: list[str] | None = None) -> int:
    """Run the node until Ctrl-C or shutdown; return the exit code (console script entry)."""
    return run_lifecycle_node(PersonTargetNode, 'person_target', args)


if __name__ == '__main__':
    raise SystemExit(main())

"""What every lifecycle node of the package shares: its ``main`` and a guard on transitions.

``run_lifecycle_node`` is the console-script body: ``rclpy.init`` (a malformed ``--ros-args``
rule is a fatal log line and exit 1, not a traceback), build the node (bad parameters: exit 1),
configure and activate it when its ``autostart`` says so, spin until Ctrl-C or shutdown, and
always release and destroy it. Ctrl-C while the node is still being built exits 0.

``RefuseInvalidTransitions`` answers a lifecycle request by id that is not valid in the current
state with ``success=False`` and a warning: rclpy 7.1's ``change_state`` service raises
``RCLError`` there, which ends the node (a request by label is already refused cleanly).
"""

from collections.abc import Callable
from typing import Any, Protocol

from lifecycle_msgs.srv import ChangeState
import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException
from rclpy.lifecycle import TransitionCallbackReturn
from rclpy.logging import get_logger


class ManagedNode(Protocol):
    """What ``run_lifecycle_node`` needs of a node."""

    @property
    def autostart(self) -> bool:
        """Whether to configure and activate at start."""

    def trigger_configure(self) -> TransitionCallbackReturn:
        """Run the configure transition."""

    def trigger_activate(self) -> TransitionCallbackReturn:
        """Run the activate transition."""

    def release(self) -> None:
        """Stop and free everything (idempotent)."""

    def destroy_node(self) -> None:
        """Destroy the node."""


class RefuseInvalidTransitions:
    """Mixin (before ``LifecycleNode`` in the bases) refusing transition ids not valid now."""

    _state_machine: Any
    get_logger: Callable[[], Any]  # both provided by the node this is mixed into

    def _LifecycleNodeMixin__on_change_state(self, request: ChangeState.Request,
                                             response: ChangeState.Response
                                             ) -> ChangeState.Response:
        """Refuse a transition id that is not valid in the current state, then delegate."""
        transition = request.transition
        if not transition.label:
            valid = {description[0]: description[1]
                     for description in self._state_machine.available_transitions}
            if transition.id not in valid:
                state = self._state_machine.current_state[1]
                available = ', '.join(f'{i} ({label})' for i, label in valid.items())
                self.get_logger().warn(
                    f'refused lifecycle transition id {transition.id}: not available in state '
                    f'{state} (available: {available or "none"})')
                response.success = False
                return response
        return super()._LifecycleNodeMixin__on_change_state(  # type: ignore[misc]
            request, response)


def run_lifecycle_node(create: Callable[[], ManagedNode], name: str,
                       args: list[str] | None = None) -> int:
    """Run the node ``create()`` builds until Ctrl-C or shutdown; return the exit code."""
    try:
        rclpy.init(args=args)
    except RuntimeError as error:  # RCLError: a malformed --ros-args rule (e.g. "-p name:=")
        get_logger(name).fatal(f'invalid parameters (ROS arguments): {error}')
        return 1
    node = None
    try:
        try:
            node = create()
        except (ValueError, ParameterException) as error:
            get_logger(name).fatal(f'invalid parameters: {error}')
            return 1
        except RuntimeError:
            if not rclpy.ok():  # Ctrl-C while the node was being built: a clean exit
                return 0
            raise
        if node.autostart and node.trigger_configure() == TransitionCallbackReturn.SUCCESS:
            node.trigger_activate()
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if node is not None:
            node.release()
            node.destroy_node()
        rclpy.try_shutdown()
    return 0

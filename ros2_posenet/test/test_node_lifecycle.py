"""Lifecycle of the installed posenet node, driven through its standard lifecycle services.

Two node processes on one domain of their own: ``posenet`` (``autostart: false``, walked
through every transition) and ``posenet_missing`` (``autostart: true`` with a model file that
does not exist: it must stay up, unconfigured, say what to fix, and recover once the parameter
is corrected).
"""

import pytest

rclpy = pytest.importorskip('rclpy')
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus  # noqa: E402
from lifecycle_msgs.msg import Transition  # noqa: E402
from rclpy.executors import SingleThreadedExecutor  # noqa: E402
from rclpy.lifecycle import TransitionCallbackReturn  # noqa: E402
from rclpy.parameter import Parameter as NodeParameter  # noqa: E402
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402

from node_harness import (couple_frame_bgr, diagnostic_values, IMAGE_QOS,  # noqa: E402
                          LifecycleClient, NodeProcess, publish_until, raw_image, RosClient,
                          wait_until)
from ros2_posenet import diagnostics, posenet_node  # noqa: E402

DOMAIN_ID = 63
SECOND_MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
MISSING_MODEL = 'no_such_posenet_model.tflite'


@pytest.fixture(scope='module')
def nodes(tmp_path_factory, data_dir):
    ros_home = tmp_path_factory.mktemp('ros_home')
    managed = NodeProcess(DOMAIN_ID, ros_home, {
        'autostart': False, 'diagnostics_period': 0.2, 'image_qos_reliability': 'reliable'})
    missing = NodeProcess(DOMAIN_ID, ros_home, {
        'model_path': MISSING_MODEL, 'diagnostics_period': 0.2,
        'image_qos_reliability': 'reliable'}, ros_arguments=('-r', '__node:=posenet_missing'))
    try:
        yield managed, missing
    finally:
        managed.stop()
        missing.stop()


@pytest.fixture(scope='module')
def client(nodes):
    ros = RosClient(DOMAIN_ID)
    ros.image_publisher = ros.node.create_publisher(Image, 'image', IMAGE_QOS)
    ros.poses = ros.collect(PoseArray, 'poses')
    ros.diagnostics = ros.collect(DiagnosticArray, '/diagnostics')
    try:
        yield ros
    finally:
        ros.close()


def _subscribed(client) -> bool:
    return client.image_publisher.get_subscription_count() > 0


def test_transitions_through_the_lifecycle_services(client, nodes, data_dir):
    managed = LifecycleClient(client, 'posenet')
    frame = couple_frame_bgr(data_dir)
    assert managed.state() == 'unconfigured'
    status = wait_until(lambda: diagnostic_values(client.diagnostics, 'posenet:'), 10.0,
                        'no diagnostics from the unconfigured node')
    assert status[diagnostics.KEY_STATE] == 'unconfigured'

    assert managed.change(Transition.TRANSITION_CONFIGURE)
    assert managed.state() == 'inactive'
    assert not _subscribed(client), 'an inactive node must not subscribe'

    assert managed.change(Transition.TRANSITION_ACTIVATE)
    assert managed.state() == 'active'
    wait_until(lambda: _subscribed(client), 10.0, 'active node does not subscribe')
    reply = publish_until(client.image_publisher, raw_image(frame, 'bgr8', 1), client.poses, 1)
    assert len(reply.poses) >= 2

    assert managed.change(Transition.TRANSITION_DEACTIVATE)
    assert managed.state() == 'inactive'
    wait_until(lambda: not _subscribed(client), 10.0, 'inactive node still subscribes')
    successful, reason = managed.set_string('model_path', SECOND_MODEL)
    assert not successful and 'applied at configure' in reason

    assert managed.change(Transition.TRANSITION_CLEANUP)
    assert managed.state() == 'unconfigured'
    assert managed.set_string('model_path', SECOND_MODEL) == (True, '')
    assert managed.change(Transition.TRANSITION_CONFIGURE)
    assert managed.change(Transition.TRANSITION_ACTIVATE)
    wait_until(lambda: _subscribed(client), 10.0, 'reactivated node does not subscribe')
    reply = publish_until(client.image_publisher, raw_image(frame, 'bgr8', 2), client.poses, 2)
    assert len(reply.poses) >= 2
    wait_until(lambda: diagnostic_values(client.diagnostics, 'posenet:')[diagnostics.KEY_MODEL]
               == SECOND_MODEL, 10.0, 'diagnostics do not name the new model')

    assert managed.change(Transition.TRANSITION_ACTIVE_SHUTDOWN)
    assert managed.state() == 'finalized'
    wait_until(lambda: not _subscribed(client), 10.0, 'finalized node still subscribes')
    managed_process = nodes[0]
    assert managed_process.process.poll() is None, 'the process keeps running until Ctrl-C'
    code, _ = managed_process.interrupt()
    assert code == 0
    assert 'Traceback' not in managed_process.output


def test_missing_model_fails_configure_with_a_clear_error(client, nodes, data_dir):
    missing = LifecycleClient(client, 'posenet_missing')
    process = nodes[1]
    assert process.wait_for_output(r'ERROR.*configure failed.*' + MISSING_MODEL, timeout=30.0), \
        process.output
    assert 'Fix the model_path' in process.output
    assert process.process.poll() is None, 'the node must stay up after a failed configure'
    assert missing.state() == 'unconfigured'

    def error_status():
        status = diagnostic_values(client.diagnostics, 'posenet_missing:')
        return status if status and status['level'] == ord(DiagnosticStatus.ERROR) else None

    status = wait_until(error_status, 10.0, 'no ERROR diagnostics for the failed configure')
    assert MISSING_MODEL in status['message']

    assert not missing.change(Transition.TRANSITION_CONFIGURE)
    assert missing.state() == 'unconfigured'

    # Fixing the parameter is enough: configure and activate then work.
    assert missing.set_string('model_path', SECOND_MODEL) == (True, '')
    assert missing.change(Transition.TRANSITION_CONFIGURE)
    assert missing.change(Transition.TRANSITION_ACTIVATE)
    assert missing.state() == 'active'
    wait_until(lambda: (diagnostic_values(client.diagnostics, 'posenet_missing:') or {}).get(
        'level') == ord(DiagnosticStatus.OK) or None, 10.0, 'diagnostics stay in error')
    assert 'Traceback' not in process.output


def test_unexpected_configure_exception_is_logged_and_reported(monkeypatch, capfd):
    """An exception escaping a transition callback becomes ERROR in rclpy, without a word.

    The node must still say why configure failed, in its log and in /diagnostics.
    """
    def broken_engine(config):
        raise RuntimeError('simulated runtime failure')

    monkeypatch.setattr(posenet_node, 'PoseEngine', broken_engine)
    context = rclpy.context.Context()
    rclpy.init(context=context, domain_id=DOMAIN_ID + 30)
    executor = SingleThreadedExecutor(context=context)
    try:
        node = posenet_node.PoseNetNode(context=context, parameter_overrides=[
            NodeParameter('autostart', value=False),
            NodeParameter('diagnostics_period', value=0.05)])
        listener = rclpy.create_node('diagnostics_listener', context=context)
        received = []
        listener.create_subscription(DiagnosticArray, '/diagnostics', received.append, 10)
        executor.add_node(node)
        executor.add_node(listener)
        assert node.trigger_configure() == TransitionCallbackReturn.FAILURE
        for _ in range(200):
            executor.spin_once(timeout_sec=0.05)
            status = diagnostic_values(received, 'posenet:')
            if status and status['level'] == ord(DiagnosticStatus.ERROR):
                break
        assert status is not None and status['level'] == ord(DiagnosticStatus.ERROR), status
        assert 'RuntimeError: simulated runtime failure' in status['message']
        assert status[diagnostics.KEY_STATE] == 'unconfigured'
        assert 'configure failed: simulated runtime failure' in capfd.readouterr().err
    finally:
        executor.shutdown()
        rclpy.try_shutdown(context=context)

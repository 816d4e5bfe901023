"""What a peer on the network may send must not kill or freeze the installed node.

Lifecycle requests by id that are not valid in the current state (rclpy 7.1 raises on them and
ends the process) are refused with ``success=False`` and a log line; the node keeps serving.
"""

import pytest

rclpy = pytest.importorskip('rclpy')
from lifecycle_msgs.msg import Transition  # noqa: E402

from node_harness import (couple_frame_bgr, image_client, LifecycleClient,  # noqa: E402
                          publish_until, raw_image, running_node, wait_until)

DOMAIN_ID = 57


@pytest.fixture(scope='module')
def node(tmp_path_factory, data_dir):
    with running_node(DOMAIN_ID, tmp_path_factory.mktemp('ros_home'),
                      {'image_qos_reliability': 'reliable'}) as process:
        yield process


@pytest.fixture(scope='module')
def client(node):
    with image_client(DOMAIN_ID) as ros:
        yield ros


def test_invalid_transition_ids_are_refused_and_the_node_keeps_serving(node, client, data_dir):
    lifecycle = LifecycleClient(client, 'posenet')
    wait_until(lambda: lifecycle.state() == 'active', 30.0, 'node not active')
    for transition_id in (Transition.TRANSITION_ACTIVATE, Transition.TRANSITION_CONFIGURE,
                          Transition.TRANSITION_CLEANUP, 99, 255):
        assert not lifecycle.change(transition_id), transition_id
        assert lifecycle.state() == 'active'
    assert node.process.poll() is None, node.output
    assert node.wait_for_output(r'refused lifecycle transition id 99: not available in state '
                                r'active') is not None, node.output
    frame = couple_frame_bgr(data_dir)
    wait_until(lambda: client.image_publisher.get_subscription_count() > 0, 10.0,
               'node does not subscribe')
    reply = publish_until(client.image_publisher, raw_image(frame, 'bgr8', 7), client.poses, 7)
    assert len(reply.poses) >= 2
    # valid ids still work, and an invalid one in the new state is refused too
    assert lifecycle.change(Transition.TRANSITION_DEACTIVATE)
    assert not lifecycle.change(Transition.TRANSITION_DEACTIVATE)
    assert lifecycle.change(Transition.TRANSITION_ACTIVATE)
    assert lifecycle.state() == 'active'
    assert 'Traceback' not in node.output

"""Raw frames lost in transport are not lost silently: the node says so and names the fixes.

Best-effort frames of several MB between two processes with Fast DDS defaults (512 KB shared
memory segments, default socket buffers) lose fragments; the middleware reports the lost
samples, and the node logs a throttled warning naming what fixes it.
"""

import numpy as np
import pytest

rclpy = pytest.importorskip('rclpy')
from rclpy.qos import qos_profile_sensor_data  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402

from node_harness import NodeProcess, raw_image, RosClient, wait_until  # noqa: E402

DOMAIN_ID = 53


def test_lost_frames_are_logged_with_the_fixes(tmp_path, data_dir):
    node = NodeProcess(DOMAIN_ID, tmp_path, {'image_qos_reliability': 'best_effort'})
    client = RosClient(DOMAIN_ID)
    try:
        publisher = client.node.create_publisher(Image, 'image', qos_profile_sensor_data)
        wait_until(lambda: publisher.get_subscription_count() > 0, 30.0, 'node not subscribed')
        frame = np.random.default_rng(5).integers(0, 256, (1440, 1920, 3), np.uint8)
        for index in range(40):
            publisher.publish(raw_image(frame, 'bgr8', index))
            if node.wait_for_output('lost in transport', timeout=0.2):
                break
        match = node.wait_for_output(r'image\(s\) lost in transport.*large_frames:=true.*'
                                     r'input_transport: compressed', timeout=10.0)
        assert match is not None, node.output
    finally:
        client.close()
        node.stop()

"""The installed node runs a MoveNet SinglePose model in single mode and refuses multi mode."""

import pytest

rclpy = pytest.importorskip('rclpy')

from node_harness import (couple_frame_bgr, image_client, publish_until,  # noqa: E402
                          raw_image, running_node, wait_until)

DOMAIN_ID = 49
MOVENET = 'movenet_singlepose_lightning_int8.tflite'


def test_movenet_single_mode_gives_one_person_and_multi_mode_is_refused(tmp_path, data_dir):
    with running_node(DOMAIN_ID, tmp_path / 'a', {'model_path': MOVENET,
                                                  'detection_mode': 'multi'}) as refused:
        assert refused.wait_for_output(r'configure failed: .*single', 30.0), refused.output
    with running_node(DOMAIN_ID, tmp_path / 'b', {
            'model_path': MOVENET, 'detection_mode': 'single',
            'image_qos_reliability': 'reliable', 'keep_aspect_ratio': 'auto'}), \
            image_client(DOMAIN_ID) as client:
        wait_until(lambda: client.image_publisher.get_subscription_count() > 0, 30.0,
                   'node does not subscribe')
        reply = publish_until(client.image_publisher,
                              raw_image(couple_frame_bgr(data_dir), 'bgr8', 3), client.poses, 3)
        assert len(reply.poses) == 1 and reply.poses[0].score > 0.2

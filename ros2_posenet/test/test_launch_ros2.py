"""``ros2 launch ros2_posenet posenet.launch.py`` as users run it, with the real ``ros2`` command.

Runs where the ``ros2`` command and launch_ros exist (a ROS 2 install, or the overlay
``make setup`` builds from ../shared/ros-env); ``make test`` sets ``POSENET_REQUIRE_ROS2_CLI=1``
when it built that overlay, so there the test fails instead of skipping. The launch file is
started with every documented argument; a frame published on the remapped image topic comes
back as poses in the namespace; ``ros2 param set`` and ``ros2 lifecycle set`` drive the node;
Ctrl-C ends everything.
"""

import os
from pathlib import Path
import shutil
import subprocess
import time

import pytest

rclpy = pytest.importorskip('rclpy')
from ros2_posenet_msgs.msg import PoseArray  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402

from node_harness import (child_env, couple_frame_bgr, IMAGE_QOS,  # noqa: E402
                          installed_params_file, publish_until, raw_image, RosClient, wait_until)
from ros2_posenet.tools.node_process import NodeProcess  # noqa: E402

DOMAIN_ID = 55
MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
ARGUMENTS = ('params_file', 'namespace', 'image', 'camera_info', 'model_path', 'delegate',
             'use_rviz', 'rviz_fixed_frame', 'large_frames', 'depth', 'use_depth', 'follow',
             'target_policy', 'bridge')


def _ros2() -> str:
    path = shutil.which('ros2')
    if path is None:
        message = 'the ros2 command is not installed (make setup builds it from ../shared)'
        if os.environ.get('POSENET_REQUIRE_ROS2_CLI') == '1':
            pytest.fail(message)
        pytest.skip(message)
    return path


def _ros2_run(env: dict[str, str], *arguments: str, timeout: float = 60.0) -> str:
    result = subprocess.run([_ros2(), *arguments], env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f'ros2 {" ".join(arguments)}: {result.stdout}{result.stderr}'
    return result.stdout


@pytest.fixture(scope='module')
def environment(tmp_path_factory) -> dict[str, str]:
    return child_env(DOMAIN_ID, tmp_path_factory.mktemp('ros_home'))


def test_show_args_lists_every_argument_with_a_description(environment):
    output = _ros2_run(environment, 'launch', 'ros2_posenet', 'posenet.launch.py', '--show-args')
    for name in ARGUMENTS:
        assert f"'{name}':" in output, name
    blocks = output.split("\n    '")[1:]
    assert len(blocks) == len(ARGUMENTS)
    for block in blocks:
        description = block.splitlines()[1].strip()
        assert description and not description.startswith('(default'), block


def test_launch_gives_poses_and_answers_param_and_lifecycle_commands(environment, data_dir,
                                                                     tmp_path):
    # a params file of our own: reliable image input (raw frames over 512 KB cross DDS reliably)
    params = tmp_path / 'posenet.yaml'
    params.write_text(installed_params_file().read_text().replace(
        'image_qos_reliability: best_effort', 'image_qos_reliability: reliable'))
    assert 'image_qos_reliability: reliable' in params.read_text()
    launch = NodeProcess([
        _ros2(), 'launch', 'ros2_posenet', 'posenet.launch.py', 'namespace:=front',
        'image:=/cam/front/image_raw', 'camera_info:=/cam/front/camera_info',
        f'params_file:={params}', f'model_path:={MODEL}', 'delegate:=cpu',
        'large_frames:=false', 'use_rviz:=false'], environment)
    client = RosClient(DOMAIN_ID)
    try:
        publisher = client.node.create_publisher(Image, '/cam/front/image_raw', IMAGE_QOS)
        poses = client.collect(PoseArray, '/front/poses')
        wait_until(lambda: publisher.get_subscription_count() > 0 or not launch.running(), 60.0,
                   'the launched node does not subscribe to the remapped image topic')
        assert launch.running(), launch.output
        reply = publish_until(publisher, raw_image(couple_frame_bgr(data_dir), 'bgr8', 1),
                              poses, 1)
        assert len(reply.poses) >= 2
        assert MODEL in launch.output  # the model_path argument reached the node
        assert 'reliable' in launch.output  # and the params file (the active line names it)
        assert 'successful' in _ros2_run(environment, 'param', 'set', '/front/posenet',
                                         'score_threshold', '0.3')
        assert _ros2_run(environment, 'param', 'get', '/front/posenet',
                         'score_threshold').strip().endswith('0.3')
        refused = subprocess.run([_ros2(), 'param', 'set', '/front/posenet', 'max_detections',
                                  '1000'], env=environment, capture_output=True, text=True,
                                 timeout=60)
        assert 'Setting parameter failed' in refused.stdout + refused.stderr
        assert 'Transitioning successful' in _ros2_run(
            environment, 'lifecycle', 'set', '/front/posenet', 'deactivate')
        assert _ros2_run(environment, 'lifecycle', 'get', '/front/posenet').startswith(
            'inactive')
        assert 'Transitioning successful' in _ros2_run(
            environment, 'lifecycle', 'set', '/front/posenet', 'activate')
        reply = publish_until(publisher, raw_image(couple_frame_bgr(data_dir), 'bgr8', 2),
                              poses, 2)
        assert reply.header.frame_id
    finally:
        client.close()
        start = time.monotonic()
        code = launch.stop(timeout=20.0)
        elapsed = time.monotonic() - start
    assert code == 0, launch.output
    assert elapsed < 10.0
    assert 'Traceback' not in launch.output


def _node_pids(launch_pid: int, executable: bytes = b'posenet_node') -> list[int]:
    """Return the ``executable`` processes started by the launch process."""
    found = []
    for proc in Path('/proc').iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat_fields = (proc / 'stat').read_text().rsplit(')', 1)[1].split()
            command = (proc / 'cmdline').read_bytes().split(b'\0')
        except OSError:
            continue
        if int(stat_fields[1]) == launch_pid and any(executable in part for part in command):
            found.append(int(proc.name))
    return found


def test_large_frames_profile_and_follow_start_what_they_say(environment):
    launch = NodeProcess([_ros2(), 'launch', 'ros2_posenet', 'posenet.launch.py',
                          f'model_path:={MODEL}', 'large_frames:=true', 'follow:=true',
                          'target_policy:=largest', 'bridge:=true'], environment)
    try:
        pids = wait_until(lambda: _node_pids(launch.process.pid) or not launch.running(), 60.0,
                          'the launch file started no posenet_node')
        assert launch.running(), launch.output
        variables = dict(
            entry.split(b'=', 1) for entry in
            Path(f'/proc/{pids[0]}/environ').read_bytes().split(b'\0') if b'=' in entry)
        for name in (b'FASTRTPS_DEFAULT_PROFILES_FILE', b'FASTDDS_DEFAULT_PROFILES_FILE'):
            assert variables[name].endswith(b'share/ros2_posenet/config/fastdds_large_frames.xml')
        wait_until(lambda: _node_pids(launch.process.pid, b'person_target_node'), 30.0,
                   'follow:=true started no person_target_node')
        wait_until(lambda: _node_pids(launch.process.pid, b'pose_bridge_node'), 30.0,
                   'bridge:=true started no pose_bridge_node')

        def policy() -> str | None:
            result = subprocess.run([_ros2(), 'param', 'get', '/person_target', 'policy'],
                                    env=environment, capture_output=True, text=True, timeout=60)
            return result.stdout if result.returncode == 0 else None
        assert wait_until(policy, 30.0, 'person_target not reachable').strip().endswith(
            'largest')
    finally:
        assert launch.stop(timeout=20.0) == 0, launch.output

"""posenet_stream end to end: a video to a real OSC server and WebSocket clients, unattended.

The installed ``posenet_stream`` runs on Dance.mp4 (or a few frames of it) for a bounded number
of frames: OSC frames and JSON messages both arrive; a receiver that is absent, a client that
disconnects, the end of a video (with and without ``--loop``) and Ctrl-C never crash it; a
camera that is not there is retried with back-off; and the whole code path runs with every ROS
module made unimportable.
"""

from pathlib import Path
import signal
import socket
import sys
import threading
import time

import pytest
from websockets.sync.client import connect

from ros2_posenet.tools import stream
from ros2_posenet.tools.frame_source import FrameSourceError

from test_bridge_harness import (frames_of, MODEL, OscRecorder, receive_texts, short_video,
                                 StreamProcess)

DANCE_SIZE = {'width': 514, 'height': 496}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture(scope='module')
def clip(data_dir, tmp_path_factory) -> Path:
    """Eight frames of Dance.mp4, at 25 fps."""
    return short_video(data_dir, tmp_path_factory.mktemp('video') / 'clip.mp4', 8)


def test_a_video_streams_to_osc_and_websocket(data_dir):
    port = _free_port()
    with OscRecorder() as recorder:
        process = StreamProcess([str(data_dir / 'video' / 'Dance.mp4'),
                                 '--osc', f'127.0.0.1:{recorder.port}', '--websocket', str(port),
                                 '--max-frames', '40', '--model', MODEL])
        try:
            assert process.page_port() == port
            documents = receive_texts(port, 5, timeout=30.0)
            assert process.wait() == 0, process.output
        finally:
            process.stop()
        frames = frames_of(recorder.snapshot())
    assert 'stopped after 40 frames' in process.output
    assert ' fps, ' in process.output  # the status line
    assert len(frames) >= 35  # loopback UDP: all or nearly all of the 40 frames
    for frame in frames:
        address, tags, (amount,) = frame[0]
        assert tags == 'i' and len(frame) == 1 + amount * 18
        assert all(tags == 'fff' for address, tags, _ in frame if address.count('/') == 3
                   and not address.endswith('/id'))
    assert max(frame[0][2][0] for frame in frames) >= 1  # the dancer is found
    for document in documents:
        assert document['image'] == DANCE_SIZE
        for pose in document['poses']:
            assert len(pose['keypoints']) == 17 and isinstance(pose['id'], int)
    assert any(pose['id'] > 0 for document in documents for pose in document['poses'])


def test_an_absent_osc_receiver_and_the_end_of_a_video(clip):
    port = _free_port()  # nobody listens there
    process = StreamProcess([str(clip), '--osc', f'127.0.0.1:{port}', '--fast',
                             '--model', MODEL])
    try:
        assert process.wait() == 0, process.output
    finally:
        process.stop()
    assert 'stopped after 8 frames' in process.output
    assert 'Traceback' not in process.output


def test_loop_starts_the_video_again(clip):
    process = StreamProcess([str(clip), '--websocket', '0', '--loop', '--fast',
                             '--max-frames', '20', '--model', MODEL])
    try:
        assert process.wait() == 0, process.output
    finally:
        process.stop()
    assert process.output.count('starting again (--loop)') == 2
    assert 'stopped after 20 frames' in process.output


def test_clients_that_disconnect_and_ctrl_c(clip):
    process = StreamProcess([str(clip), '--websocket', '0', '--loop', '--model', MODEL])
    try:
        port = process.page_port()
        with connect(f'ws://127.0.0.1:{port}/', close_timeout=0.1) as leaving:
            leaving.recv(timeout=20)
            leaving.socket.close()  # a client that vanishes
        assert len(receive_texts(port, 3)) == 3  # a new client is served
        with connect(f'ws://127.0.0.1:{port}/') as polite:
            polite.recv(timeout=20)
        assert len(receive_texts(port, 2)) == 2
        assert process.process.poll() is None
        process.process.send_signal(signal.SIGINT)
        assert process.wait(20) == 0, process.output
    finally:
        process.stop()
    assert 'stopped after' in process.output
    assert 'Traceback' not in process.output


def _run(argv: list[str]) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = stream.run(stream.build_parser().parse_args(argv), threading.Event(), lines.append)
    return code, lines


def test_setup_errors_exit_with_2(tmp_path):
    code, lines = _run([str(tmp_path / 'missing.mp4'), '--websocket', '0'])
    assert code == stream.EXIT_SETUP_FAILED and 'no such camera index, video' in lines[-1]
    code, lines = _run([str(tmp_path), '--model', MODEL])
    assert code == stream.EXIT_SETUP_FAILED and 'nothing to stream to' in lines[-1]
    code, lines = _run([str(tmp_path), '--osc', 'localhost:notaport'])
    assert code == stream.EXIT_SETUP_FAILED and 'port' in lines[-1]


def test_a_live_source_is_reopened_with_back_off():
    attempts = []

    def opener():
        attempts.append(len(attempts))
        if len(attempts) <= 2:
            raise FrameSourceError('cannot open camera 7')
        if len(attempts) == 3:
            yield from ('a', 'b', 'c')  # then the device goes away
            return
        yield from ('d', 'e')

    lines: list[str] = []
    stop = threading.Event()
    frames = []
    for frame in stream.reopening_frames(opener, stop, lines.append, 'camera 7',
                                         min_delay_s=0.01, max_delay_s=0.02):
        frames.append(frame)
        if len(frames) == 5:
            stop.set()
    assert frames == ['a', 'b', 'c', 'd', 'e']
    assert lines[:2] == ['camera 7: cannot open camera 7; reopening in 0.0 s'] * 2
    assert 'camera 7 is back' in lines
    assert any('stopped delivering frames' in line for line in lines)


def test_a_missing_camera_is_retried_until_stopped():
    args = stream.build_parser().parse_args(['9', '--websocket', '0', '--model', MODEL])
    stop = threading.Event()
    lines: list[str] = []
    runner = threading.Thread(target=lambda: lines.append(stream.run(args, stop, lines.append)))
    runner.start()
    try:
        for _ in range(100):
            if sum('reopening in' in str(line) for line in lines) >= 2:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        runner.join(20)
    assert not runner.is_alive()
    assert lines[-1] == stream.EXIT_OK
    retries = [line for line in lines if isinstance(line, str) and 'reopening in' in line]
    assert retries[0].endswith('reopening in 0.5 s') and retries[1].endswith('in 1.0 s')


NO_ROS = '''
import importlib.abc, sys
ROS = {'rclpy', 'rosidl_runtime_py', 'sensor_msgs', 'std_msgs', 'geometry_msgs',
       'visualization_msgs', 'diagnostic_msgs', 'ros2_posenet_msgs', 'rcl_interfaces',
       'ament_index_python', 'launch', 'launch_ros', 'builtin_interfaces'}
class NoRos(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ROS:
            raise ImportError(f'{name} is not installed here')
        return None
sys.meta_path.insert(0, NoRos())
from ros2_posenet.tools import stream
code = stream.main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ROS)
print('ROS modules loaded:', loaded)
sys.exit(code)
'''


def test_it_runs_without_ros_installed(clip):
    command = [sys.executable, '-c', NO_ROS]
    process = StreamProcess([str(clip), '--websocket', '0', '--osc', '127.0.0.1:9',
                             '--fast', '--max-frames', '4', '--model', MODEL],
                            command=command)
    try:
        assert process.wait() == 0, process.output
    finally:
        process.stop()
    assert 'ROS modules loaded: []' in process.output
    assert 'stopped after 4 frames' in process.output

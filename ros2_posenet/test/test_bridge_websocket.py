"""The WebSocket server with real clients on loopback: broadcast, clients that leave, slow
clients, JPEG for clients that ask, and the page over plain HTTP."""

import json
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from websockets.sync.client import connect

from ros2_posenet.bridges import BridgeError, BridgeSettings, PoseBridge, PoseWebSocketServer
from ros2_posenet.posenet import NUM_KEYPOINTS, PoseArrays


def _wait(predicate, timeout=10.0, message='condition'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f'{message} not met in {timeout} s')


@pytest.fixture
def server():
    events = []
    ws = PoseWebSocketServer('127.0.0.1', 0, on_event=events.append)
    ws.start()
    ws.events = events
    try:
        yield ws
    finally:
        ws.close()


def _frame(index: int) -> str:
    return json.dumps({'poses': [], 'image': {'width': 640, 'height': index}})


def _texts(websocket, count, timeout=10.0):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        message = websocket.recv(timeout=max(0.01, deadline - time.monotonic()))
        if isinstance(message, str):
            got.append(json.loads(message)['image']['height'])
    return got


def test_the_page_and_its_scripts_are_served_over_http(server):
    base = f'http://127.0.0.1:{server.port}'
    with urllib.request.urlopen(f'{base}/', timeout=5) as response:
        assert response.headers['Content-Type'].startswith('text/html')
        page = response.read().decode()
    assert '<canvas' in page and 'app.js' in page and 'skeleton.js' in page
    assert 'http' not in page.replace('http-equiv', '')  # nothing fetched from elsewhere
    with urllib.request.urlopen(f'{base}/app.js', timeout=5) as response:
        assert 'new WebSocket' in response.read().decode()
    with urllib.request.urlopen(f'{base}/skeleton.js', timeout=5) as response:
        skeleton = response.read().decode()
    assert '"leftShoulder"' in skeleton and 'POSENET_SKELETON' in skeleton
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f'{base}/secret.txt', timeout=5)
    assert missing.value.code == 404
    missing.value.close()


def test_two_clients_receive_every_frame_in_order(server):
    with connect(f'ws://127.0.0.1:{server.port}/') as first, \
            connect(f'ws://127.0.0.1:{server.port}/stream') as second:
        _wait(lambda: server.client_count == 2, message='two clients')
        for index in range(20):
            server.broadcast(_frame(index))
            time.sleep(0.01)
        assert _texts(first, 20) == list(range(20))
        assert _texts(second, 20) == list(range(20))
    _wait(lambda: server.client_count == 0, message='clients gone')
    assert server.stats().connections == 2
    assert any('connected' in line for line in server.events)
    assert any('left' in line for line in server.events)


def test_a_client_dropping_mid_stream_leaves_the_others_served(server):
    with connect(f'ws://127.0.0.1:{server.port}/') as staying:
        with connect(f'ws://127.0.0.1:{server.port}/', close_timeout=0.1) as dropping:
            _wait(lambda: server.client_count == 2, message='two clients')
            server.broadcast(_frame(1))
            assert _texts(dropping, 1) == [1]
            dropping.socket.close()  # gone without a closing handshake (a crashed client)
        for index in range(2, 40):
            server.broadcast(_frame(index))
            time.sleep(0.005)
        got = _texts(staying, 39)
        assert got == list(range(1, 40))
        _wait(lambda: server.client_count == 1, message='the dropped client forgotten')
        with connect(f'ws://127.0.0.1:{server.port}/') as newcomer:  # the server still serves
            _wait(lambda: server.client_count == 2, message='newcomer')
            server.broadcast(_frame(99))
            assert _texts(newcomer, 1) == [99]
            assert _texts(staying, 1) == [99]


def test_a_client_that_never_reads_does_not_hold_up_the_others(server):
    big = 'x' * 200_000
    with connect(f'ws://127.0.0.1:{server.port}/', max_size=None) as reader, \
            connect(f'ws://127.0.0.1:{server.port}/', max_size=None,
                    close_timeout=0.1) as sleeper:
        _wait(lambda: server.client_count == 2, message='two clients')
        received = []
        start = time.monotonic()
        for index in range(150):  # 30 MB to a client that reads nothing
            server.broadcast(json.dumps({'poses': [], 'image': {'width': index,
                                                                'height': 0}, 'pad': big}))
            while True:  # the reader keeps up
                try:
                    message = reader.recv(timeout=0.02 if index < 149 else 5.0)
                except TimeoutError:
                    break
                received.append(json.loads(message)['image']['width'])
                if received[-1] == index:
                    break
        elapsed = time.monotonic() - start
        assert received[-1] == 149, received[-5:]
        assert len(received) >= 30  # it gets frames all along, not only the last one
        assert server.stats().frames_dropped > 0  # the sleeper's frames were dropped
        assert elapsed < 30.0
        assert sleeper.recv(timeout=5)  # its queue still holds recent frames


def test_jpeg_frames_go_only_to_clients_that_ask():
    image = np.full((120, 160, 3), 200, np.uint8)
    calls = []

    def frame():
        calls.append(1)
        return image

    bridge = PoseBridge(BridgeSettings(websocket_enabled=True, websocket_port=0))
    port = bridge.websocket.port
    poses = PoseArrays(np.full((1, NUM_KEYPOINTS, 2), 10.0), np.full((1, NUM_KEYPOINTS), 0.9),
                       np.array([0.9]))
    try:
        with connect(f'ws://127.0.0.1:{port}/') as plain:
            _wait(lambda: bridge.websocket.client_count == 1, message='client')
            bridge.publish(poses, [3], 160, 120, 1.0, image=frame)
            assert json.loads(plain.recv(timeout=5))['poses'][0]['id'] == 3
            assert not calls  # nobody asked for images: no JPEG encoded
            with connect(f'ws://127.0.0.1:{port}/stream?image=1') as viewer:
                _wait(lambda: bridge.websocket.wants_image, message='image client')
                bridge.publish(poses, [3], 160, 120, 1.1, image=frame)
                text = viewer.recv(timeout=5)
                jpeg = viewer.recv(timeout=5)
                assert json.loads(text)['image'] == {'width': 160, 'height': 120}
                assert isinstance(jpeg, bytes) and jpeg[:2] == b'\xff\xd8'
                assert calls == [1]
                assert isinstance(plain.recv(timeout=5), str)
                with pytest.raises(TimeoutError):
                    plain.recv(timeout=0.3)  # no binary message for the plain client
    finally:
        bridge.close()


def test_a_port_in_use_is_refused_at_start(server):
    with pytest.raises(BridgeError, match='cannot serve'):
        PoseWebSocketServer('127.0.0.1', server.port).start()
    with pytest.raises(BridgeError, match='port'):
        PoseWebSocketServer('127.0.0.1', 70000)

"""The live page in a real headless Chromium against a live stream of a video.

``posenet_stream`` plays Dance.mp4 (looped, at its frame rate) with ``--websocket``; Chromium
opens ``http://127.0.0.1:PORT/`` and is driven over the DevTools protocol: the page's frames
per second (``#fps``, ``document.title``) must be above 0, its source size 514x496, and a
screenshot must show skeleton pixels where the last drawn poses are, mapped to the screen with
the page's own layout. The stream is then restarted on the same port: the page reconnects by
itself and draws again; with its image switch on it shows the video frames (JPEG) too.
"""

import base64
import contextlib
import itertools
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import cv2
import numpy as np
import pytest
from websockets.sync.client import connect

from test_bridge_harness import MODEL, StreamProcess

CHROMIUM = os.environ.get('POSENET_CHROMIUM', '/usr/bin/chromium')
WINDOW = (800, 600)
BAR_HEIGHT = 32  # the page's status bar (index.html #bar)
MIN_PART_SCORE = 0.1  # app.js default
MARGIN_PX = 40  # line width, labels above heads, and a frame or two of motion
STATE = '''JSON.stringify({fps: poseView.fps, frames: poseView.frames, title: document.title,
  fpsText: document.getElementById('fps').textContent, connected: poseView.connected,
  size: document.getElementById('size').textContent, connections: poseView.connections,
  layout: poseView.layout, rect: document.getElementById('canvas').getBoundingClientRect(),
  frame: poseView.lastFrame})'''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class DevTools:
    """A page of headless Chromium, driven over the DevTools protocol."""

    def __init__(self, url: str, profile: Path) -> None:
        if not Path(CHROMIUM).exists():
            message = f'{CHROMIUM} not found (apt-get install -y chromium)'
            if os.environ.get('POSENET_REQUIRE_BROWSER') == '1':
                pytest.fail(message)
            pytest.skip(message)
        self.process = subprocess.Popen(
            [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
             '--no-first-run', '--disable-background-networking', '--disable-component-update',
             '--disable-sync', '--disable-extensions', f'--user-data-dir={profile}',
             f'--window-size={WINDOW[0]},{WINDOW[1]}', '--remote-debugging-port=0',
             '--hide-scrollbars', url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        port_file = profile / 'DevToolsActivePort'
        deadline = time.monotonic() + 60.0
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError('Chromium did not open its DevTools port')
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        target = None
        while target is None:
            with urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list', timeout=5) as r:
                pages = [t for t in json.load(r) if t.get('type') == 'page']
            target = pages[0] if pages else None
            if target is None:
                if time.monotonic() > deadline:
                    raise AssertionError('Chromium shows no page')
                time.sleep(0.1)
        self._exit = contextlib.ExitStack()
        self.socket = self._exit.enter_context(
            connect(target['webSocketDebuggerUrl'], max_size=None, open_timeout=20))
        self._ids = itertools.count(1)
        # the viewport itself, not the window with its frame: WINDOW pixels at scale 1
        self.call('Emulation.setDeviceMetricsOverride', width=WINDOW[0], height=WINDOW[1],
                  deviceScaleFactor=1, mobile=False)

    def call(self, method: str, **params) -> dict:
        """Send one command; return its result."""
        message_id = next(self._ids)
        self.socket.send(json.dumps({'id': message_id, 'method': method, 'params': params}))
        while True:
            reply = json.loads(self.socket.recv(timeout=30))
            if reply.get('id') == message_id:
                if 'error' in reply:
                    raise AssertionError(f'{method}: {reply["error"]}')
                return reply['result']

    def state(self) -> dict:
        """Return the page's state (``poseView`` and its DOM counters)."""
        result = self.call('Runtime.evaluate', expression=STATE, returnByValue=True)
        value = result['result'].get('value')
        return json.loads(value) if value else {}

    def wait_state(self, predicate, timeout: float = 60.0) -> dict:
        """Poll the page's state until ``predicate(state)``."""
        deadline = time.monotonic() + timeout
        state: dict = {}
        while time.monotonic() < deadline:
            try:
                state = self.state()
            except AssertionError:  # poseView not defined yet
                state = {}
            if state and predicate(state):
                return state
            time.sleep(0.2)
        raise AssertionError(f'page state not reached in {timeout} s: '
                             f'{ {k: v for k, v in state.items() if k != "frame"} }')

    def screenshot(self) -> np.ndarray:
        """Return the viewport as a BGR image."""
        data = base64.b64decode(self.call('Page.captureScreenshot', format='png')['data'])
        return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)

    def close(self) -> None:
        try:
            self._exit.close()
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait(5)


def _stream(data_dir: Path, port: int) -> StreamProcess:
    return StreamProcess([str(data_dir / 'video' / 'Dance.mp4'), '--loop',
                          '--websocket', str(port), '--model', MODEL])


def _expected_box(state: dict) -> tuple[float, float, float, float]:
    """Screen box (x0, y0, x1, y1) of the drawn keypoints of the page's last frame."""
    layout, rect = state['layout'], state['rect']
    points = [(kp['position']['x'], kp['position']['y'])
              for pose in state['frame']['poses'] for kp in pose['keypoints']
              if kp['score'] >= MIN_PART_SCORE]
    assert points, 'the last frame has no keypoint to draw'
    xy = np.array(points) * layout['scale'] + (rect['left'] + layout['offsetX'],
                                               rect['top'] + layout['offsetY'])
    return (*xy.min(axis=0), *xy.max(axis=0))


def test_the_page_draws_the_live_stream_and_reconnects(data_dir, tmp_path):
    port = _free_port()
    stream = _stream(data_dir, port)
    browser = None
    try:
        assert stream.page_port() == port
        browser = DevTools(f'http://127.0.0.1:{port}/', tmp_path / 'profile')
        state = browser.wait_state(lambda s: s['frames'] >= 10 and s['fps'] > 0 and s['frame']
                                   and s['frame']['poses'])
        assert float(state['fpsText']) > 0.0
        assert state['title'].startswith('PoseNet live - ') and state['title'].endswith(' fps')
        assert float(state['title'].split(' - ')[1].split()[0]) > 0.0
        assert state['size'] == '514x496'
        assert state['connected']

        before = browser.state()
        image = browser.screenshot()
        after = browser.state()
        assert image.shape[:2] == (WINDOW[1], WINDOW[0])
        boxes = np.array([_expected_box(before), _expected_box(after)])
        x0, y0 = boxes[:, :2].min(axis=0) - MARGIN_PX
        x1, y1 = boxes[:, 2:].max(axis=0) + MARGIN_PX
        view = image[BAR_HEIGHT:].astype(np.int32)
        brightness = view.max(axis=2)
        saturation = view.max(axis=2) - view.min(axis=2)
        drawn = brightness > 110  # background #111, frame outline #333
        ys, xs = np.nonzero(drawn)
        ys = ys + BAR_HEIGHT
        inside = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
        assert drawn.sum() >= 300, 'no skeleton drawn'
        assert inside.mean() >= 0.95, (inside.mean(), (x0, y0, x1, y1))
        assert (saturation > 100).sum() >= 100  # tracked people are drawn in colour
        drawn_box = (xs.min(), ys.min(), xs.max(), ys.max())
        expected_w, expected_h = x1 - x0 - 2 * MARGIN_PX, y1 - y0 - 2 * MARGIN_PX
        assert drawn_box[2] - drawn_box[0] >= 0.5 * expected_w  # the whole body, not a dot
        assert drawn_box[3] - drawn_box[1] >= 0.5 * expected_h
        cv2.imwrite(str(tmp_path / 'page.png'), image)

        # the stream goes away and comes back on the same port: the page reconnects
        stream.process.send_signal(signal.SIGINT)
        assert stream.wait(20) == 0
        browser.wait_state(lambda s: not s['connected'], 20.0)
        stream = _stream(data_dir, port)
        assert stream.page_port() == port
        frames = browser.state()['frames']
        state = browser.wait_state(lambda s: s['connected'] and s['connections'] >= 2
                                   and s['frames'] >= frames + 5 and s['fps'] > 0, 60.0)

        # the image switch: the page reconnects with ?image=1 and draws the JPEG frames
        browser.call('Runtime.evaluate', expression="document.getElementById('show-image')"
                     '.click()')
        frames = state['frames']
        state = browser.wait_state(lambda s: s['connections'] >= 3
                                   and s['frames'] >= frames + 5, 60.0)
        image = browser.screenshot()
        layout, rect = state['layout'], state['rect']
        left = int(rect['left'] + layout['offsetX'])
        top = int(rect['top'] + layout['offsetY'])
        right = int(left + 514 * layout['scale'])
        bottom = int(top + 496 * layout['scale'])
        video = image[top + 2:bottom - 2, left + 2:right - 2].astype(np.int32)
        assert (video.max(axis=2) > 60).mean() > 0.5  # the dance floor, not the background
        assert image[BAR_HEIGHT + 5:, :max(left - 5, 1)].max() < 40  # outside the image: dark
    finally:
        if browser is not None:
            browser.close()
        stream.stop()
        shutil.rmtree(tmp_path / 'profile', ignore_errors=True)

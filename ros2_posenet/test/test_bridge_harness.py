"""Support shared by the bridge tests (no tests here): an OSC recorder, WebSocket clients, streams.

``OscRecorder`` is a real python-osc ``ThreadingOSCUDPServer`` on 127.0.0.1 (port 0) that keeps
every datagram in arrival order (recorded in the serving thread, before a handler thread is
started, so threads cannot reorder them) with its type tags, as the wire carries them.
"""

from collections.abc import Callable, Sequence
import json
import os
from pathlib import Path
import re
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import cv2
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_message import OscMessage
from pythonosc.osc_server import ThreadingOSCUDPServer
from pythonosc.parsing import osc_types
from websockets.sync.client import connect

from ros2_posenet.tools.node_process import NodeProcess

MODEL = 'posenet_mobilenet_v1_075_353_481_quant_decoder.tflite'
"""The faster model: the tests check plumbing, not accuracy."""
PAGE_LINE = re.compile(r'(?:live page on|WebSocket on) http://[^:]+:(\d+)/')


def parse_datagram(dgram: bytes) -> tuple[str, str, list[Any]]:
    """Return (address, type tags without the comma, values) of one OSC message datagram."""
    address, index = osc_types.get_string(dgram, 0)
    tags, _ = osc_types.get_string(dgram, index)
    return address, tags.lstrip(','), list(OscMessage(dgram).params)


class _RecordingServer(ThreadingOSCUDPServer):
    def __init__(self, recorder: 'OscRecorder') -> None:
        super().__init__(('127.0.0.1', 0), Dispatcher())
        self.recorder = recorder
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 * 1024 * 1024)

    def verify_request(self, request: Any, client_address: Any) -> bool:
        with self.recorder.lock:
            self.recorder.messages.append(parse_datagram(bytes(request[0])))
        return False  # recorded here, in order; no handler thread needed


class OscRecorder:
    """A real OSC UDP server on loopback recording every message it receives."""

    def __init__(self) -> None:
        """Bind 127.0.0.1 on a free port and serve in a thread."""
        self.lock = threading.Lock()
        self.messages: list[tuple[str, str, list[Any]]] = []
        self.server = _RecordingServer(self)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={'poll_interval': 0.05}, daemon=True)
        self._thread.start()

    def snapshot(self) -> list[tuple[str, str, list[Any]]]:
        """Return the messages so far."""
        with self.lock:
            return list(self.messages)

    def clear(self) -> None:
        """Forget the messages so far."""
        with self.lock:
            self.messages.clear()

    def wait_for(self, predicate: Callable[[list], Any], timeout: float = 10.0) -> Any:
        """Wait until ``predicate(messages)`` is truthy; return it (``AssertionError`` else)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate(self.snapshot())
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f'OSC: condition not met in {timeout} s; got '
                             f'{len(self.snapshot())} messages')

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> 'OscRecorder':
        """Return the recorder."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop serving."""
        self.close()


def frames_of(messages: list[tuple[str, str, list[Any]]]) -> list[list[tuple[str, str, list]]]:
    """Split individual-format messages into frames, each starting at ``/poses/amount``."""
    frames: list[list] = []
    for message in messages:
        if message[0] == '/poses/amount':
            frames.append([])
        if frames:
            frames[-1].append(message)
    return frames


def receive_texts(port: int, count: int, timeout: float = 20.0,
                  path: str = '/') -> list[dict]:
    """Connect to ``ws://127.0.0.1:port``, return the first ``count`` JSON text messages."""
    documents: list[dict] = []
    deadline = time.monotonic() + timeout
    with connect(f'ws://127.0.0.1:{port}{path}', open_timeout=timeout) as websocket:
        while len(documents) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f'{len(documents)} of {count} messages in {timeout} s')
            message = websocket.recv(timeout=remaining)
            if isinstance(message, str):
                documents.append(json.loads(message))
    return documents


def installed_script(name: str) -> list[str]:
    """Return the command of an installed console script (``python -m`` fallback)."""
    try:
        from ament_index_python.packages import get_package_prefix
        path = Path(get_package_prefix('ros2_posenet')) / 'lib' / 'ros2_posenet' / name
        if path.exists():
            return [str(path)]
    except Exception:  # noqa: B902 no ament index: run the module
        pass
    module = {'posenet_stream': 'ros2_posenet.tools.stream'}[name]
    return [sys.executable, '-m', module]


class StreamProcess(NodeProcess):
    """``posenet_stream`` in a child process, its output collected."""

    def __init__(self, arguments: Sequence[str], command: Sequence[str] | None = None) -> None:
        """Start ``posenet_stream ARGUMENTS`` (or ``command`` + arguments)."""
        super().__init__([*(command or installed_script('posenet_stream')), *arguments],
                         dict(os.environ, PYTHONUNBUFFERED='1'))

    def wait_for_output(self, pattern: str,  # type: ignore[override]
                        timeout: float = 30.0) -> re.Match:
        """Wait until the output matches ``pattern``; fail with the output otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.output)
            if match:
                return match
            if self.process.poll() is not None:
                if self._reader is not None:
                    self._reader.join(2.0)
                match = re.search(pattern, self.output)
                if match:
                    return match
                break
            time.sleep(0.05)
        raise AssertionError(f'no {pattern!r} in the output:\n{self.output}')

    def page_port(self, timeout: float = 30.0) -> int:
        """Return the WebSocket port the stream printed."""
        return int(self.wait_for_output(PAGE_LINE.pattern, timeout).group(1))

    def wait(self, timeout: float = 60.0) -> int:
        """Wait for the exit (killing it after ``timeout``); return the exit status."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise AssertionError(f'posenet_stream did not exit in {timeout} s:\n{self.output}')
        if self._reader is not None:
            self._reader.join(2.0)
        return code

    def stop(self, timeout: float = 5.0) -> int | None:  # type: ignore[override]
        """Kill the process if it still runs (the tests want no grace period)."""
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout)


def short_video(data_dir: Path, path: Path, frames: int, size: tuple[int, int] | None = None
                ) -> Path:
    """Write the first ``frames`` frames of Dance.mp4 (25 fps) to ``path`` (mp4v)."""
    capture = cv2.VideoCapture(str(data_dir / 'video' / 'Dance.mp4'))
    writer = None
    try:
        for _ in range(frames):
            ok, frame = capture.read()
            assert ok, 'cannot read video/Dance.mp4'
            if size is not None:
                frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
            if writer is None:
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 25.0,
                                         (frame.shape[1], frame.shape[0]))
            writer.write(frame)
    finally:
        capture.release()
        if writer is not None:
            writer.release()
    return path

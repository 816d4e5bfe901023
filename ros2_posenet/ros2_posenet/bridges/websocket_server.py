"""A WebSocket server broadcasting one message per frame to every client, and the live page.

The server (websockets' asyncio implementation) runs its event loop in a thread of its own;
``broadcast`` may be called from any thread and never waits. Each client has a bounded queue
(``queue_size`` frames) and a task that sends from it, so a slow client (a remote browser on a
bad link) only loses frames of its own: when its queue is full the oldest frame is dropped and
counted, and the other clients are not held up. A client that disconnects, cleanly or not, is
forgotten; clients may come and go at any time.

Clients connecting with ``?image=1`` in the URL (the page's "image" switch) also get, after a
frame's JSON text message, a binary message with the frame as JPEG when there is one; others
get text messages only (``{"poses": [...], "image": {"width", "height"}}``).

A plain HTTP ``GET`` on the port serves the live page (``web_page.WebPage``).
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import logging
import threading
from typing import Final
from urllib.parse import parse_qs, urlsplit

try:
    from websockets.asyncio.server import serve, Server, ServerConnection
except ImportError as error:  # websockets < 13 (Debian 12 and Ubuntu 24.04 ship 10.4)
    raise ImportError(f'the WebSocket bridge needs websockets >= 13 (pip install '
                      f'websockets==17.4): {error}') from error
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from ros2_posenet.bridges.errors import BridgeError
from ros2_posenet.bridges.web_page import is_websocket_upgrade, WebPage

DEFAULT_QUEUE_SIZE: Final[int] = 2
"""Frames waiting per client; more and the oldest is dropped (latest frames matter)."""
START_TIMEOUT_S: Final[float] = 10.0
PING_INTERVAL_S: Final[float] = 10.0
"""Keep-alive pings: a client that stops answering is closed after about twice this."""
MAX_INCOMING_BYTES: Final[int] = 64 * 1024
"""Clients have nothing to say; a larger message closes the connection."""


@dataclass(frozen=True)
class WebSocketStats:
    """What a ``PoseWebSocketServer`` has done so far.

    Attributes:
        clients: Clients connected now.
        connections: Clients that connected since start.
        frames_queued: Frames queued for clients (one per client per frame).
        frames_dropped: Frames dropped because a client's queue was full.
    """

    clients: int
    connections: int
    frames_queued: int
    frames_dropped: int


@dataclass(frozen=True)
class _Frame:
    text: str
    jpeg: bytes | None


class _Client:
    def __init__(self, connection: ServerConnection, wants_image: bool, queue_size: int) -> None:
        self.connection = connection
        self.wants_image = wants_image
        self.queue: asyncio.Queue[_Frame] = asyncio.Queue(maxsize=queue_size)


class PoseWebSocketServer:
    """Serves the live page and broadcasts frames to WebSocket clients."""

    def __init__(self, host: str = '127.0.0.1', port: int = 8080, *,
                 queue_size: int = DEFAULT_QUEUE_SIZE,
                 on_event: Callable[[str], None] | None = None) -> None:
        """Configure the server; ``start`` binds it.

        Args:
            host: Address to bind (``'127.0.0.1'`` loopback, ``'0.0.0.0'`` every interface).
            port: TCP port (0: any free port, see ``port`` after ``start``).
            queue_size: Frames waiting per client before the oldest is dropped.
            on_event: Called (from the server's thread) with a line for each client that
                connects or leaves.

        Raises:
            BridgeError: Bad port or queue size.
        """
        if not 0 <= port <= 65535:
            raise BridgeError(f'WebSocket port must be in [0, 65535], got {port}')
        if queue_size < 1:
            raise BridgeError(f'queue_size must be >= 1, got {queue_size}')
        self.host = host
        self._requested_port = port
        self._queue_size = queue_size
        self._on_event = on_event
        self._page = WebPage.load()
        self._clients: set[_Client] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._start_error: BaseException | None = None
        self._port = port
        self._connections = 0
        self._queued = 0
        self._dropped = 0
        self._wants_image = 0

    # --- from any thread ----------------------------------------------------------------
    def start(self) -> None:
        """Bind and start serving in a background thread.

        Raises:
            BridgeError: The address cannot be bound (port in use, no such interface).
        """
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name='pose-websocket', daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise BridgeError(f'WebSocket server on {self.host}:{self._requested_port} did '
                              f'not start in {START_TIMEOUT_S} s')
        if self._start_error is not None:
            self._thread.join()
            raise BridgeError(f'cannot serve WebSocket on {self.host}:{self._requested_port}: '
                              f'{self._start_error}') from None

    @property
    def port(self) -> int:
        """Return the bound TCP port: the requested one, or the one chosen for 0."""
        return self._port

    @property
    def url(self) -> str:
        """Return the page's address."""
        return f'http://{self.host}:{self._port}/'

    @property
    def client_count(self) -> int:
        """Return the number of connected clients."""
        return len(self._clients)

    @property
    def wants_image(self) -> bool:
        """Return whether a connected client asked for JPEG frames."""
        return self._wants_image > 0

    def stats(self) -> WebSocketStats:
        """Return the counters so far."""
        return WebSocketStats(len(self._clients), self._connections, self._queued,
                              self._dropped)

    def broadcast(self, text: str, jpeg: bytes | None = None) -> None:
        """Queue one frame (JSON text, optional JPEG) for every client; never blocks."""
        loop = self._loop
        if loop is None or not self._clients:
            return
        try:
            loop.call_soon_threadsafe(self._enqueue, _Frame(text, jpeg))
        except RuntimeError:
            pass  # the loop is closing: nobody to send to

    def close(self, timeout: float = 5.0) -> None:
        """Close every connection and stop the server (idempotent)."""
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is not None and stop is not None:
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:
                pass
        if thread is not None:
            thread.join(timeout)

    # --- the server's thread ------------------------------------------------------------
    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # noqa: B902 reported to start() or logged
            if not self._ready.is_set():
                self._start_error = error
                self._ready.set()
            else:
                logging.getLogger(__name__).exception('WebSocket server stopped')
        finally:
            self._loop = None

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        server: Server = await serve(
            self._handle, self.host, self._requested_port, process_request=self._http,
            compression=None, ping_interval=PING_INTERVAL_S, ping_timeout=PING_INTERVAL_S,
            close_timeout=2.0, max_size=MAX_INCOMING_BYTES,
            logger=logging.getLogger('ros2_posenet.bridges.websocket'))
        try:
            self._port = int(server.sockets[0].getsockname()[1])
            self._loop = asyncio.get_running_loop()
            self._ready.set()
            await self._stop.wait()
        finally:
            server.close()
            await server.wait_closed()

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        if is_websocket_upgrade(request):
            return None
        return self._page.respond(request)

    async def _handle(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path if connection.request else '').query)
        client = _Client(connection, query.get('image', ['0'])[0] in ('1', 'true'),
                         self._queue_size)
        self._clients.add(client)
        self._connections += 1
        self._wants_image += client.wants_image
        self._event(f'client {_peer(connection)} connected ({len(self._clients)} now)')
        sender = asyncio.create_task(self._send(client))
        try:
            async for _ in connection:
                pass  # nothing is expected from clients; reading keeps close handling going
        except ConnectionClosed:
            pass
        finally:
            self._clients.discard(client)
            self._wants_image -= client.wants_image
            sender.cancel()
            self._event(f'client {_peer(connection)} left ({len(self._clients)} now)')

    def _enqueue(self, frame: _Frame) -> None:
        for client in self._clients:
            if client.queue.full():
                client.queue.get_nowait()  # the oldest frame goes: latest poses matter
                self._dropped += 1
            client.queue.put_nowait(frame)
            self._queued += 1

    async def _send(self, client: _Client) -> None:
        connection = client.connection
        try:
            while True:
                frame = await client.queue.get()
                await connection.send(frame.text)  # waits while its buffer is full
                if frame.jpeg is not None and client.wants_image:
                    await connection.send(frame.jpeg)
        except ConnectionClosed:
            pass  # the handler forgets the client

    def _event(self, line: str) -> None:
        if self._on_event is not None:
            try:
                self._on_event(line)
            except Exception:  # noqa: B902 a logging callback must not end a connection
                pass


def _peer(connection: ServerConnection) -> str:
    address = connection.remote_address
    if isinstance(address, tuple) and len(address) >= 2:
        return f'{address[0]}:{address[1]}'
    return str(address)

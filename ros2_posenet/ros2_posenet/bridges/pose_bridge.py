"""One frame's poses out to OSC and WebSocket: what the node and ``posenet_stream`` share.

``PoseBridge`` owns the OSC sender and the WebSocket server that its ``BridgeSettings`` enable,
and the ``SlotAssigner`` that gives each tracked person its stable index. Per frame it builds
the OSC messages and (only while a client is connected) the JSON text and (only for a client
that asked) the JPEG, and hands them on; nothing here blocks on the network.
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Union

import numpy as np

from ros2_posenet.bridges.errors import BridgeError
from ros2_posenet.bridges.osc_sender import OscSender, OscStats
from ros2_posenet.bridges.preview_image import (DEFAULT_JPEG_QUALITY, DEFAULT_MAX_SIZE,
                                                preview_jpeg)
from ros2_posenet.bridges.websocket_server import PoseWebSocketServer, WebSocketStats
from ros2_posenet.posenet import PoseArrays
from ros2_posenet.posenet.serialization import (DEFAULT_HOLD_S, encode_frame, osc_messages,
                                                OscOptions, SlotAssigner)

ImageSource = Union[np.ndarray, Callable[[], Union[np.ndarray, None]], None]
"""The frame for the page: a BGR array, a callable returning one (called only when a client
wants images), or ``None``."""


@dataclass(frozen=True)
class BridgeSettings:
    """Which bridges run, where, and how poses are written.

    Attributes:
        osc_enabled: Send OSC datagrams to ``osc_host:osc_port``.
        osc_host: OSC receiver host (name or address).
        osc_port: OSC receiver UDP port (12000: p5-poses-osc; Wekinator listens on 6448).
        osc: OSC format options.
        websocket_enabled: Serve the WebSocket and the live page.
        websocket_host: Address the server binds (loopback by default; ``0.0.0.0`` for all).
        websocket_port: TCP port of the server (0: any free port).
        slot_hold_s: Seconds a person unseen keeps its slot when the tracker's living ids are
            not known (the node); see ``SlotAssigner``.
        image_max_size: Longest side of the JPEG sent to page clients that ask for images.
        jpeg_quality: Its JPEG quality, 1..100.
    """

    osc_enabled: bool = False
    osc_host: str = '127.0.0.1'
    osc_port: int = 12000
    osc: OscOptions = field(default_factory=OscOptions)
    websocket_enabled: bool = False
    websocket_host: str = '127.0.0.1'
    websocket_port: int = 8080
    slot_hold_s: float = DEFAULT_HOLD_S
    image_max_size: int = DEFAULT_MAX_SIZE
    jpeg_quality: int = DEFAULT_JPEG_QUALITY


@dataclass(frozen=True)
class BridgeStatus:
    """A snapshot of the bridges' counters (``None`` for a bridge that is off)."""

    frames: int
    osc: OscStats | None
    websocket: WebSocketStats | None

    def line(self) -> str:
        """Return a one-line summary for status output."""
        parts = []
        if self.websocket is not None:
            ws = self.websocket
            parts.append(f'ws clients {ws.clients} (dropped {ws.frames_dropped})')
        if self.osc is not None:
            parts.append(f'osc sent {self.osc.messages_sent} (errors {self.osc.errors})')
        return ', '.join(parts) or 'no bridge enabled'


class PoseBridge:
    """Sends each frame's poses to the enabled bridges."""

    def __init__(self, settings: BridgeSettings,
                 on_event: Callable[[str], None] | None = None) -> None:
        """Start the enabled bridges.

        Args:
            settings: What to start.
            on_event: Called with a line when a WebSocket client connects or leaves.

        Raises:
            BridgeError: A bridge cannot start (OSC host that does not resolve, WebSocket
                port in use).
        """
        self.settings = settings
        self._slots = SlotAssigner(settings.slot_hold_s)
        self._frames = 0
        self.osc: OscSender | None = None
        self.websocket: PoseWebSocketServer | None = None
        try:
            if settings.osc_enabled:
                self.osc = OscSender(settings.osc_host, settings.osc_port)
            if settings.websocket_enabled:
                self.websocket = PoseWebSocketServer(
                    settings.websocket_host, settings.websocket_port, on_event=on_event)
                self.websocket.start()
        except BridgeError:
            self.close()
            raise

    def set_osc_options(self, options: OscOptions) -> None:
        """Use these OSC options from the next frame on."""
        self.settings = replace(self.settings, osc=options)

    def reset_slots(self) -> None:
        """Free every slot (the tracker was reset)."""
        self._slots.reset()

    def publish(self, poses: PoseArrays, ids: Sequence[int] | np.ndarray | None,
                image_width: int, image_height: int, stamp_s: float, *,
                alive_ids: Collection[int] | None = None, image: ImageSource = None) -> None:
        """Send one frame.

        Args:
            poses: The frame's people, source-image pixels, in the order of the JSON.
            ids: Track id per row (0 = untracked); ``None``: all 0.
            image_width: Source image width in pixels.
            image_height: Source image height in pixels.
            stamp_s: Frame time in seconds (the slots' clock).
            alive_ids: Ids the tracker still holds, when known (see ``SlotAssigner``).
            image: The frame for page clients that asked for images.
        """
        id_array = (np.zeros(len(poses), dtype=np.int64) if ids is None
                    else np.asarray(ids, dtype=np.int64).reshape(-1))
        slots = self._slots.assign(id_array, stamp_s, alive_ids)
        self._frames += 1
        if self.osc is not None:
            self.osc.send(osc_messages(poses, slots, id_array, image_width, image_height,
                                       self.settings.osc))
        websocket = self.websocket
        if websocket is not None and websocket.client_count:
            text = encode_frame(poses, id_array, image_width, image_height)
            jpeg = None
            if websocket.wants_image and image is not None:
                frame = image() if callable(image) else image
                if frame is not None:
                    jpeg = preview_jpeg(frame, self.settings.image_max_size,
                                        self.settings.jpeg_quality)
            websocket.broadcast(text, jpeg)

    def status(self) -> BridgeStatus:
        """Return the counters so far."""
        return BridgeStatus(self._frames, self.osc.stats() if self.osc else None,
                            self.websocket.stats() if self.websocket else None)

    def close(self) -> None:
        """Stop the bridges (idempotent)."""
        if self.websocket is not None:
            self.websocket.close()
        if self.osc is not None:
            self.osc.close()

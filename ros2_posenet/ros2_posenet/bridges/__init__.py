"""Network bridges for poses: OSC over UDP and a WebSocket server with a live page; no ROS.

Used by the ``pose_bridge`` node and by ``posenet_stream``; what goes on the wire is built by
``ros2_posenet.posenet.serialization``.

Typical use, once per frame::

    bridge = PoseBridge(BridgeSettings(osc_enabled=True, websocket_enabled=True))
    bridge.publish(tracked.arrays, tracked.ids, width, height, stamp_s, image=frame_bgr)
    print(bridge.status().line())
    bridge.close()
"""

from .errors import BridgeError
from .osc_sender import encode_message, OscSender, OscStats
from .pose_bridge import BridgeSettings, BridgeStatus, ImageSource, PoseBridge
from .preview_image import preview_jpeg
from .web_page import WebPage
from .websocket_server import PoseWebSocketServer, WebSocketStats

__all__ = [
    'BridgeError', 'BridgeSettings', 'BridgeStatus', 'ImageSource', 'OscSender', 'OscStats',
    'PoseBridge', 'PoseWebSocketServer', 'WebPage', 'WebSocketStats', 'encode_message',
    'preview_jpeg',
]

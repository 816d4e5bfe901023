"""Sending OSC messages over UDP with python-osc, never failing while running.

UDP needs no receiver: with none listening (Wekinator not started yet, a patch closed) the
datagrams are lost and sending goes on; errors the socket reports (an unreachable network, a
full send buffer) are counted, never raised, so an installation keeps running unattended.
"""

from dataclasses import dataclass
import socket
import threading

from pythonosc import osc_message
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.udp_client import UDPClient

from ros2_posenet.bridges.errors import BridgeError
from ros2_posenet.posenet.serialization import OscMessage


@dataclass(frozen=True)
class OscStats:
    """What an ``OscSender`` has done so far.

    Attributes:
        messages_sent: Datagrams handed to the socket.
        errors: Datagrams the socket refused (dropped).
        last_error: The most recent socket error, ``None`` when there was none.
    """

    messages_sent: int
    errors: int
    last_error: str | None


def encode_message(message: OscMessage) -> osc_message.OscMessage:
    """Return python-osc's message (its ``dgram`` is the datagram) of one message."""
    address, arguments = message
    builder = OscMessageBuilder(address=address)
    for type_tag, value in arguments:
        builder.add_arg(value, type_tag)
    return builder.build()


class OscSender:
    """A UDP OSC client to one host and port; thread-safe."""

    def __init__(self, host: str, port: int) -> None:
        """Resolve ``host`` once and open the socket (nothing is sent yet).

        Raises:
            BridgeError: The port is out of range or the host does not resolve.
        """
        if not 1 <= port <= 65535:
            raise BridgeError(f'OSC port must be in [1, 65535], got {port}')
        self.host = host
        self.port = port
        try:
            self._client = UDPClient(host, port)
        except (OSError, UnicodeError) as error:
            raise BridgeError(f'cannot send OSC to {host}:{port}: {error}') from None
        self._lock = threading.Lock()
        self._sent = 0
        self._errors = 0
        self._last_error: str | None = None

    @property
    def target(self) -> str:
        """Return ``host:port``."""
        return f'{self.host}:{self.port}'

    def send(self, messages: list[OscMessage]) -> int:
        """Send each message as its own datagram; return how many the socket accepted."""
        sent = 0
        with self._lock:
            for message in messages:
                try:
                    self._client.send(encode_message(message))
                except (OSError, socket.timeout) as error:
                    self._errors += 1
                    self._last_error = f'{type(error).__name__}: {error}'
                else:
                    sent += 1
            self._sent += sent
        return sent

    def stats(self) -> OscStats:
        """Return the counters so far."""
        with self._lock:
            return OscStats(self._sent, self._errors, self._last_error)

    def close(self) -> None:
        """Close the socket (idempotent)."""
        with self._lock:
            self._client.close()

"""Parameters of the ``pose_bridge`` node: declared once, as the fields of ``BridgeNodeConfig``.

The pattern of ``node_config`` (``ros2_posenet.parameters.DeclaredParameters``): each field of
the frozen dataclass is one parameter (default, description, when it applies, range or
choices); ``PARAMETERS`` is derived from the fields and the node declares each with its
``ParameterDescriptor`` (``declare_on``), so a bad value in YAML is rejected when the node
starts. ``'startup'`` parameters (what is bound or subscribed) are read-only afterwards;
``'runtime'`` ones (how poses are written) apply to the next frame.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from ros2_posenet.bridges import BridgeSettings
from ros2_posenet.parameters import (DeclaredParameters, parameter,
                                     ParameterSpec, ParameterValue)
from ros2_posenet.posenet.serialization import OSC_FORMATS, OscOptions

PORT_RANGE: Final[tuple[int, int]] = (1, 65535)
WEBSOCKET_PORT_RANGE: Final[tuple[int, int]] = (0, 65535)
"""0 binds any free port (the node logs the one it got)."""


@dataclass(frozen=True)
class BridgeNodeConfig(DeclaredParameters):
    """Validated values of every parameter of ``pose_bridge``; each field is one parameter.

    Raises:
        ValueError: On construction, naming the bad value and what is allowed.
    """

    osc_enabled: bool = parameter(True, 'Send every frame as OSC over UDP', 'startup')
    osc_host: str = parameter('127.0.0.1', 'OSC receiver host name or address', 'startup')
    osc_port: int = parameter(12000, 'OSC receiver UDP port (Wekinator listens on 6448)',
                              'startup', value_range=PORT_RANGE)
    osc_format: str = parameter(
        'individual', 'individual: /poses/amount, /poses/<i>/<part> (score, x, y); wekinator: '
        '/wek/inputs/<i> with 51 floats', 'runtime', choices=OSC_FORMATS)
    normalized: bool = parameter(
        False, 'OSC coordinates as x / image width, y / image height in [0, 1] (else pixels)',
        'runtime')
    osc_send_ids: bool = parameter(
        True, 'individual format: also send the track id as /poses/<i>/id (int32)', 'runtime')
    osc_wekinator_default_address: bool = parameter(
        False, 'wekinator format: the person in slot 0 goes to /wek/inputs (Wekinator\'s '
        'default) instead of /wek/inputs/0', 'runtime')
    websocket_enabled: bool = parameter(
        True, 'Serve the TensorFlow.js pose JSON over WebSocket and the live page', 'startup')
    websocket_host: str = parameter(
        '127.0.0.1', 'Address the WebSocket server binds (0.0.0.0: every interface)', 'startup')
    websocket_port: int = parameter(8080, 'TCP port of the WebSocket server and the page',
                                    'startup', value_range=WEBSOCKET_PORT_RANGE)
    websocket_image: bool = parameter(
        False, 'Subscribe to image_annotated and send it as JPEG to page clients that ask '
        '(makes posenet build the annotated image)', 'startup')
    image_max_size: int = parameter(640, 'Longest side (px) of the JPEG sent to the page',
                                    'startup', value_range=(64, 4096))
    jpeg_quality: int = parameter(70, 'JPEG quality of the page image', 'startup',
                                  value_range=(1, 100))
    slot_hold: float = parameter(
        1.0, 'Seconds a person unseen keeps its OSC slot <i> (the tracker\'s max age)',
        'startup', value_range=(0.0, 60.0))
    status_period: float = parameter(
        10.0, 'Seconds between status log lines (0 = none)', 'startup',
        value_range=(0.0, 3600.0))

    def __post_init__(self) -> None:
        """Check types, enumerations, ranges and the host names."""
        self.check_parameters()
        for name in ('osc_host', 'websocket_host'):
            if not getattr(self, name).strip():
                raise ValueError(f'{name} must not be empty')

    @cached_property
    def osc_options(self) -> OscOptions:
        """Return how poses become OSC messages."""
        return OscOptions(format=self.osc_format, normalized=self.normalized,
                          send_ids=self.osc_send_ids,
                          wekinator_default_address=self.osc_wekinator_default_address)

    @cached_property
    def bridge_settings(self) -> BridgeSettings:
        """Return what the bridges start with."""
        return BridgeSettings(
            osc_enabled=self.osc_enabled, osc_host=self.osc_host, osc_port=self.osc_port,
            osc=self.osc_options, websocket_enabled=self.websocket_enabled,
            websocket_host=self.websocket_host, websocket_port=self.websocket_port,
            slot_hold_s=self.slot_hold, image_max_size=self.image_max_size,
            jpeg_quality=self.jpeg_quality)

    def with_runtime_changes(self, changes: Mapping[str, ParameterValue]
                             ) -> 'BridgeNodeConfig':
        """Return a copy with parameter changes applied (the node has no lifecycle).

        Raises:
            ValueError: A read-only (startup) parameter changed, or a bad value.
        """
        return self.with_changes(changes, 'active')


PARAMETERS: Final[tuple[ParameterSpec, ...]] = BridgeNodeConfig.parameter_specs()
"""Every parameter of ``pose_bridge``, in declaration order (derived from the fields)."""

SPECS: Final[Mapping[str, ParameterSpec]] = {spec.name: spec for spec in PARAMETERS}

"""Parameters of the ``posenet`` node: declared once, as the fields of ``NodeConfig``.

Each field of the frozen ``NodeConfig`` is one parameter: its default, description, when it is
applied, its range or choices (ranges of the engine's values come from the engine's own limits,
``posenet.MAX_DETECTIONS_RANGE`` ...). ``PARAMETERS`` (the ``ParameterSpec`` of each field, in
declaration order) is derived from the fields; the node declares every parameter from it with a
``ParameterDescriptor`` (description, numeric range, read-only flag), so an out-of-range value in
a YAML file is rejected when the node starts, and a test ties the shipped YAML's values and range
comments to it. Construction validates the choices and the cross-field rules by building the
engine's own ``EngineConfig`` and ``DecodeOptions`` once; both are kept on the config.

When a parameter takes effect (``ParameterSpec.applied``):

- ``'startup'``: read once when the node starts; read-only afterwards.
- ``'configure'``: applied by the lifecycle ``configure`` transition (model, delegate) or when
  the subscription is created (input transport, QoS). They may change only while the node is
  unconfigured: run ``cleanup`` first; other changes are rejected with that reason.
- ``'runtime'``: thresholds and output flags; applied to the next frame.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Union

from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType)
from rclpy.qos import (HistoryPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
import yaml

from ros2_posenet.markers import MarkerOptions
from ros2_posenet.posenet import (DecodeOptions, DEFAULT_MODEL, DELEGATES, DETECTION_MODES,
                                  EngineConfig, MAX_DETECTIONS_RANGE, NMS_RADIUS_RANGE,
                                  SCORE_RANGE)
from ros2_posenet.posenet.image import DEFAULT_MAX_INPUT_PIXELS
from ros2_posenet.posenet.spatial import DepthOptions, MonocularOptions
from ros2_posenet.posenet.tracking import TRACKER_LIMITS, TrackerConfig

ParameterValue = Union[bool, int, float, str]

MAX_INPUT_PIXELS_RANGE: Final[tuple[int, int]] = (64 * 64, 16384 * 16384)
"""Range of ``max_input_pixels``: from a thumbnail to 268 MP (a 16K square)."""

INPUT_TRANSPORTS: Final[tuple[str, ...]] = ('raw', 'compressed')
"""``'raw'``: ``sensor_msgs/Image`` on ``image``; ``'compressed'``: ``CompressedImage`` on
``image/compressed`` (JPEG or PNG)."""

QOS_RELIABILITIES: Final[tuple[str, ...]] = ('best_effort', 'reliable')
"""Reliability of the image subscription."""

APPLIED_AT: Final[tuple[str, ...]] = ('startup', 'configure', 'runtime')
"""When a parameter change takes effect (see the module docstring)."""


@dataclass(frozen=True)
class ParameterSpec:
    """One node parameter.

    Attributes:
        name: Parameter name (also the ``NodeConfig`` field name).
        default: Default value; its Python type fixes the parameter type.
        description: One line for ``ros2 param describe``.
        applied: One of ``APPLIED_AT``.
        value_range: Inclusive (low, high) for numbers, else ``None``.
        choices: Allowed strings for enumerations, else empty.
    """

    name: str
    default: ParameterValue
    description: str
    applied: str
    value_range: tuple[float, float] | None = None
    choices: tuple[str, ...] = ()

    def descriptor(self) -> ParameterDescriptor:
        """Return the ``ParameterDescriptor`` declaring this parameter."""
        descriptor = ParameterDescriptor(
            name=self.name, type=_PARAMETER_TYPES[type(self.default)],
            description=self.description, read_only=self.applied == 'startup')
        constraints = []
        if self.choices:
            constraints.append(f'one of {", ".join(self.choices)}')
        if self.applied == 'configure':
            constraints.append('applied at configure; change it while unconfigured')
        descriptor.additional_constraints = '; '.join(constraints)
        if self.value_range is not None:
            low, high = self.value_range
            if isinstance(self.default, int):
                descriptor.integer_range = [
                    IntegerRange(from_value=int(low), to_value=int(high), step=1)]
            else:
                descriptor.floating_point_range = [
                    FloatingPointRange(from_value=float(low), to_value=float(high), step=0.0)]
        return descriptor


_PARAMETER_TYPES = {
    bool: ParameterType.PARAMETER_BOOL,
    int: ParameterType.PARAMETER_INTEGER,
    float: ParameterType.PARAMETER_DOUBLE,
    str: ParameterType.PARAMETER_STRING,
}


def _parameter(default: ParameterValue, description: str, applied: str,
               value_range: tuple[float, float] | None = None,
               choices: tuple[str, ...] = ()) -> Any:
    """Declare one parameter as a ``NodeConfig`` field (its spec lives in the field metadata)."""
    return field(default=default, metadata={'parameter': dict(
        default=default, description=description, applied=applied, value_range=value_range,
        choices=choices)})


@dataclass(frozen=True)
class NodeConfig:
    """Validated values of every parameter; each field declares one parameter.

    Raises:
        ValueError: On construction, naming the bad value and what is allowed.
    """

    model_path: str = _parameter(
        DEFAULT_MODEL,
        'PoseNet .tflite model: absolute path, or a file name looked up in '
        '$POSENET_DATA_DIR/models then ~/.cache/ros2_posenet/models', 'configure')
    delegate: str = _parameter('cpu', 'Inference delegate (cpu = XNNPACK)', 'configure',
                               choices=DELEGATES)
    delegate_device: str = _parameter(
        '', 'Edge TPU device: "", usb, usb:N, pci, pci:N or :N ("" = first found)', 'configure')
    delegate_library: str = _parameter(
        '', 'Delegate shared library path or name ("" = platform default)', 'configure')
    delegate_fallback: bool = _parameter(
        True, 'Run on the CPU (and report why) when the delegate cannot be loaded', 'configure')
    num_threads: int = _parameter(2, 'CPU threads of the interpreter', 'configure',
                                  value_range=(1, 64))
    detection_mode: str = _parameter(
        'multi', 'single: one person; multi: up to max_detections', 'runtime',
        choices=DETECTION_MODES)
    max_detections: int = _parameter(10, 'Most people reported per image (multi mode)',
                                     'runtime', value_range=MAX_DETECTIONS_RANGE)
    score_threshold: float = _parameter(
        0.5, 'Lowest part score that may seed a new person (multi mode)', 'runtime',
        value_range=SCORE_RANGE)
    nms_radius: float = _parameter(
        20.0, 'Same-part keypoints closer than this (model-input pixels) suppress a new '
        'person (multi mode)', 'runtime', value_range=NMS_RADIUS_RANGE)
    min_pose_score: float = _parameter(0.25, 'People scoring below this are not reported',
                                       'runtime', value_range=SCORE_RANGE)
    min_keypoint_score: float = _parameter(
        0.1, 'Keypoints below this are not drawn nor shown as markers (messages keep all 17)',
        'runtime', value_range=SCORE_RANGE)
    flip_horizontal: bool = _parameter(
        False, 'Mirror the poses left-right (mirrored webcam views)', 'runtime')
    keep_aspect_ratio: bool = _parameter(
        False, 'Letterbox the image into the model input instead of stretching it', 'runtime')
    tracking: bool = _parameter(
        True, 'Track people across frames: PersonPose.id carries the track id (0 = not yet '
        'confirmed)', 'runtime')
    track_min_hits: int = _parameter(
        TrackerConfig.min_hits, 'Consecutive frames a person is seen before getting an id',
        'runtime', value_range=TRACKER_LIMITS['min_hits'])
    track_max_age: float = _parameter(
        TrackerConfig.max_age, 'Seconds a person unseen keeps its id (then it is forgotten)',
        'runtime', value_range=TRACKER_LIMITS['max_age'])
    track_min_similarity: float = _parameter(
        TrackerConfig.min_similarity,
        'Lowest keypoint similarity (OKS) of a detection to a track to continue it', 'runtime',
        value_range=TRACKER_LIMITS['min_similarity'])
    smoothing: bool = _parameter(
        TrackerConfig.smoothing, 'Smooth tracked keypoints with a One-Euro filter', 'runtime')
    smoothing_min_cutoff: float = _parameter(
        TrackerConfig.smoothing_min_cutoff, 'One-Euro cutoff at rest (Hz): lower = smoother',
        'runtime', value_range=TRACKER_LIMITS['smoothing_min_cutoff'])
    smoothing_beta: float = _parameter(
        TrackerConfig.smoothing_beta,
        'One-Euro cutoff increase per px/s of speed: higher = less lag on fast motion',
        'runtime', value_range=TRACKER_LIMITS['smoothing_beta'])
    smoothing_d_cutoff: float = _parameter(
        TrackerConfig.smoothing_d_cutoff, 'One-Euro cutoff of the speed estimate (Hz)',
        'runtime', value_range=TRACKER_LIMITS['smoothing_d_cutoff'])
    use_depth: bool = _parameter(
        False, 'Measure keypoints in metres from an aligned depth image on "depth" (16UC1 mm '
        'or 32FC1 m) paired with each colour frame', 'configure')
    depth_slop: float = _parameter(
        0.05, 'Largest stamp difference (s) between a colour frame and its depth image',
        'runtime', value_range=(0.0, 1.0))
    depth_window: int = _parameter(
        DepthOptions.window, 'Side (depth pixels, odd) of the median window per keypoint',
        'runtime', value_range=(1, 31))
    depth_min_valid_share: float = _parameter(
        DepthOptions.min_valid_share,
        'Least share of valid depths in a window for the keypoint to get a depth', 'runtime',
        value_range=(0.05, 1.0))
    camera_height: float = _parameter(
        MonocularOptions.camera_height, 'Camera height above the floor (m), for positions '
        'without depth (ground plane)', 'runtime', value_range=(0.05, 20.0))
    camera_pitch: float = _parameter(
        MonocularOptions.camera_pitch, 'Camera pitch (rad, positive = looking down), for '
        'positions without depth', 'runtime', value_range=(-1.5, 1.5))
    body_height: float = _parameter(
        MonocularOptions.body_height, 'Assumed body height (m) for positions without depth '
        'or a visible ankle', 'runtime', value_range=(0.5, 2.5))
    input_transport: str = _parameter(
        'raw', 'raw: sensor_msgs/Image on "image"; compressed: CompressedImage on '
        '"image/compressed"', 'configure', choices=INPUT_TRANSPORTS)
    image_qos_reliability: str = _parameter(
        'best_effort', 'Reliability of the image subscription (best_effort = sensor data QoS)',
        'configure', choices=QOS_RELIABILITIES)
    image_qos_depth: int = _parameter(
        5, 'History depth of the image subscription (the node processes the newest frame)',
        'configure', value_range=(1, 100))
    max_input_pixels: int = _parameter(
        DEFAULT_MAX_INPUT_PIXELS, 'Largest image (width x height) processed; larger frames are '
        'refused from their header, before decoding (default: 8K UHD)', 'runtime',
        value_range=MAX_INPUT_PIXELS_RANGE)
    publish_markers: bool = _parameter(
        True, 'Publish visualization markers on "markers" while subscribed', 'runtime')
    publish_annotated_image: bool = _parameter(
        True, 'Publish the image with skeletons on "image_annotated" while subscribed',
        'runtime')
    annotated_max_size: int = _parameter(
        1920, 'Longest side (px) of image_annotated; larger frames are scaled down to it',
        'runtime', value_range=(64, 8192))
    marker_depth: float = _parameter(
        2.0, 'Distance (m) along the optical axis at which keypoint markers are placed',
        'runtime', value_range=(0.01, 100.0))
    marker_lifetime: float = _parameter(
        0.5, 'Marker lifetime in seconds (0 = until replaced)', 'runtime',
        value_range=(0.0, 3600.0))
    diagnostics_period: float = _parameter(
        1.0, 'Seconds between /diagnostics messages', 'startup', value_range=(0.05, 60.0))
    autostart: bool = _parameter(
        True, 'Configure and activate on start (false: wait for a lifecycle manager)',
        'startup')

    def __post_init__(self) -> None:
        """Check enumerations, ranges and the engine's own rules."""
        for spec in PARAMETERS:
            value = getattr(self, spec.name)
            if type(value) is not type(spec.default):
                raise ValueError(f'{spec.name} must be of type {type(spec.default).__name__}, '
                                 f'got {value!r}')
            if spec.choices and value not in spec.choices:
                raise ValueError(f'{spec.name} must be one of {spec.choices}, got {value!r}')
            if spec.value_range is not None and not (
                    spec.value_range[0] <= value <= spec.value_range[1]):
                raise ValueError(f'{spec.name} must be in [{spec.value_range[0]}, '
                                 f'{spec.value_range[1]}], got {value!r}')
        # the engine's own rules, checked once; the built objects are kept
        _ = (self.engine_config, self.decode_options, self.marker_options,
             self.tracker_config, self.depth_options, self.monocular_options)

    @classmethod
    def from_parameters(cls, params_file: str | Path | None = None,
                        overrides: Sequence[str] = (), node_name: str = 'posenet'
                        ) -> 'NodeConfig':
        """Build a config as the node would from ``--params-file`` and ``-p NAME:=VALUE``.

        For tools that run the node's frame pipeline without a node (bag processing). The file's
        entries for ``/**``, ``/**/<node_name>``, ``<node_name>`` or ``/<node_name>`` are merged
        in that order; overrides are parsed as YAML values, as ``ros2 run ... -p`` does.

        Raises:
            ValueError: An unreadable file, a malformed override, an unknown parameter or a
                bad value (naming it).
        """
        values: dict[str, ParameterValue] = {}
        if params_file is not None:
            try:
                document = yaml.safe_load(Path(params_file).read_text(encoding='utf-8'))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                raise ValueError(f'cannot read parameters file {params_file}: {error}') from None
            if not isinstance(document, dict):
                raise ValueError(f'{params_file} is not a ROS 2 parameters file')
            for key in ('/**', f'/**/{node_name}', node_name, f'/{node_name}'):
                entry = document.get(key)
                if isinstance(entry, dict) and isinstance(entry.get('ros__parameters'), dict):
                    values.update(entry['ros__parameters'])
        for override in overrides:
            name, separator, text = override.partition(':=')
            if not separator or not name:
                raise ValueError(f'parameter override {override!r} is not NAME:=VALUE')
            try:
                values[name] = yaml.safe_load(text) if text else ''
            except yaml.YAMLError as error:
                raise ValueError(f'cannot parse the value of {override!r}: {error}') from None
        known = {name: value for name, value in values.items() if name in SPECS}
        unknown = sorted(set(values) - set(known) - {'use_sim_time'})
        if unknown:
            raise ValueError(f'unknown parameters {unknown}; known: {sorted(SPECS)}')
        return cls.from_values(known)

    @classmethod
    def from_values(cls, values: Mapping[str, ParameterValue]) -> 'NodeConfig':
        """Build a config from parameter values; missing names keep their defaults.

        Args:
            values: Parameter name -> value, e.g. from ``node.get_parameters``.

        Raises:
            ValueError: For an unknown name or a bad value.
        """
        unknown = sorted(set(values) - set(SPECS))
        if unknown:
            raise ValueError(f'unknown parameters {unknown}; known: {sorted(SPECS)}')
        return cls(**{name: _coerce(name, value) for name, value in values.items()})

    @cached_property
    def engine_config(self) -> EngineConfig:
        """Return the engine configuration (model, delegate, threads)."""
        return EngineConfig(
            model_path=self.model_path, delegate=self.delegate,
            delegate_device=self.delegate_device, delegate_library=self.delegate_library,
            delegate_fallback=self.delegate_fallback, num_threads=self.num_threads)

    @cached_property
    def decode_options(self) -> DecodeOptions:
        """Return the per-frame decoding options (built once per parameter change)."""
        return DecodeOptions(**{name: getattr(self, name) for name in _DECODE_OPTION_FIELDS})

    @cached_property
    def tracker_config(self) -> TrackerConfig:
        """Return the tracker settings (built once per parameter change)."""
        return TrackerConfig(
            min_hits=self.track_min_hits, max_age=self.track_max_age,
            min_similarity=self.track_min_similarity, smoothing=self.smoothing,
            smoothing_min_cutoff=self.smoothing_min_cutoff, smoothing_beta=self.smoothing_beta,
            smoothing_d_cutoff=self.smoothing_d_cutoff)

    @cached_property
    def depth_options(self) -> DepthOptions:
        """Return how keypoint depths are measured (built once per parameter change)."""
        try:
            return DepthOptions(min_keypoint_score=self.min_keypoint_score,
                                window=self.depth_window,
                                min_valid_share=self.depth_min_valid_share)
        except ValueError as error:  # name the parameter, not the option's field
            raise ValueError(f'depth_window / depth_min_valid_share: {error}') from None

    @cached_property
    def monocular_options(self) -> MonocularOptions:
        """Return the camera mounting and body prior of positions without depth."""
        return MonocularOptions(camera_height=self.camera_height,
                                camera_pitch=self.camera_pitch, body_height=self.body_height,
                                min_keypoint_score=self.min_keypoint_score)

    @cached_property
    def marker_options(self) -> MarkerOptions:
        """Return the marker options (built once per parameter change)."""
        return MarkerOptions(marker_depth=self.marker_depth,
                             marker_lifetime_s=self.marker_lifetime,
                             min_keypoint_score=self.min_keypoint_score)

    @property
    def image_topic(self) -> str:
        """Return the (relative) input topic of the configured transport."""
        return 'image/compressed' if self.input_transport == 'compressed' else 'image'

    def image_qos(self) -> QoSProfile:
        """Return the image subscription QoS: sensor data QoS with the configured overrides."""
        reliability = (ReliabilityPolicy.RELIABLE if self.image_qos_reliability == 'reliable'
                       else ReliabilityPolicy.BEST_EFFORT)
        return QoSProfile(
            history=HistoryPolicy.KEEP_LAST, depth=self.image_qos_depth,
            reliability=reliability, durability=qos_profile_sensor_data.durability)

    def with_changes(self, changes: Mapping[str, ParameterValue], state: str) -> 'NodeConfig':
        """Return a copy with parameter changes applied, checking when they may change.

        Args:
            changes: Parameter name -> new value.
            state: Lifecycle state label of the node ('unconfigured', 'inactive', 'active' ...).

        Raises:
            ValueError: Naming the rejected parameter and why (bad value, read-only, or a
                configure-time parameter changed outside the unconfigured state).
        """
        for name, value in changes.items():
            spec = SPECS.get(name)
            if spec is None:
                continue  # not ours (e.g. use_sim_time): accept untouched
            if spec.applied == 'startup' and value != getattr(self, name):
                raise ValueError(f'{name} is read only after start')
            if spec.applied == 'configure' and state != 'unconfigured' and (
                    _coerce(name, value) != getattr(self, name)):
                raise ValueError(f'{name} is applied at configure: deactivate and clean up '
                                 f'the node first (current state: {state})')
        ours = {name: _coerce(name, value) for name, value in changes.items() if name in SPECS}
        return replace(self, **ours)


PARAMETERS: Final[tuple[ParameterSpec, ...]] = tuple(
    ParameterSpec(name=config_field.name, **config_field.metadata['parameter'])
    for config_field in fields(NodeConfig))
"""Every parameter of the node, in declaration order (derived from ``NodeConfig``)."""

SPECS: Final[Mapping[str, ParameterSpec]] = {spec.name: spec for spec in PARAMETERS}

_DECODE_OPTION_FIELDS: Final[tuple[str, ...]] = tuple(
    option.name for option in fields(DecodeOptions))


def _coerce(name: str, value: ParameterValue) -> ParameterValue:
    """Accept an integer for a double parameter (YAML ``2`` for ``2.0``)."""
    if isinstance(SPECS[name].default, float) and type(value) is int:
        return float(value)
    return value

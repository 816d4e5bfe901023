"""Parameters of the ``posenet`` node: declared once, as the fields of ``NodeConfig``.

Each field of the frozen ``NodeConfig`` is one parameter: its default, description, when it is
applied, its range or choices (ranges of the engine's values come from the engine's own limits,
``posenet.MAX_DETECTIONS_RANGE`` ...). ``PARAMETERS`` (the ``ParameterSpec`` of each field, in
declaration order) is derived from the fields; the node declares every parameter from it with a
``ParameterDescriptor`` (description, numeric range, read-only flag), so an out-of-range value in
a YAML file is rejected when the node starts, and a test ties the shipped YAML's values and range
comments to it. Construction validates the choices and the cross-field rules by building the
engine's own ``EngineConfig`` and ``DecodeOptions`` once; both are kept on the config.

When a parameter takes effect: see ``ros2_posenet.parameters`` (the declaration machinery this
module shares with the other nodes).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Final

from rclpy.qos import (HistoryPolicy, qos_profile_sensor_data, QoSProfile,
                       ReliabilityPolicy)
import yaml

from ros2_posenet.markers import MarkerOptions
from ros2_posenet.parameters import (APPLIED_AT, DeclaredParameters, parameter,  # noqa: F401
                                     ParameterSpec, ParameterValue)
from ros2_posenet.posenet import (DecodeOptions, DECODER_REFINEMENTS, DEFAULT_MODEL, DELEGATES,
                                  DETECTION_MODES, EngineConfig, KEEP_ASPECT_RATIO_CHOICES,
                                  MAX_DETECTIONS_RANGE, NMS_RADIUS_RANGE, SCORE_RANGE)
from ros2_posenet.posenet.image import DEFAULT_MAX_INPUT_PIXELS
from ros2_posenet.posenet.spatial import DepthOptions, MonocularOptions
from ros2_posenet.posenet.tracking import TRACKER_LIMITS, TrackerConfig

MAX_INPUT_PIXELS_RANGE: Final[tuple[int, int]] = (64 * 64, 16384 * 16384)
"""Range of ``max_input_pixels``: from a thumbnail to 268 MP (a 16K square)."""

INPUT_TRANSPORTS: Final[tuple[str, ...]] = ('raw', 'compressed')
"""``'raw'``: ``sensor_msgs/Image`` on ``image``; ``'compressed'``: ``CompressedImage`` on
``image/compressed`` (JPEG or PNG)."""

QOS_RELIABILITIES: Final[tuple[str, ...]] = ('best_effort', 'reliable')
"""Reliability of the image subscription."""


@dataclass(frozen=True)
class NodeConfig(DeclaredParameters):
    """Validated values of every parameter; each field declares one parameter.

    Raises:
        ValueError: On construction, naming the bad value and what is allowed.
    """

    model_path: str = parameter(
        DEFAULT_MODEL,
        'PoseNet .tflite model: absolute path, or a file name looked up in '
        '$POSENET_DATA_DIR/models then ~/.cache/ros2_posenet/models', 'configure')
    delegate: str = parameter('cpu', 'Inference delegate (cpu = XNNPACK)', 'configure',
                              choices=DELEGATES)
    delegate_device: str = parameter(
        '', 'Edge TPU device: "", usb, usb:N, pci, pci:N or :N ("" = first found)', 'configure')
    delegate_library: str = parameter(
        '', 'Delegate shared library path or name ("" = platform default)', 'configure')
    delegate_fallback: bool = parameter(
        True, 'Run on the CPU (and report why) when the delegate cannot be loaded', 'configure')
    num_threads: int = parameter(2, 'CPU threads of the interpreter', 'configure',
                                 value_range=(1, 64))
    detection_mode: str = parameter(
        'multi', 'single: one person; multi: up to max_detections', 'runtime',
        choices=DETECTION_MODES)
    max_detections: int = parameter(10, 'Most people reported per image (multi mode)',
                                    'runtime', value_range=MAX_DETECTIONS_RANGE)
    score_threshold: float = parameter(
        0.5, 'Lowest part score that may seed a new person (multi mode)', 'runtime',
        value_range=SCORE_RANGE)
    nms_radius: float = parameter(
        20.0, 'Same-part keypoints closer than this (model-input pixels) suppress a new '
        'person (multi mode)', 'runtime', value_range=NMS_RADIUS_RANGE)
    min_pose_score: float = parameter(0.25, 'People scoring below this are not reported',
                                      'runtime', value_range=SCORE_RANGE)
    min_keypoint_score: float = parameter(
        0.1, 'Keypoints below this are not drawn nor shown as markers (messages keep all 17)',
        'runtime', value_range=SCORE_RANGE)
    flip_horizontal: bool = parameter(
        False, 'Mirror the poses left-right (mirrored webcam views)', 'runtime')
    keep_aspect_ratio: str = parameter(
        'auto', 'Letterbox the image into the model input (true), stretch it (false), or '
        'letterbox only when the aspect ratios differ by more than 5 % (auto)', 'runtime',
        choices=KEEP_ASPECT_RATIO_CHOICES)
    decoder_refinement: str = parameter(
        'tfjs', 'PoseNet keypoint refinement: tfjs (bit-exact TensorFlow.js) or accurate '
        '(bilinear sub-cell refinement and rescoring, as Coral)', 'runtime',
        choices=DECODER_REFINEMENTS)
    tracking: bool = parameter(
        True, 'Track people across frames: PersonPose.id carries the track id (0 = not yet '
        'confirmed)', 'runtime')
    track_min_hits: int = parameter(
        TrackerConfig.min_hits, 'Consecutive frames a person is seen before getting an id',
        'runtime', value_range=TRACKER_LIMITS['min_hits'])
    track_max_age: float = parameter(
        TrackerConfig.max_age, 'Seconds a person unseen keeps its id (then it is forgotten)',
        'runtime', value_range=TRACKER_LIMITS['max_age'])
    track_min_similarity: float = parameter(
        TrackerConfig.min_similarity,
        'Lowest keypoint similarity (OKS) of a detection to a track to continue it', 'runtime',
        value_range=TRACKER_LIMITS['min_similarity'])
    smoothing: bool = parameter(
        TrackerConfig.smoothing, 'Smooth tracked keypoints with a One-Euro filter', 'runtime')
    smoothing_min_cutoff: float = parameter(
        TrackerConfig.smoothing_min_cutoff, 'One-Euro cutoff at rest (Hz): lower = smoother',
        'runtime', value_range=TRACKER_LIMITS['smoothing_min_cutoff'])
    smoothing_beta: float = parameter(
        TrackerConfig.smoothing_beta,
        'One-Euro cutoff increase per px/s of speed: higher = less lag on fast motion',
        'runtime', value_range=TRACKER_LIMITS['smoothing_beta'])
    smoothing_d_cutoff: float = parameter(
        TrackerConfig.smoothing_d_cutoff, 'One-Euro cutoff of the speed estimate (Hz)',
        'runtime', value_range=TRACKER_LIMITS['smoothing_d_cutoff'])
    use_depth: bool = parameter(
        False, 'Measure keypoints in metres from an aligned depth image on "depth" (16UC1 mm '
        'or 32FC1 m) paired with each colour frame', 'configure')
    depth_slop: float = parameter(
        0.05, 'Largest stamp difference (s) between a colour frame and its depth image',
        'runtime', value_range=(0.0, 1.0))
    depth_window: int = parameter(
        DepthOptions.window, 'Side (depth pixels, odd) of the median window per keypoint',
        'runtime', value_range=(1, 31))
    depth_min_valid_share: float = parameter(
        DepthOptions.min_valid_share,
        'Least share of valid depths in a window for the keypoint to get a depth', 'runtime',
        value_range=(0.05, 1.0))
    camera_height: float = parameter(
        MonocularOptions.camera_height, 'Camera height above the floor (m), for positions '
        'without depth (ground plane)', 'runtime', value_range=(0.05, 20.0))
    camera_pitch: float = parameter(
        MonocularOptions.camera_pitch, 'Camera pitch (rad, positive = looking down), for '
        'positions without depth', 'runtime', value_range=(-1.5, 1.5))
    body_height: float = parameter(
        MonocularOptions.body_height, 'Assumed body height (m) for positions without depth '
        'or a visible ankle', 'runtime', value_range=(0.5, 2.5))
    input_transport: str = parameter(
        'raw', 'raw: sensor_msgs/Image on "image"; compressed: CompressedImage on '
        '"image/compressed"', 'configure', choices=INPUT_TRANSPORTS)
    image_qos_reliability: str = parameter(
        'best_effort', 'Reliability of the image subscription (best_effort = sensor data QoS)',
        'configure', choices=QOS_RELIABILITIES)
    image_qos_depth: int = parameter(
        5, 'History depth of the image subscription (the node processes the newest frame)',
        'configure', value_range=(1, 100))
    max_input_pixels: int = parameter(
        DEFAULT_MAX_INPUT_PIXELS, 'Largest image (width x height) processed; larger frames are '
        'refused from their header, before decoding (default: 8K UHD)', 'runtime',
        value_range=MAX_INPUT_PIXELS_RANGE)
    publish_markers: bool = parameter(
        True, 'Publish visualization markers on "markers" while subscribed', 'runtime')
    publish_annotated_image: bool = parameter(
        True, 'Publish the image with skeletons on "image_annotated" while subscribed',
        'runtime')
    annotated_max_size: int = parameter(
        1920, 'Longest side (px) of image_annotated; larger frames are scaled down to it',
        'runtime', value_range=(64, 8192))
    marker_depth: float = parameter(
        2.0, 'Distance (m) along the optical axis at which keypoint markers are placed',
        'runtime', value_range=(0.01, 100.0))
    marker_lifetime: float = parameter(
        0.5, 'Marker lifetime in seconds (0 = until replaced)', 'runtime',
        value_range=(0.0, 3600.0))
    diagnostics_period: float = parameter(
        1.0, 'Seconds between /diagnostics messages', 'startup', value_range=(0.05, 60.0))
    autostart: bool = parameter(
        True, 'Configure and activate on start (false: wait for a lifecycle manager)',
        'startup')

    def __post_init__(self) -> None:
        """Check enumerations, ranges and the engine's own rules."""
        self.check_parameters()
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


PARAMETERS: Final[tuple[ParameterSpec, ...]] = NodeConfig.parameter_specs()
"""Every parameter of the node, in declaration order (derived from ``NodeConfig``)."""

SPECS: Final[Mapping[str, ParameterSpec]] = {spec.name: spec for spec in PARAMETERS}

_DECODE_OPTION_FIELDS: Final[tuple[str, ...]] = tuple(
    option.name for option in fields(DecodeOptions) if option.name in SPECS)
"""The ``DecodeOptions`` fields that are node parameters (a test checks that it is all of them)."""

"""Parameters of the ``person_target`` node: declared once, as the fields of ``TargetConfig``.

Declared with ``ros2_posenet.parameters``, as ``node_config`` is: each field of the frozen
``TargetConfig`` is one parameter (its default, description, when it applies, its range or
choices, the ranges taken from the core's ``SELECTOR_LIMITS``); the node declares them with
their ``ParameterDescriptor`` so that a bad YAML value is refused at start, and one callback
applies runtime changes through ``with_changes``. ``'startup'`` parameters are
read-only after start; ``'runtime'`` ones apply to the next ``PoseArray``.

``locked_id`` is the lock (0 = automatic): from the parameters file it waits for that track to
appear; set at runtime (``ros2 param set``, or the ``select_target`` service, which sets it) it
must name a track seen within ``target_timeout``, which the node checks.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from ros2_posenet.parameters import DeclaredParameters, parameter, ParameterSpec
from ros2_posenet.posenet.following import (MAX_TRACK_ID, POLICIES, SELECTOR_LIMITS,
                                            SelectorConfig)

PERSON_FRAME_PREFIX: Final[str] = 'person_'
"""TF child frame of each tracked person: ``person_<id>`` (``publish_person_frames``)."""


@dataclass(frozen=True)
class TargetConfig(DeclaredParameters):
    """Validated values of every parameter of ``person_target``; each field is one parameter.

    Raises:
        ValueError: On construction, naming the bad value and what is allowed.
    """

    policy: str = parameter(
        SelectorConfig.policy, 'Whom to follow: nearest (3D distance), largest (box area), '
        'centre (closest to the image centre), oldest (first confirmed track)', 'runtime',
        choices=POLICIES)
    switch_margin: float = parameter(
        SelectorConfig.switch_margin, 'How much better (relative, 0.2 = 20 %) another person '
        'must be to take over', 'runtime', value_range=SELECTOR_LIMITS['switch_margin'])
    switch_time: float = parameter(
        SelectorConfig.switch_time, 'Seconds (image stamps) another person must stay better '
        'by switch_margin before the target switches', 'runtime',
        value_range=SELECTOR_LIMITS['switch_time'])
    target_timeout: float = parameter(
        SelectorConfig.target_timeout, 'Seconds (image stamps) the target may go unseen before '
        'it is lost and the policy picks again (a lock is kept)', 'runtime',
        value_range=SELECTOR_LIMITS['target_timeout'])
    locked_id: int = parameter(
        0, 'Track id to follow whatever the policy (0 = automatic); at runtime it must have '
        'been seen within target_timeout (service select_target sets it too)', 'runtime',
        value_range=(0, MAX_TRACK_ID))
    publish_person_frames: bool = parameter(
        False, 'Also publish a TF frame person_<id> for every tracked person with a position',
        'runtime')
    target_frame: str = parameter(
        'target', 'TF child frame of the target, parent: the camera frame of the poses',
        'runtime')
    autostart: bool = parameter(
        True, 'Configure and activate on start (false: wait for a lifecycle manager)',
        'startup')

    def __post_init__(self) -> None:
        """Check types, enumerations, ranges, the frame name and the selector's own rules."""
        self.check_parameters()
        frame = self.target_frame
        if not frame or frame.startswith('/') or any(c.isspace() for c in frame):
            raise ValueError(f'target_frame must be a non-empty TF frame id without a leading '
                             f'"/" or spaces, got {frame!r}')
        _ = self.selector_config

    @cached_property
    def selector_config(self) -> SelectorConfig:
        """Return the core selector's settings (built once per parameter change)."""
        return SelectorConfig(policy=self.policy, switch_margin=self.switch_margin,
                              switch_time=self.switch_time, target_timeout=self.target_timeout)


PARAMETERS: Final[tuple[ParameterSpec, ...]] = TargetConfig.parameter_specs()
"""Every parameter of ``person_target``, in declaration order (derived from the fields)."""

SPECS: Final[Mapping[str, ParameterSpec]] = {spec.name: spec for spec in PARAMETERS}

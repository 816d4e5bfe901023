"""ROS parameters declared once, as the fields of a frozen config dataclass.

A node's config class derives from ``DeclaredParameters`` and declares each field with
``parameter(default, description, applied, value_range=..., choices=...)``. From those fields
come the ``ParameterSpec`` list (``parameter_specs()``), the ``ParameterDescriptor`` of each
parameter (description, numeric range, choices, read-only), the checks of types, choices and
ranges at construction, building the config from values (``from_values``), applying changes
with the lifecycle rules (``with_changes``), and declaring and reading them on a node
(``declare_on``). Used by ``posenet``, ``person_target`` and ``pose_bridge``.

When a parameter takes effect (``ParameterSpec.applied``):

- ``'startup'``: read once when the node starts; read-only afterwards.
- ``'configure'``: applied by the lifecycle ``configure`` or ``activate`` transition (model,
  delegate, subscriptions). Changes are accepted only while the node is unconfigured.
- ``'runtime'``: applied to the next message.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, TypeVar, Union

from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                ParameterType)

ParameterValue = Union[bool, int, float, str]

APPLIED_AT: Final[tuple[str, ...]] = ('startup', 'configure', 'runtime')
"""When a parameter change takes effect (see the module docstring)."""

_PARAMETER_TYPES: Final = {
    bool: ParameterType.PARAMETER_BOOL,
    int: ParameterType.PARAMETER_INTEGER,
    float: ParameterType.PARAMETER_DOUBLE,
    str: ParameterType.PARAMETER_STRING,
}

Config = TypeVar('Config', bound='DeclaredParameters')


@dataclass(frozen=True)
class ParameterSpec:
    """One node parameter.

    Attributes:
        name: Parameter name (also the config field name).
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
        if self._takes_booleans():
            descriptor.dynamic_typing = True  # YAML / -p true and false arrive as booleans
        if self.value_range is not None:
            low, high = self.value_range
            if isinstance(self.default, int) and not isinstance(self.default, bool):
                descriptor.integer_range = [
                    IntegerRange(from_value=int(low), to_value=int(high), step=1)]
            else:
                descriptor.floating_point_range = [
                    FloatingPointRange(from_value=float(low), to_value=float(high), step=0.0)]
        return descriptor

    def check(self, value: object) -> None:
        """Raise ``ValueError`` naming the parameter unless ``value`` is allowed."""
        if type(value) is not type(self.default):
            raise ValueError(f'{self.name} must be of type {type(self.default).__name__}, '
                             f'got {value!r}')
        if self.choices and value not in self.choices:
            raise ValueError(f'{self.name} must be one of {self.choices}, got {value!r}')
        if self.value_range is not None:
            low, high = self.value_range
            if not low <= value <= high:  # type: ignore[operator]  # a number, checked above
                raise ValueError(f'{self.name} must be in [{low}, {high}], got {value!r}')

    def coerce(self, value: ParameterValue) -> ParameterValue:
        """Return ``value`` in the parameter's type where the intent is unambiguous.

        An integer for a double parameter (YAML ``2`` for ``2.0``); a boolean for a string
        parameter whose choices include ``'true'`` and ``'false'`` (``keep_aspect_ratio``).
        """
        if isinstance(self.default, float) and type(value) is int:
            return float(value)
        if isinstance(value, bool) and self._takes_booleans():
            return 'true' if value else 'false'
        return value

    def _takes_booleans(self) -> bool:
        return isinstance(self.default, str) and {'true', 'false'} <= set(self.choices)


def parameter(default: ParameterValue, description: str, applied: str,
              value_range: tuple[float, float] | None = None,
              choices: tuple[str, ...] = ()) -> Any:
    """Declare one parameter as a config field (its spec lives in the field's metadata)."""
    if applied not in APPLIED_AT:
        raise ValueError(f'applied must be one of {APPLIED_AT}, got {applied!r}')
    return field(default=default, metadata={'parameter': dict(
        default=default, description=description, applied=applied, value_range=value_range,
        choices=choices)})


class DeclaredParameters:
    """Base of a frozen dataclass whose fields are the parameters of a node."""

    @classmethod
    def parameter_specs(cls) -> tuple[ParameterSpec, ...]:
        """Return the spec of every field, in declaration order."""
        return tuple(ParameterSpec(name=config_field.name, **config_field.metadata['parameter'])
                     for config_field in fields(cls)  # type: ignore[arg-type]
                     if 'parameter' in config_field.metadata)

    @classmethod
    def spec(cls, name: str) -> ParameterSpec | None:
        """Return the spec of parameter ``name``, or ``None`` when it is not one of ours."""
        return next((spec for spec in cls.parameter_specs() if spec.name == name), None)

    def check_parameters(self) -> None:
        """Check every field against its spec (call from ``__post_init__``)."""
        for spec in self.parameter_specs():
            spec.check(getattr(self, spec.name))

    @classmethod
    def from_values(cls: type[Config], values: Mapping[str, ParameterValue]) -> Config:
        """Build a config from parameter values; missing names keep their defaults.

        Raises:
            ValueError: For an unknown name or a bad value.
        """
        specs = {spec.name: spec for spec in cls.parameter_specs()}
        unknown = sorted(set(values) - set(specs))
        if unknown:
            raise ValueError(f'unknown parameters {unknown}; known: {sorted(specs)}')
        return cls(**{name: specs[name].coerce(value)  # type: ignore[call-arg]
                      for name, value in values.items()})

    def with_changes(self: Config, changes: Mapping[str, ParameterValue],
                     state: str) -> Config:
        """Return a copy with parameter changes applied, checking when they may change.

        Args:
            changes: Parameter name -> new value; names that are not ours are ignored.
            state: Lifecycle state label of the node ('unconfigured', 'inactive', ...).

        Raises:
            ValueError: Naming the rejected parameter and why (bad value, read-only, or a
                configure-time parameter changed outside the unconfigured state).
        """
        specs = {spec.name: spec for spec in self.parameter_specs()}
        ours = {}
        for name, value in changes.items():
            spec = specs.get(name)
            if spec is None:
                continue  # not ours (e.g. use_sim_time): accept untouched
            value = spec.coerce(value)
            if spec.applied == 'startup' and value != getattr(self, name):
                raise ValueError(f'{name} is read only after start')
            if spec.applied == 'configure' and state != 'unconfigured' and (
                    value != getattr(self, name)):
                raise ValueError(f'{name} is applied at configure: deactivate and clean up '
                                 f'the node first (current state: {state})')
            ours[name] = value
        return replace(self, **ours)  # type: ignore[type-var]

    @classmethod
    def declare_on(cls: type[Config], node: Any) -> Config:
        """Declare every parameter on ``node`` with its descriptor and return the values read.

        Raises:
            ValueError: A value breaks a rule of the config.
            rclpy.exceptions.ParameterException: A value has the wrong type or range.
        """
        specs = cls.parameter_specs()
        for spec in specs:
            node.declare_parameter(spec.name, spec.default, spec.descriptor())
        return cls.from_values({spec.name: node.get_parameter(spec.name).value
                                for spec in specs})

"""Poses as OSC messages: (address, typed arguments) tuples, the wire format of p5-poses-osc.

Two formats (``OSC_FORMATS``), both with PoseNet's camelCase part names and order
(``PART_NAMES``):

``'individual'`` (default), every frame::

    /poses/amount            i   number of people (also when 0)
    /poses/<i>/id            i   track id (0 = not yet tracked), with ``send_ids``
    /poses/<i>/<part>        fff score, x, y       for the 17 parts, nose ... rightAnkle

``'wekinator'``, per person::

    /wek/inputs/<i>          f * 51: score, x, y of the 17 parts in PoseNet order

(one message per person: p5-poses-osc appended every person's values to one growing list, so
its second person sent 102 values, its third 153; that is not reproduced). With
``wekinator_default_address`` the person in slot 0 goes to ``/wek/inputs``, the address
Wekinator listens on by default (port 6448).

``<i>`` is the person's slot (``slots.SlotAssigner``): stable while the person is tracked, so it
may skip numbers (slot 0 left, slot 1 stays); ``/poses/amount`` counts people, not slots.
Messages go in increasing slot order. Values are always float32 (``'f'``, even for integral
values); counts and ids are int32 (``'i'``). Coordinates are source-image pixels (x right, y down,
origin top-left, as the engine returns them, mirrored when it was asked to) or, with
``normalized``, ``x / image_width`` and ``y / image_height``.
"""

from dataclasses import dataclass
from typing import Final

import numpy as np

from ..keypoints import NUM_KEYPOINTS, PART_NAMES
from ..pose import PoseArrays

OSC_FORMATS: Final[tuple[str, ...]] = ('individual', 'wekinator')
"""``'individual'``: an address per person and part; ``'wekinator'``: 51 floats per person."""

OscArgument = tuple[str, int | float]
"""One typed OSC argument: (type tag, value), type tag ``'i'`` (int32) or ``'f'`` (float32)."""

OscMessage = tuple[str, tuple[OscArgument, ...]]
"""One OSC message: (address, typed arguments)."""

WEKINATOR_INPUTS: Final[int] = 3 * NUM_KEYPOINTS
"""Values per person in the ``'wekinator'`` format (score, x, y of each part)."""

INT32_RANGE: Final[tuple[int, int]] = (-(2 ** 31), 2 ** 31 - 1)


@dataclass(frozen=True)
class OscOptions:
    """How poses become OSC messages.

    Attributes:
        format: One of ``OSC_FORMATS``.
        normalized: Coordinates as fractions of the image size in [0, 1] instead of pixels.
        send_ids: ``'individual'``: also send ``/poses/<i>/id`` (int32 track id).
        wekinator_default_address: ``'wekinator'``: the person in slot 0 goes to
            ``/wek/inputs`` (Wekinator's default) instead of ``/wek/inputs/0``.

    Raises:
        ValueError: On construction, for an unknown format.
    """

    format: str = 'individual'
    normalized: bool = False
    send_ids: bool = True
    wekinator_default_address: bool = False

    def __post_init__(self) -> None:
        """Check the format name."""
        if self.format not in OSC_FORMATS:
            raise ValueError(f'OSC format must be one of {OSC_FORMATS}, got {self.format!r}')


def osc_messages(poses: PoseArrays, slots: np.ndarray, ids: np.ndarray | None,
                 image_width: int, image_height: int,
                 options: OscOptions = OscOptions()) -> list[OscMessage]:
    """Return the OSC messages of one frame.

    Args:
        poses: The frame's people, keypoints in source-image pixels.
        slots: Int ``[n]``: the slot (``<i>`` of the addresses) of each row, distinct.
        ids: Int ``[n]`` track id of each row (0 = untracked); ``None``: all 0.
        image_width: Source image width in pixels (divides x with ``normalized``).
        image_height: Source image height in pixels (divides y with ``normalized``).
        options: Format and coordinates.

    Returns:
        The messages in sending order (see the module docstring), values already rounded to
        float32 so that what is sent is exactly what is returned.

    Raises:
        ValueError: Slots or ids that do not match the poses, a repeated slot, or a
            non-positive image size with ``normalized``.
    """
    count = len(poses)
    slot_list = [int(slot) for slot in np.asarray(slots).reshape(-1)]
    id_list = [0] * count if ids is None else [int(i) for i in np.asarray(ids).reshape(-1)]
    if len(slot_list) != count or len(id_list) != count:
        raise ValueError(f'{len(slot_list)} slots and {len(id_list)} ids for {count} poses')
    if len(set(slot_list)) != count or any(slot < 0 for slot in slot_list):
        raise ValueError(f'slots must be distinct and >= 0, got {slot_list}')
    values = _person_values(poses, image_width, image_height, options.normalized)
    order = sorted(range(count), key=slot_list.__getitem__)
    if options.format == 'wekinator':
        messages: list[OscMessage] = []
        for row in order:
            slot = slot_list[row]
            address = ('/wek/inputs' if slot == 0 and options.wekinator_default_address
                       else f'/wek/inputs/{slot}')
            messages.append((address, tuple(('f', value) for value in values[row])))
        return messages
    messages = [('/poses/amount', (('i', count),))]
    for row in order:
        prefix = f'/poses/{slot_list[row]}'
        if options.send_ids:
            messages.append((f'{prefix}/id', (('i', _int32(id_list[row])),)))
        person = values[row]
        for part_id, name in enumerate(PART_NAMES):
            score, x, y = person[3 * part_id:3 * part_id + 3]
            messages.append((f'{prefix}/{name}', (('f', score), ('f', x), ('f', y))))
    return messages


def _person_values(poses: PoseArrays, image_width: int, image_height: int,
                   normalized: bool) -> list[list[float]]:
    """Return per person the 51 float32 values score, x, y of each part, as Python floats."""
    xy = poses.keypoints_xy
    if normalized:
        if image_width <= 0 or image_height <= 0:
            raise ValueError(f'normalized coordinates need a positive image size, got '
                             f'{image_width}x{image_height}')
        xy = xy / np.array((image_width, image_height), dtype=np.float64)
    table = np.concatenate((poses.keypoint_scores[:, :, None], xy), axis=2)  # [n, 17, 3]
    flat = table.astype(np.float32).reshape(len(poses), WEKINATOR_INPUTS)
    rounded: list[list[float]] = flat.tolist()
    return rounded


def _int32(value: int) -> int:
    low, high = INT32_RANGE
    return min(max(value, low), high)

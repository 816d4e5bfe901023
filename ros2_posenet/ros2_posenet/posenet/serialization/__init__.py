"""Poses serialised for other software: OSC messages and TensorFlow.js JSON, free of ROS.

The data half of the bridges (``ros2_posenet.bridges`` sends what is built here):

- ``osc_messages``: (address, typed arguments) tuples in the p5-poses-osc formats
  (``'individual'``: ``/poses/amount``, ``/poses/<i>/<part>``; ``'wekinator'``:
  ``/wek/inputs/<i>`` with 51 floats);
- ``encode_frame``: one frame as ``{"poses": [tfjs Pose + "id"], "image": {...}}`` text, the
  posenet-for-installations WebSocket message;
- ``SlotAssigner``: the stable person index ``<i>``, following the tracker's ids.

Typical use, once per frame::

    slots = assigner.assign(tracked.ids, stamp_s, alive_ids=[t.id for t in tracked.tracks])
    for address, arguments in osc_messages(tracked.arrays, slots, tracked.ids, width, height):
        ...
    text = encode_frame(tracked.arrays, tracked.ids, width, height)
"""

from .osc_messages import (OSC_FORMATS, OscArgument, OscMessage, OscOptions, osc_messages,
                           WEKINATOR_INPUTS)
from .slots import DEFAULT_HOLD_S, SlotAssigner
from .tfjs_json import encode_frame, frame_document, tfjs_poses

__all__ = [
    'DEFAULT_HOLD_S', 'OSC_FORMATS', 'OscArgument', 'OscMessage', 'OscOptions', 'SlotAssigner',
    'WEKINATOR_INPUTS', 'encode_frame', 'frame_document', 'osc_messages', 'tfjs_poses',
]

"""Choosing whom to follow among tracked people, free of ROS.

Typical use, once per image (after the tracker gave the people their ids)::

    selector = TargetSelector(SelectorConfig(policy='nearest', switch_margin=0.2))
    candidates = Candidates(ids, boxes, positions, has_position, (width, height))
    selection = selector.update(candidates, stamp_s)
    if selection.index is not None and candidates.has_position[selection.index]:
        position = candidates.positions[selection.index]   # metres, camera optical frame
        orientation = bearing_quaternion(position)         # yaw of +z towards the person

    selector.lock(track_id)   # follow this track whatever the policy; selector.release()

Time comes from the image stamps (seconds): ``switch_time`` and ``target_timeout`` are measured
between stamps, so bags and sim time behave as live cameras do.
"""

from .bearing import bearing_quaternion, OPTICAL_FORWARD, OPTICAL_UP, Quaternion
from .candidates import Candidates
from .config import MAX_TRACK_ID, SELECTOR_LIMITS, SelectorConfig
from .policies import (box_area, centre_offset, distance_from_camera, POLICIES, Policy,
                       POLICY_TABLE, POSITION_POLICIES, track_order)
from .selector import Selection, TargetEvent, TargetSelector

__all__ = [
    'Candidates', 'MAX_TRACK_ID', 'OPTICAL_FORWARD', 'OPTICAL_UP', 'POLICIES', 'POLICY_TABLE',
    'POSITION_POLICIES', 'Policy', 'Quaternion', 'SELECTOR_LIMITS', 'Selection',
    'SelectorConfig', 'TargetEvent', 'TargetSelector', 'bearing_quaternion', 'box_area',
    'centre_offset', 'distance_from_camera', 'track_order',
]

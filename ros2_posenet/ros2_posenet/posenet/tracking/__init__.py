"""Multi-person tracking of PoseNet poses, free of ROS.

Typical use, once per frame::

    tracker = PoseTracker(TrackerConfig(min_hits=3, max_age=1.0))
    tracked = tracker.update(result.arrays, stamp_s)  # PoseEngine.estimate result
    for track_id, pose in zip(tracked.ids, tracked.arrays.to_poses()):
        ...  # track_id 0: not yet confirmed

Time is taken from the stamps (seconds), never from frame counts, so dropped frames and
irregular rates are handled; a stamp that repeats or goes backwards resets the tracker.
"""

from .association import associate, Assignment
from .config import INTEGER_FIELDS, TRACKER_LIMITS, TrackerConfig
from .motion import KinematicState
from .one_euro import OneEuroFilter, OneEuroParams
from .similarity import box_iou, COCO_SIGMAS, MIN_SHARED_KEYPOINTS, pose_similarity
from .track import Track, TrackState
from .tracked_poses import TrackedPoses
from .tracker import PoseTracker

__all__ = [
    'Assignment', 'COCO_SIGMAS', 'INTEGER_FIELDS', 'KinematicState', 'MIN_SHARED_KEYPOINTS',
    'OneEuroFilter', 'OneEuroParams', 'PoseTracker', 'TRACKER_LIMITS', 'Track', 'TrackState',
    'TrackedPoses', 'TrackerConfig', 'associate', 'box_iou', 'pose_similarity',
]

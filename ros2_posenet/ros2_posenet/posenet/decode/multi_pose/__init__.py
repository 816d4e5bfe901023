"""Multi-person decoding (tfjs-models ``posenet/src/multi_pose``)."""

from .build_part_with_score_queue import (build_part_with_score_queue, LOCAL_MAXIMUM_RADIUS,
                                          root_candidates_in_queue_order,
                                          score_is_maximum_in_local_window)
from .decode_multiple_poses import (decode_multiple_poses, decode_multiple_poses_from_scores,
                                    decode_multiple_poses_unchecked)
from .decode_pose import (FlatOutputs, OFFSET_REFINE_STEPS, PoseDecoder, round_half_up,
                          strided_index_near_point, TRAVERSAL_PLANS)
from .max_heap import dequeue_order, MaxHeap
from .part_nms import (get_instance_scores, keypoints_not_overlapped,
                       within_nms_radius_of_corresponding_point)

__all__ = [
    'FlatOutputs', 'LOCAL_MAXIMUM_RADIUS', 'MaxHeap', 'OFFSET_REFINE_STEPS', 'PoseDecoder',
    'TRAVERSAL_PLANS', 'build_part_with_score_queue', 'decode_multiple_poses',
    'decode_multiple_poses_from_scores', 'decode_multiple_poses_unchecked', 'dequeue_order',
    'get_instance_scores', 'keypoints_not_overlapped', 'root_candidates_in_queue_order',
    'round_half_up', 'score_is_maximum_in_local_window', 'strided_index_near_point',
    'within_nms_radius_of_corresponding_point',
]

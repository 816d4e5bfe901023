"""Tests of drawing.py: skeletons land where the keypoints are, in the side colours."""

import numpy as np
import pytest

from ros2_posenet.posenet.image.drawing import bone_color, draw_poses, SIDE_COLORS_BGR
from ros2_posenet.posenet.errors import InputError
from ros2_posenet.posenet.keypoints import KeypointId, NUM_KEYPOINTS, PART_NAMES
from ros2_posenet.posenet.pose import Keypoint, Pose


def _pose(points: dict[int, tuple[float, float]], score: float = 0.9,
          low: frozenset[int] = frozenset()) -> Pose:
    keypoints = []
    for part_id in range(NUM_KEYPOINTS):
        x, y = points.get(part_id, (float('nan'), float('nan')))
        keypoints.append(Keypoint(part_id, PART_NAMES[part_id], x, y,
                                  0.1 if part_id in low or part_id not in points else 0.9))
    return Pose(score, tuple(keypoints))


def test_bones_and_keypoints_are_drawn_in_side_colours():
    """Bones and keypoints are drawn in side colours."""
    image = np.zeros((200, 200, 3), np.uint8)
    pose = _pose({KeypointId.LEFT_SHOULDER: (50.0, 50.0), KeypointId.LEFT_HIP: (50.0, 150.0),
                  KeypointId.RIGHT_SHOULDER: (150.0, 50.0),
                  KeypointId.RIGHT_HIP: (150.0, 150.0)})
    result = draw_poses(image, [pose], min_keypoint_score=0.5)
    assert result is image
    assert tuple(image[100, 50]) == SIDE_COLORS_BGR['left']       # left torso side
    assert tuple(image[100, 150]) == SIDE_COLORS_BGR['right']     # right torso side
    assert tuple(image[50, 100]) == SIDE_COLORS_BGR['centre']     # shoulder line
    assert tuple(image[150, 100]) == SIDE_COLORS_BGR['centre']    # hip line
    assert not image[100, 100].any()                              # nothing in the middle


def test_low_score_keypoints_and_their_bones_are_skipped():
    """Low score keypoints and their bones are skipped."""
    image = np.zeros((200, 200, 3), np.uint8)
    pose = _pose({KeypointId.LEFT_SHOULDER: (50.0, 50.0), KeypointId.LEFT_HIP: (50.0, 150.0)},
                 low=frozenset({KeypointId.LEFT_HIP}))
    draw_poses(image, [pose], min_keypoint_score=0.5)
    assert image[50, 50].any()          # the shoulder
    assert not image[100, 50].any()     # no bone to the low-score hip
    assert not image[150, 50].any()     # no hip


def test_points_far_outside_and_non_finite_do_not_crash():
    """Points far outside and non finite do not crash."""
    image = np.zeros((50, 60, 3), np.uint8)
    pose = _pose({KeypointId.NOSE: (1e12, -1e12), KeypointId.LEFT_EYE: (float('inf'), 3.0),
                  KeypointId.LEFT_SHOULDER: (-30.0, 20.0), KeypointId.LEFT_HIP: (90.0, 20.0)})
    draw_poses(image, [pose], show_scores=True, pose_ids=[7])
    assert image[20, 30].any()  # the clipped bone crosses the image


def test_labels_are_written_when_asked():
    """Labels are written when asked."""
    plain = np.zeros((120, 160, 3), np.uint8)
    pose = _pose({KeypointId.NOSE: (80.0, 60.0)})
    labelled = plain.copy()
    draw_poses(plain, [pose])
    draw_poses(labelled, [pose], show_scores=True, pose_ids=[3])
    assert (labelled != plain).sum() > 50


def test_non_contiguous_image_is_drawn_in_place():
    """Non contiguous image is drawn in place."""
    backing = np.zeros((100, 200, 3), np.uint8)
    view = backing[:, ::2]
    draw_poses(view, [_pose({KeypointId.NOSE: (50.0, 50.0)})])
    assert backing[50, 100].any()


def test_bone_colour_is_centre_between_sides():
    """Bone colour is centre between sides."""
    assert bone_color(KeypointId.LEFT_HIP, KeypointId.RIGHT_HIP) == SIDE_COLORS_BGR['centre']
    assert bone_color(KeypointId.RIGHT_KNEE, KeypointId.RIGHT_ANKLE) == SIDE_COLORS_BGR['right']


@pytest.mark.parametrize('image', [np.zeros((10, 10), np.uint8), np.zeros((10, 10, 3))])
def test_bad_images_raise(image):
    """Bad images raise."""
    with pytest.raises(InputError):
        draw_poses(image, [])


def test_pose_ids_length_is_checked():
    """Pose ids length is checked."""
    with pytest.raises(InputError, match='pose_ids'):
        draw_poses(np.zeros((10, 10, 3), np.uint8), [], pose_ids=[1])

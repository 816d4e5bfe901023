"""Traversal of one pose along the displacement fields (tfjs decodePose)."""


from ros2_posenet.posenet import KeypointId
from ros2_posenet.posenet.decode.multi_pose import (
    FlatOutputs, round_half_up, strided_index_near_point, TRAVERSAL_PLANS)
from ros2_posenet.posenet.keypoints import PARENT_CHILD_IDS

from decode_helpers import empty_grid, decode_pose


def test_round_half_up_is_javascript_math_round():
    assert [round_half_up(v) for v in (0.5, 1.5, 2.5, -0.5, -1.5, 0.49999999999999994, 2.4)] \
        == [1, 2, 3, 0, -1, 0, 2]
    assert strided_index_near_point(-40.0, 16, 5) == 0
    assert strided_index_near_point(24.0, 16, 5) == 2  # 1.5 rounds up
    assert strided_index_near_point(1e9, 16, 5) == 4


def test_traversal_follows_forward_displacement_and_refines_with_offsets():
    offsets, fwd, bwd = empty_grid()
    nose, left_eye = KeypointId.NOSE, KeypointId.LEFT_EYE
    edge = PARENT_CHILD_IDS.index((nose, left_eye))
    fwd[2, 2, edge] = -10.0  # from the nose at (20, 20) to about (10, 30)
    fwd[2, 2, 16 + edge] = 9.0
    offsets[1, 3, left_eye] = 2.0
    offsets[1, 3, 17 + left_eye] = -3.0
    root = (2 * 5 + 2) * 17 + nose
    ys, xs, _, score_indices = decode_pose(root, 20.0, 20.0,
                                           FlatOutputs.from_arrays(offsets, fwd, bwd, 10))
    assert (ys[left_eye], xs[left_eye]) == (12.0, 27.0)
    assert score_indices[left_eye] == (1 * 5 + 3) * 17 + left_eye
    assert (ys[nose], xs[nose]) == (20.0, 20.0)


def test_traversal_follows_backward_displacement_to_the_root_side():
    offsets, fwd, bwd = empty_grid()
    nose, left_eye = KeypointId.NOSE, KeypointId.LEFT_EYE
    edge = PARENT_CHILD_IDS.index((nose, left_eye))
    bwd[1, 3, edge] = 15.0  # from the left eye at (10, 30) to y 25: row 2.5 rounds up to 3
    bwd[1, 3, 16 + edge] = -10.0
    offsets[3, 2, nose] = -1.5
    root = (1 * 5 + 3) * 17 + left_eye
    assert TRAVERSAL_PLANS[left_eye][0][0][2:4] == (left_eye, nose)  # first step: backward
    ys, xs, _, _ = decode_pose(root, 10.0, 30.0, FlatOutputs.from_arrays(offsets, fwd, bwd, 10))
    assert (ys[nose], xs[nose]) == (28.5, 20.0)


def test_traversal_beyond_lookup_tables_uses_plain_path():
    offsets, fwd, bwd = empty_grid()
    fwd[:, :, :16] = 1e7  # displaced far below the grid: clamped to the last row
    offsets[4, :, :17] = -25.0  # first refinement: 40 - 25 = 15, row 1.5 rounds up to 2
    offsets[2, :, :17] = 3.0  # second refinement: 20 + 3
    ys, _, _, score_indices = decode_pose(2 * 5 * 17, 0.0, 0.0,
                                          FlatOutputs.from_arrays(offsets, fwd, bwd, 10))
    assert ys[KeypointId.LEFT_EYE] == 23.0
    assert score_indices[KeypointId.LEFT_EYE] // 17 // 5 == 2

"""Unit tests of the PoseNet decoders on small hand-built arrays.

``_Reference`` below is a literal, slow transliteration of TF.js ``@tensorflow-models/posenet``
2.x (``decodeMultiplePoses``, ``decodePose``, ``MaxHeap``, ``buildPartWithScoreQueue``); the
randomised tests check the fast decoders against it on inputs full of ties.
"""

from fractions import Fraction
import math
import warnings

import numpy as np
import pytest

from ros2_posenet.posenet import (BoundingBox, bounding_boxes, CONNECTED_PART_IDS,
                                  get_adjacent_keypoints, get_bounding_box, InputError, Keypoint,
                                  KeypointId, NUM_KEYPOINTS, PART_IDS, PART_NAMES, Pose,
                                  PoseArrays, visible_bones)
from ros2_posenet.posenet import decode as decoders
from ros2_posenet.posenet.decode.heatmap_scores import (
    float32_threshold, logit_bound_below_threshold, parts_reaching_threshold,
    parts_reaching_threshold_from_logits, sigmoid_scores)
from ros2_posenet.posenet.decode.multi_pose import (
    build_part_with_score_queue, dequeue_order, FlatOutputs, get_instance_scores,
    keypoints_not_overlapped, MaxHeap, PoseDecoder, root_candidates_in_queue_order,
    round_half_up, score_is_maximum_in_local_window, strided_index_near_point,
    TRAVERSAL_PLANS, within_nms_radius_of_corresponding_point)
from ros2_posenet.posenet.decode.single_pose import argmax2d, argmax2d_from_logits
from ros2_posenet.posenet.keypoints import PARENT_CHILD_IDS


def decode_multiple_poses(*args, **kwargs) -> list[Pose]:
    """The multi-pose decoder's ``PoseArrays`` as ``Pose`` objects."""
    return list(_as_poses(decoders.decode_multiple_poses(*args, **kwargs)))


def decode_multiple_poses_from_scores(*args, **kwargs) -> list[Pose]:
    """The scores form of the multi-pose decoder, as ``Pose`` objects."""
    return list(_as_poses(decoders.decode_multiple_poses_from_scores(*args, **kwargs)))


def decode_single_pose(*args, **kwargs) -> Pose:
    """The single-pose decoder's one pose."""
    (pose,) = _as_poses(decoders.decode_single_pose(*args, **kwargs))
    return pose


def decode_single_pose_from_scores(*args, **kwargs) -> Pose:
    """The scores form of the single-pose decoder's one pose."""
    (pose,) = _as_poses(decoders.decode_single_pose_from_scores(*args, **kwargs))
    return pose


def _as_poses(arrays: PoseArrays) -> tuple[Pose, ...]:
    assert isinstance(arrays, PoseArrays)
    assert arrays.keypoints_xy.dtype == arrays.keypoint_scores.dtype == np.float64
    return arrays.to_poses()


def decode_pose(root, root_y, root_x, outputs):
    """One pose decoded by a fresh ``PoseDecoder``."""
    return PoseDecoder(outputs).decode(root, root_y, root_x)


class _Reference:
    """TF.js PoseNet 2.x multi-pose decoding, line by line, on float32 score arrays."""

    class Heap:
        """TF.js ``MaxHeap``: ``numberOfElements`` is the last index, children 2k and 2k+1."""

        def __init__(self) -> None:
            self.queue: list = []
            self.last = -1

        def value(self, i: int) -> float:
            return self.queue[i][0]

        def less(self, i: int, j: int) -> bool:
            return self.value(i) < self.value(j)

        def exchange(self, i: int, j: int) -> None:
            self.queue[i], self.queue[j] = self.queue[j], self.queue[i]

        def enqueue(self, element: tuple) -> None:
            self.last += 1
            if self.last < len(self.queue):
                self.queue[self.last] = element
            else:
                self.queue.append(element)
            k = self.last
            while k > 0 and self.less(k // 2, k):
                self.exchange(k, k // 2)
                k = k // 2

        def dequeue(self) -> tuple:
            top = self.queue[0]
            self.exchange(0, self.last)
            self.last -= 1
            k = 0
            while 2 * k <= self.last:
                j = 2 * k
                if j < self.last and self.less(j, j + 1):
                    j += 1
                if not self.less(k, j):
                    break
                self.exchange(k, j)
                k = j
            return top

        def empty(self) -> bool:
            return self.last == -1

    @staticmethod
    def js_round(value: float) -> int:
        return math.floor(Fraction(value) + Fraction(1, 2))  # exact: halves up

    @classmethod
    def decode_multiple(cls, scores, offsets, fwd, bwd, stride, max_detections,
                        threshold, nms_radius):
        height, width, num_parts = scores.shape
        queue = cls.Heap()
        for y in range(height):
            for x in range(width):
                for k in range(num_parts):
                    score = float(scores[y, x, k])
                    if score < threshold:
                        continue
                    local_maximum = True
                    for yy in range(max(y - 1, 0), min(y + 2, height)):
                        for xx in range(max(x - 1, 0), min(x + 2, width)):
                            if float(scores[yy, xx, k]) > score:
                                local_maximum = False
                    if local_maximum:
                        queue.enqueue((score, (y, x, k)))
        squared_radius = nms_radius * nms_radius

        def within(poses, point, k):
            for other in poses:
                dy = other[0][k][0] - point[0]
                dx = other[0][k][1] - point[1]
                if dy * dy + dx * dx <= squared_radius:
                    return True
            return False

        def image_coords(y, x, k):
            return (y * stride + float(offsets[y, x, k]),
                    x * stride + float(offsets[y, x, k + num_parts]))

        def near(point):
            return (min(max(cls.js_round(point[0] / stride), 0), height - 1),
                    min(max(cls.js_round(point[1] / stride), 0), width - 1))

        def traverse(edge, source, target, displacements):
            index = near(source)
            point = (source[0] + float(displacements[index[0], index[1], edge]),
                     source[1] + float(displacements[index[0], index[1], 16 + edge]))
            for _ in range(2):
                index = near(point)
                point = image_coords(index[0], index[1], target)
            index = near(point)
            return point, float(scores[index[0], index[1], target])

        poses = []
        while len(poses) < max_detections and not queue.empty():
            root_score, (y, x, k) = queue.dequeue()
            root = image_coords(y, x, k)
            if within(poses, root, k):
                continue
            points = [None] * num_parts
            part_scores = [0.0] * num_parts
            points[k] = root
            part_scores[k] = root_score
            for edge in range(len(PARENT_CHILD_IDS) - 1, -1, -1):
                parent, child = PARENT_CHILD_IDS[edge]
                if points[child] is not None and points[parent] is None:
                    points[parent], part_scores[parent] = traverse(edge, points[child], parent,
                                                                   bwd)
            for edge in range(len(PARENT_CHILD_IDS)):
                parent, child = PARENT_CHILD_IDS[edge]
                if points[parent] is not None and points[child] is None:
                    points[child], part_scores[child] = traverse(edge, points[parent], child,
                                                                 fwd)
            total = 0.0
            for part in range(num_parts):
                if not within(poses, points[part], part):
                    total += part_scores[part]
            poses.append((points, part_scores, total / num_parts))
        return poses


def _float32_sigmoid_differs() -> np.ndarray:
    """Return logits whose float32-arithmetic sigmoid differs from the double one."""
    logits = np.linspace(-12, 12, 20001, dtype=np.float32)
    float32_scores = np.float32(1) / (np.float32(1) + np.exp(-logits))
    differ = float32_scores != sigmoid_scores(logits)
    assert differ.any()
    return logits[differ]


def _pose(xs, ys, scores, pose_score=0.5) -> Pose:
    return Pose(pose_score, tuple(Keypoint(i, PART_NAMES[i], float(x), float(y), float(s))
                                  for i, (x, y, s) in enumerate(zip(xs, ys, scores))))


def _random_case(rng: np.random.Generator, quantized: bool):
    height, width = rng.integers(1, 9, 2)
    stride = int(rng.choice([8, 16, 32]))
    if quantized:  # few distinct values: ties everywhere
        logits = rng.choice(np.linspace(-6, 20, 9), (height, width, 17))
    else:
        logits = rng.normal(0, 3, (height, width, 17))
    offsets = rng.normal(0, stride, (height, width, 34))
    fwd = rng.normal(0, 2 * stride, (height, width, 32))
    bwd = rng.normal(0, 2 * stride, (height, width, 32))
    if quantized:
        offsets = np.round(offsets * 2) / 2  # many positions exactly on .5 boundaries
        fwd = np.round(fwd)
        bwd = np.round(bwd)
    return [array.astype(np.float32) for array in (logits, offsets, fwd, bwd)] + [stride]


# --- scores ------------------------------------------------------------------------------


def test_sigmoid_is_double_precision_rounded_to_float32():
    logits = _float32_sigmoid_differs()
    expected = (1.0 / (1.0 + np.exp(-logits.astype(np.float64)))).astype(np.float32)
    np.testing.assert_array_equal(sigmoid_scores(logits), expected)
    assert sigmoid_scores(logits).dtype == np.float32


def test_sigmoid_saturates_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # numpy's default: warn on overflow, not underflow
        scores = sigmoid_scores(np.array([-1e30, -800.0, 0.0, 800.0, 3e38], np.float32))
    np.testing.assert_array_equal(scores, np.array([0.0, 0.0, 0.5, 1.0, 1.0], np.float32))


def test_threshold_compares_in_double_precision():
    just_below = np.float32(0.7)  # 0.699999988 < 0.7
    assert float(just_below) < 0.7
    assert float32_threshold(0.7) > just_below
    scores = np.array([[[just_below] + [np.float32(0.7000001)] + [0.0] * 15]], np.float32)
    flat_indices, reached = parts_reaching_threshold(scores, 0.7)
    assert flat_indices.tolist() == [1]
    assert reached.tolist() == [np.float32(0.7000001)]


def test_threshold_from_logits_compares_in_double_precision():
    candidates = np.float32(0.8472979) + np.arange(-200, 200, dtype=np.float32) * np.float32(
        1e-7)
    logits = candidates[sigmoid_scores(candidates) == np.float32(0.7)][-1:]
    assert logits.size == 1  # the largest logit scoring float32(0.7) = 0.69999999 < 0.7
    heatmap = np.full((1, 1, 17), -9.0, np.float32)
    heatmap[0, 0, 3] = logits[0]
    assert parts_reaching_threshold_from_logits(heatmap, 0.7)[0].size == 0
    assert parts_reaching_threshold_from_logits(heatmap, 0.69999)[0].tolist() == [3]


@pytest.mark.parametrize('threshold', [0.0, 1e-30, 0.2, 0.5, 0.7, 0.999999, 1.0])
def test_threshold_from_logits_equals_threshold_on_scores(threshold):
    rng = np.random.default_rng(7)
    logits = np.concatenate([rng.normal(0, 8, 2000), [-120.0, -104.0, 16.0, 17.0, 40.0],
                             np.linspace(-2, 2, 1000)]).astype(np.float32)
    logits = np.resize(logits, (1, 177, 17))
    by_scores = parts_reaching_threshold(sigmoid_scores(logits), threshold)
    by_logits = parts_reaching_threshold_from_logits(logits, threshold)
    np.testing.assert_array_equal(by_logits[0], by_scores[0])
    np.testing.assert_array_equal(by_logits[1], by_scores[1])
    bound = logit_bound_below_threshold(threshold)
    # compared in double: float32 array < Python float would round the threshold
    assert threshold == 0.0 or float(sigmoid_scores(np.array([bound]))[0]) < threshold


# --- argmax2d ----------------------------------------------------------------------------


def test_argmax2d_first_cell_wins_ties():
    scores = np.zeros((3, 4, 2), np.float32)
    scores[1, 2, 0] = 0.9
    scores[2, 0, 0] = 0.9
    scores[2, 3, 1] = 0.4
    np.testing.assert_array_equal(argmax2d(scores), [[1, 2], [2, 3]])


def test_argmax2d_from_logits_ties_on_saturated_scores():
    logits = np.full((2, 3, 17), -5.0, np.float32)
    logits[0, 2, 0] = 20.0  # score 1.0 in float32 ...
    logits[1, 1, 0] = 30.0  # ... as is this larger logit: the first cell must win
    coords, scores = argmax2d_from_logits(logits)
    assert coords[0].tolist() == [0, 2]
    assert scores[0] == np.float32(1.0)
    np.testing.assert_array_equal(coords, argmax2d(sigmoid_scores(logits)))


def test_argmax2d_from_logits_matches_dense_on_random_ties():
    rng = np.random.default_rng(3)
    for _ in range(200):
        shape = (*rng.integers(1, 7, 2), 17)
        logits = rng.choice([-110.0, -104.0, -3.0, 0.0, 16.5, 17.0, 25.0], shape)
        logits = (logits + rng.normal(0, 1e-6, shape)).astype(np.float32)
        coords, scores = argmax2d_from_logits(logits)
        dense = sigmoid_scores(logits)
        np.testing.assert_array_equal(coords, argmax2d(dense))
        np.testing.assert_array_equal(scores, dense[coords[:, 0], coords[:, 1], range(17)])


# --- max heap ----------------------------------------------------------------------------


def test_heap_tie_order_is_tfjs_order():
    heap = MaxHeap.from_sequence([1.0, 1.0, 1.0, 1.0], ['a', 'b', 'c', 'd'])
    # worked by hand from max_heap.ts; heapq or a stable sort would give a, b, c, d
    assert [heap.dequeue()[1] for _ in range(4)] == ['a', 'd', 'c', 'b']
    assert heap.empty()


def test_heap_matches_tfjs_heap_on_random_ties():
    rng = np.random.default_rng(11)
    for _ in range(300):
        values = rng.integers(0, 4, rng.integers(1, 40)).astype(float).tolist()
        reference = _Reference.Heap()
        for item, value in enumerate(values):
            reference.enqueue((value, item))
        heap = MaxHeap.from_sequence(values, range(len(values)))
        expected = [reference.dequeue() for _ in values]
        assert [(value, item) for value, item in heap.drain()] == expected


def test_heap_enqueue_equals_from_sequence_and_dequeue_checks_empty():
    heap = MaxHeap()
    for item, value in enumerate([2.0, 5.0, 5.0, 1.0, 5.0]):
        heap.enqueue(value, item)
    other = MaxHeap.from_sequence([2.0, 5.0, 5.0, 1.0, 5.0], range(5))
    assert len(heap) == heap.size() == 5
    assert list(heap.drain()) == list(other.drain())
    with pytest.raises(IndexError):
        heap.dequeue()


def test_dequeue_order_matches_the_full_heap_for_every_bound():
    rng = np.random.default_rng(13)
    for _ in range(300):
        values = rng.integers(0, 5, rng.integers(0, 40)).astype(float).tolist()
        items = list(range(len(values)))
        expected = list(MaxHeap.from_sequence(values, items).drain())
        for bound in {-math.inf, 10.0, *values}:
            assert list(dequeue_order(values, items, bound)) == expected


# --- root candidates ---------------------------------------------------------------------


def test_local_maximum_allows_equal_neighbours_only():
    scores = np.zeros((3, 4, 1), np.float32)
    scores[1, 1, 0] = 0.8
    scores[1, 2, 0] = 0.8  # equal neighbour: both stay
    scores[0, 3, 0] = 0.6
    scores[0, 2, 0] = 0.7  # strictly greater neighbour of (0, 3) and also next to 0.8
    flat_indices, values = parts_reaching_threshold(scores, 0.5)
    maxima = score_is_maximum_in_local_window(flat_indices, values, scores.shape)
    cells = [divmod(int(i), 4) for i in flat_indices[maxima]]
    assert cells == [(1, 1), (1, 2)]


def test_local_maximum_matches_window_scan_on_random_ties():
    rng = np.random.default_rng(5)
    for _ in range(100):
        scores = rng.choice(np.array([0.1, 0.3, 0.5, 0.9], np.float32),
                            (*rng.integers(1, 8, 2), 3))
        flat_indices, values = parts_reaching_threshold(scores, 0.3)
        maxima = score_is_maximum_in_local_window(flat_indices, values, scores.shape)
        height, width, _ = scores.shape
        for index, is_maximum in zip(flat_indices, maxima):
            y, rest = divmod(int(index), width * 3)
            x, k = divmod(rest, 3)
            window = scores[max(y - 1, 0):y + 2, max(x - 1, 0):x + 2, k]
            assert is_maximum == (window <= scores[y, x, k]).all()


def test_queue_holds_local_maxima_in_score_order():
    scores = np.zeros((2, 3, 2), np.float32)
    scores[0, 0, 0] = 0.6
    scores[1, 2, 1] = 0.9
    scores[1, 1, 1] = 0.4  # below the larger neighbour
    flat_indices, values = parts_reaching_threshold(scores, 0.3)
    queue = build_part_with_score_queue(flat_indices, values, scores.shape)
    assert [(round(value, 3), index) for value, index in queue.drain()] == [
        (0.9, (1 * 3 + 2) * 2 + 1), (0.6, 0)]


def test_root_candidates_follow_the_queue_beyond_the_likely_count():
    rng = np.random.default_rng(17)
    for _ in range(50):
        scores = rng.choice(np.array([0.1, 0.3, 0.5, 0.9], np.float32), (6, 7, 17))
        flat_indices, values = parts_reaching_threshold(scores, 0.3)
        expected = list(build_part_with_score_queue(flat_indices, values, scores.shape).drain())
        for likely in (1, 5, 1000):
            assert list(root_candidates_in_queue_order(flat_indices, values, scores.shape,
                                                       likely)) == expected


# --- traversal -------------------------------------------------------------------------


def test_round_half_up_is_javascript_math_round():
    assert [round_half_up(v) for v in (0.5, 1.5, 2.5, -0.5, -1.5, 0.49999999999999994, 2.4)] \
        == [1, 2, 3, 0, -1, 0, 2]
    assert strided_index_near_point(-40.0, 16, 5) == 0
    assert strided_index_near_point(24.0, 16, 5) == 2  # 1.5 rounds up
    assert strided_index_near_point(1e9, 16, 5) == 4


def _grid(height=5, width=5):
    offsets = np.zeros((height, width, 34), np.float32)
    fwd = np.zeros((height, width, 32), np.float32)
    bwd = np.zeros((height, width, 32), np.float32)
    return offsets, fwd, bwd


def test_traversal_follows_forward_displacement_and_refines_with_offsets():
    offsets, fwd, bwd = _grid()
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
    offsets, fwd, bwd = _grid()
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
    offsets, fwd, bwd = _grid()
    fwd[:, :, :16] = 1e7  # displaced far below the grid: clamped to the last row
    offsets[4, :, :17] = -25.0  # first refinement: 40 - 25 = 15, row 1.5 rounds up to 2
    offsets[2, :, :17] = 3.0  # second refinement: 20 + 3
    ys, _, _, score_indices = decode_pose(2 * 5 * 17, 0.0, 0.0,
                                          FlatOutputs.from_arrays(offsets, fwd, bwd, 10))
    assert ys[KeypointId.LEFT_EYE] == 23.0
    assert score_indices[KeypointId.LEFT_EYE] // 17 // 5 == 2


# --- part NMS ----------------------------------------------------------------------------


def test_nms_radius_is_inclusive():
    points = [(0.0, 0.0), (100.0, 100.0)]
    assert within_nms_radius_of_corresponding_point(points, 3.0, 4.0, 25.0)  # exactly 5 px
    assert not within_nms_radius_of_corresponding_point(points, 3.0, 4.01, 25.0)
    assert not within_nms_radius_of_corresponding_point([], 0.0, 0.0, 25.0)


def test_instance_score_leaves_out_keypoints_claimed_by_earlier_poses():
    ys = np.zeros((2, 17))
    xs = np.zeros((2, 17))
    xs[1, :5] = 4.0   # within 5 px of the first pose
    xs[1, 5:] = 40.0  # clear
    counted = keypoints_not_overlapped(np.array((ys, xs)), 25.0)
    assert counted[0].all()
    assert counted[1].tolist() == [False] * 5 + [True] * 12
    scores = np.full((2, 17), 0.5, np.float32)
    np.testing.assert_allclose(get_instance_scores(scores, counted), [0.5, 0.5 * 12 / 17])


def test_multi_pose_skips_root_within_nms_radius():
    offsets, fwd, bwd = _grid(3, 8)
    logits = np.full((3, 8, 17), -8.0, np.float32)
    logits[1, 1, :] = 4.0   # one person at (10, 10)
    logits[1, 3, 0] = 2.0   # a weaker nose 20 px away, outside the local-maximum window
    fwd[1, 3, 16:] = -20.0  # whose displacements lead back to the first person
    poses = decode_multiple_poses(logits, offsets, fwd, bwd, 10, 5, 0.5, 25)
    assert len(poses) == 1
    assert {(k.x, k.y) for k in poses[0].keypoints} == {(10.0, 10.0)}
    poses = decode_multiple_poses(logits, offsets, fwd, bwd, 10, 5, 0.5, 15)
    assert len(poses) == 2
    assert poses[1].keypoints[0].x == 30.0
    assert poses[1].keypoints[5].x == 10.0
    # the second pose's other keypoints sit on the first pose's: only its nose counts
    assert poses[1].score == float(sigmoid_scores(np.float32(2.0))) / 17


# --- whole decoders against the reference --------------------------------------------------


@pytest.mark.parametrize('quantized', [True, False])
def test_multi_pose_matches_reference_transliteration(quantized):
    rng = np.random.default_rng(17 if quantized else 19)
    for _ in range(60):
        logits, offsets, fwd, bwd, stride = _random_case(rng, quantized)
        max_detections = int(rng.integers(1, 8))
        threshold = float(rng.choice([0.0, 0.2, 0.5, 0.7]))
        radius = float(rng.choice([1.0, 10.0, 20.0, 64.0]))
        poses = decode_multiple_poses(logits, offsets, fwd, bwd, stride, max_detections,
                                      threshold, radius)
        expected = _Reference.decode_multiple(sigmoid_scores(logits), offsets, fwd, bwd, stride,
                                              max_detections, threshold, radius)
        assert len(poses) == len(expected)
        for pose, (points, scores, pose_score) in zip(poses, expected):
            assert pose.score == pose_score
            assert [(k.y, k.x) for k in pose.keypoints] == points
            assert [k.score for k in pose.keypoints] == scores


def test_single_pose_places_each_part_at_its_best_cell():
    logits = np.full((3, 4, 17), -3.0, np.float32)
    offsets = np.zeros((3, 4, 34), np.float32)
    logits[2, 1, 5] = 6.0
    offsets[2, 1, 5] = 0.1  # float32 sum: 32 + 0.1 -> 32.1 in float32
    offsets[2, 1, 17 + 5] = -1.0
    pose = decode_single_pose(logits, offsets, 16)
    left_shoulder = pose.keypoints[PART_IDS['leftShoulder']]
    assert (left_shoulder.x, left_shoulder.y) == (15.0, float(np.float32(32) + np.float32(0.1)))
    assert left_shoulder.score == float(sigmoid_scores(np.float32(6.0)))
    assert pose.keypoints[0].x == 0.0 and pose.keypoints[0].y == 0.0  # first cell on ties
    expected = 0.0
    for keypoint in pose.keypoints:
        expected += keypoint.score
    assert pose.score == expected / 17
    same = decode_single_pose_from_scores(sigmoid_scores(logits), offsets, 16)
    assert same == pose


# --- geometry ----------------------------------------------------------------------------


def _example_pose() -> Pose:
    xs = np.arange(17) * 10.0
    ys = 100.0 - np.arange(17) * 3.0
    scores = np.linspace(0.0, 0.8, 17)
    return _pose(xs, ys, scores, 0.4)


def test_adjacent_keypoints_need_both_scores_at_least_min_confidence():
    pose = _example_pose()
    min_confidence = pose.keypoints[KeypointId.LEFT_HIP].score  # 0.55; not below: kept
    pairs = get_adjacent_keypoints(pose.keypoints, min_confidence)
    expected = [(a, b) for a, b in CONNECTED_PART_IDS
                if min(pose.keypoints[a].score, pose.keypoints[b].score) >= min_confidence]
    assert [(a.id, b.id) for a, b in pairs] == expected
    assert (KeypointId.LEFT_HIP, KeypointId.LEFT_KNEE) in expected
    assert (KeypointId.LEFT_HIP, KeypointId.LEFT_SHOULDER) not in expected
    assert get_adjacent_keypoints(pose.keypoints, 0.0).__len__() == len(CONNECTED_PART_IDS)


def test_bounding_box_spans_every_keypoint():
    pose = _example_pose()
    box = get_bounding_box(pose.keypoints)
    assert box == BoundingBox(min_x=0.0, min_y=52.0, max_x=160.0, max_y=100.0)
    arrays = PoseArrays.from_poses([pose, pose])
    assert bounding_boxes(arrays.keypoints_xy).tolist() == [[0.0, 52.0, 160.0, 100.0]] * 2
    with pytest.raises(ValueError):
        get_bounding_box([])


def test_visible_bones_is_the_adjacent_keypoints_rule():
    pose = _example_pose()
    scores = [keypoint.score for keypoint in pose.keypoints]
    for threshold in (0.0, 0.3, scores[KeypointId.LEFT_HIP], 0.9, 1.0):
        pairs = get_adjacent_keypoints(pose.keypoints, threshold)
        assert [(a.id, b.id) for a, b in pairs] == visible_bones(scores, threshold)


# --- input validation --------------------------------------------------------------------


def _valid_inputs(height=4, width=5):
    return [np.zeros((height, width, 17), np.float32), np.zeros((height, width, 34), np.float32),
            np.zeros((height, width, 32), np.float32), np.zeros((height, width, 32), np.float32)]


@pytest.mark.parametrize('position, bad, message', [
    (0, np.zeros((1, 4, 5, 17), np.float32), 'batch axis'),
    (0, np.zeros((4, 5, 16), np.float32), '17 channels'),
    (1, np.zeros((4, 5, 17), np.float32), '34 channels'),
    (2, np.zeros((4, 6, 32), np.float32), 'grid'),
    (3, np.zeros((0, 5, 32), np.float32), 'empty'),
    (0, np.zeros((4, 5, 17), bool), 'real numbers'),
    (1, [[0.0] * 34] * 5, 'numpy array'),
])
def test_multi_pose_rejects_bad_arrays(position, bad, message):
    inputs = _valid_inputs()
    inputs[position] = bad
    with pytest.raises(InputError, match=message):
        decode_multiple_poses(*inputs, 16)


@pytest.mark.parametrize('position', [0, 1, 2, 3])
@pytest.mark.parametrize('value', [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_rejected(position, value):
    inputs = _valid_inputs()
    inputs[position][1, 2, 3] = value
    with pytest.raises(InputError, match='NaN or infinite'):
        decode_multiple_poses(*inputs, 16)
    if position < 2:
        with pytest.raises(InputError, match='NaN or infinite'):
            decode_single_pose(inputs[0], inputs[1], 16)


@pytest.mark.parametrize('kwargs, message', [
    ({'output_stride': 0}, 'output_stride'),
    ({'output_stride': 16.0}, 'output_stride'),
    ({'output_stride': True}, 'output_stride'),
    ({'max_detections': 0}, 'max_detections'),
    ({'max_detections': 2.5}, 'max_detections'),
    ({'score_threshold': 1.5}, 'score_threshold'),
    ({'score_threshold': -0.1}, 'score_threshold'),
    ({'score_threshold': float('nan')}, 'score_threshold'),
    ({'nms_radius': 0}, 'nms_radius'),
    ({'nms_radius': float('inf')}, 'nms_radius'),
])
def test_multi_pose_rejects_bad_parameters(kwargs, message):
    arguments = {'output_stride': 16, **kwargs}
    with pytest.raises(InputError, match=message):
        decode_multiple_poses(*_valid_inputs(), **arguments)


def test_single_pose_rejects_bad_inputs():
    heatmap, offsets, _, _ = _valid_inputs()
    with pytest.raises(InputError, match='grid'):
        decode_single_pose(heatmap, offsets[:3], 16)
    with pytest.raises(InputError, match='output_stride'):
        decode_single_pose(heatmap, offsets, -16)
    assert isinstance(decode_single_pose(heatmap.astype(np.float64), offsets, np.int64(16)),
                      Pose)
    assert len(decoders.decode_single_pose(heatmap, offsets, 16)) == 1


def test_score_entry_points_reject_scores_outside_unit_range():
    inputs = _valid_inputs()
    inputs[0][0, 0, 0] = 1.5
    with pytest.raises(InputError, match=r'\[0, 1\]'):
        decode_multiple_poses_from_scores(*inputs, 16)
    with pytest.raises(InputError, match=r'\[0, 1\]'):
        decode_single_pose_from_scores(inputs[0], inputs[1], 16)


def test_no_candidate_gives_no_pose_and_threshold_zero_takes_all():
    inputs = _valid_inputs()
    inputs[0][:] = -5.0
    assert decode_multiple_poses(*inputs, 16, score_threshold=0.5) == []
    poses = decode_multiple_poses(*inputs, 16, max_detections=20, score_threshold=0.0)
    expected = _Reference.decode_multiple(sigmoid_scores(inputs[0]), *inputs[1:], 16, 20, 0.0,
                                          20.0)
    assert len(poses) == len(expected) > 1
    assert [[(k.y, k.x) for k in pose.keypoints] for pose in poses] == [
        points for points, _, _ in expected]
    assert all(len(pose.keypoints) == NUM_KEYPOINTS for pose in poses)


def test_multi_pose_results_equal_validated_poses():
    rng = np.random.default_rng(23)
    for quantized in (True, False):
        logits, offsets, fwd, bwd, stride = _random_case(rng, quantized)
        poses = decode_multiple_poses(logits, offsets, fwd, bwd, stride, 10, 0.1, 5.0)
        for pose in poses:
            rebuilt = Pose(pose.score, tuple(Keypoint(k.id, k.name, k.x, k.y, k.score)
                                             for k in pose.keypoints))
            assert type(pose) is Pose and pose == rebuilt

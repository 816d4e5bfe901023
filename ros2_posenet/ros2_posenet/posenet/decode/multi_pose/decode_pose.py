"""Decode one person from a root part by following the displacement fields along the pose chain.

TensorFlow.js ``decodePose`` places the root part, walks the pose chain upwards (edges 15..0,
backward displacements) and then downwards (edges 0..15, forward displacements), each time
from a known part to a missing one. ``traverseToTargetKeypoint`` reads the displacement at the
grid cell nearest to the source part, adds it, and refines the point twice with the short
offsets of the target part at the nearest cell; the target's score is read at the cell nearest
to the final point. Cells are found with ``Math.round`` (halves up) and clamped to the grid.

Positions are doubles, like the JavaScript numbers. Decoding runs in pure Python over flat
float32 ``memoryview``s, reading only the few values it needs (vectorising 16 dependent steps
per pose would cost more in numpy call overhead than it saves).
"""

from dataclasses import dataclass
from functools import lru_cache
import math

import numpy as np

from ...keypoints import NUM_EDGES, NUM_KEYPOINTS, PARENT_CHILD_IDS

OFFSET_REFINE_STEPS = 2
"""Short-offset refinements after following a displacement (tfjs ``offsetRefineStep``).
``PoseDecoder.decode`` unrolls exactly this many; the assertion keeps the two together."""
assert OFFSET_REFINE_STEPS == 2, 'PoseDecoder.decode unrolls two refinement steps'

_OFFSET_CHANNELS = 2 * NUM_KEYPOINTS
_DISPLACEMENT_CHANNELS = 2 * NUM_EDGES

TraversalStep = tuple[int, int, int, int, int, int]
"""(dy channel, dx channel, source part, target part, offset dy channel, offset dx channel)."""

TraversalPlan = tuple[tuple[TraversalStep, ...], tuple[TraversalStep, ...]]
"""Steps along backward displacements, then steps along forward displacements."""


def _traversal_plan(root_part_id: int) -> TraversalPlan:
    """Return the backward and forward steps tfjs ``decodePose`` takes from this root."""
    known = {root_part_id}
    backward = []
    for edge in range(NUM_EDGES - 1, -1, -1):
        parent, child = PARENT_CHILD_IDS[edge]
        if child in known and parent not in known:
            backward.append((edge, NUM_EDGES + edge, child, parent,
                             parent, NUM_KEYPOINTS + parent))
            known.add(parent)
    forward = []
    for edge in range(NUM_EDGES):
        parent, child = PARENT_CHILD_IDS[edge]
        if parent in known and child not in known:
            forward.append((edge, NUM_EDGES + edge, parent, child,
                            child, NUM_KEYPOINTS + child))
            known.add(child)
    return tuple(backward), tuple(forward)


TRAVERSAL_PLANS = tuple(_traversal_plan(part_id) for part_id in range(NUM_KEYPOINTS))
"""``TRAVERSAL_PLANS[root] = (backward steps, forward steps)`` for each root part id."""


def round_half_up(value: float) -> int:
    """Return JavaScript ``Math.round(value)``: nearest integer, halves towards +inf.

    Python's ``round`` rounds halves to even and ``floor(value + 0.5)`` is wrong for
    0.49999999999999994; this form is exact for every double.
    """
    rounded = math.floor(value)
    return rounded + 1 if value - rounded >= 0.5 else rounded


def strided_index_near_point(position: float, output_stride: int, size: int) -> int:
    """Return the grid index nearest to a pixel position, clamped to ``[0, size - 1]``.

    Args:
        position: Row (or column) in input pixels.
        output_stride: Input pixels per grid cell.
        size: Grid height (or width).
    """
    return min(max(round_half_up(position / output_stride), 0), size - 1)


_JUST_BELOW_HALF = 0.49999999999999994
"""Largest double below 0.5; see ``_traverse``."""

_TABLE_MARGIN = 256
"""Grid cells beyond each border covered by ``_GridTables`` (4096 px at stride 16)."""


@dataclass(frozen=True, slots=True)
class _GridTables:
    """Clamped grid lookups keyed by unclamped rounded index, margin cells beyond each border.

    ``row_cell[i] = clamp(i) * width``, ``column_cell[j] = clamp(j)``,
    ``row_pixel[i] = clamp(i) * stride``, ``column_pixel[j] = clamp(j) * stride``.
    """

    row_cell: dict[int, int]
    column_cell: dict[int, int]
    row_pixel: dict[int, float]
    column_pixel: dict[int, float]


@lru_cache(maxsize=16)
def _grid_tables(height: int, width: int, output_stride: int) -> _GridTables:
    """Return the lookup tables of one grid size (cached: computed once per model)."""
    def clamped(size: int, scale: float) -> dict:
        return {i: min(max(i, 0), size - 1) * scale
                for i in range(-_TABLE_MARGIN, size + _TABLE_MARGIN)}
    return _GridTables(clamped(height, width), clamped(width, 1),
                       clamped(height, float(output_stride)),
                       clamped(width, float(output_stride)))


@dataclass(frozen=True, slots=True)
class FlatOutputs:
    """The network outputs as flat float32 views, read one value at a time by ``decode_pose``.

    Attributes:
        offsets: ``memoryview`` of offsets [height, width, 34] flattened (C order), pixels.
        displacement_fwd: ``memoryview`` of [height, width, 32] forward displacements, pixels.
        displacement_bwd: ``memoryview`` of [height, width, 32] backward displacements, pixels.
        height: Grid rows.
        width: Grid columns.
        output_stride: Input pixels per grid cell.
    """

    offsets: memoryview
    displacement_fwd: memoryview
    displacement_bwd: memoryview
    height: int
    width: int
    output_stride: int

    @classmethod
    def from_arrays(cls, offsets: np.ndarray, displacement_fwd: np.ndarray,
                    displacement_bwd: np.ndarray, output_stride: int) -> 'FlatOutputs':
        """Wrap validated float32 C-contiguous arrays (see ``decoder_inputs``) without copying.

        Args:
            offsets: Float32 [height, width, 34].
            displacement_fwd: Float32 [height, width, 32].
            displacement_bwd: Float32 [height, width, 32].
            output_stride: Input pixels per grid cell.
        """
        # ``ndarray.data`` is the array's buffer as a memoryview (no copy)
        return cls(offsets.reshape(-1).data, displacement_fwd.reshape(-1).data,
                   displacement_bwd.reshape(-1).data, offsets.shape[0],
                   offsets.shape[1], output_stride)


StepResult = tuple[float, float, int, int]
"""A target part's ``(y, x, position entry, score entry)`` after one traversal step."""

StepMemo = dict[int, StepResult]
"""Results of traversal steps already taken during one decoding call, see ``PoseDecoder``."""

DecodedPose = tuple[list[float], list[float], list[int], list[int]]
"""Per part id: y and x in input pixels, position entry and score entry (see ``decode_pose``)."""


class PoseDecoder:
    """Decodes the poses of one decoding call, reusing the traversal steps they share.

    Every keypoint position is ``cell position + offset of its part at that cell``, a function
    of one heatmap entry, its *position entry* (the root's own entry for the root). The step
    to the next part depends only on that entry, so its result is remembered for the whole
    call: duplicate detections of one person usually meet on the same entries after a step
    or two.
    """

    __slots__ = ('_outputs', '_tables', '_stride', '_memo')

    def __init__(self, outputs: FlatOutputs) -> None:
        """Prepare decoding from ``outputs``.

        Args:
            outputs: Flat views of the offsets and displacements of one inference.
        """
        self._outputs = outputs
        self._tables = _grid_tables(outputs.height, outputs.width, outputs.output_stride)
        # float / float is faster than float / int in CPython, and gives the same double
        self._stride = float(outputs.output_stride)
        self._memo: StepMemo = {}

    def decode(self, root_flat_index: int, root_y: float, root_x: float) -> DecodedPose:
        """Decode all 17 keypoint positions of one person from its root part.

        Runs tfjs ``traverseToTargetKeypoint`` for each step of the root's traversal plan.
        This is the decoder's hot loop (16 steps per pose), so the steps are written out:
        ``floor(q + _JUST_BELOW_HALF)`` equals ``Math.round(q)`` for every q >= 0 and is < 0
        whenever ``Math.round(q)`` is, and the clamp to the grid is a lookup in
        ``_GridTables``. A position beyond the tables' margin falls back to the plain code.

        Args:
            root_flat_index: Index of the root entry into the C-ordered [height, width, 17]
                heatmap (its part id is ``root_flat_index % 17``).
            root_y: Root row in input pixels: the root cell's row times the stride plus the
                root part's y offset there (tfjs ``getImageCoords``).
            root_x: Root column in input pixels.

        Returns:
            ``(ys, xs, position_indices, score_indices)``, each indexed by part id: position
            in input pixels (doubles), the position entry, and the flat heatmap index whose
            score is the keypoint's score.
        """
        root_part = root_flat_index % NUM_KEYPOINTS
        ys = [0.0] * NUM_KEYPOINTS
        xs = [0.0] * NUM_KEYPOINTS
        position_indices = [0] * NUM_KEYPOINTS
        score_indices = [0] * NUM_KEYPOINTS
        ys[root_part] = root_y
        xs[root_part] = root_x
        position_indices[root_part] = root_flat_index
        score_indices[root_part] = root_flat_index
        backward, forward = TRAVERSAL_PLANS[root_part]
        outputs = self._outputs
        offsets = outputs.offsets
        tables = self._tables
        row_cell = tables.row_cell
        column_cell = tables.column_cell
        row_pixel = tables.row_pixel
        column_pixel = tables.column_pixel
        stride = self._stride
        floor = math.floor
        half = _JUST_BELOW_HALF
        memo = self._memo
        known_step = memo.get
        for displacements, plan in ((outputs.displacement_bwd, backward),
                                    (outputs.displacement_fwd, forward)):
            for step in plan:
                disp_y, disp_x, source, target, offset_y, offset_x = step
                key = position_indices[source] * NUM_KEYPOINTS + target
                result = known_step(key)
                if result is None:
                    y = ys[source]
                    x = xs[source]
                    try:
                        base = (row_cell[floor(y / stride + half)]
                                + column_cell[floor(x / stride + half)]) * _DISPLACEMENT_CHANNELS
                        y += displacements[base + disp_y]
                        x += displacements[base + disp_x]
                        # the OFFSET_REFINE_STEPS (asserted 2 below) refinements, unrolled
                        row = floor(y / stride + half)
                        column = floor(x / stride + half)
                        base = (row_cell[row] + column_cell[column]) * _OFFSET_CHANNELS
                        y = row_pixel[row] + offsets[base + offset_y]
                        x = column_pixel[column] + offsets[base + offset_x]
                        row = floor(y / stride + half)
                        column = floor(x / stride + half)
                        cell = row_cell[row] + column_cell[column]
                        base = cell * _OFFSET_CHANNELS
                        y = row_pixel[row] + offsets[base + offset_y]
                        x = column_pixel[column] + offsets[base + offset_x]
                        result = (y, x, cell * NUM_KEYPOINTS + target,
                                  (row_cell[floor(y / stride + half)]
                                   + column_cell[floor(x / stride + half)]) * NUM_KEYPOINTS
                                  + target)
                    except KeyError:
                        result = _traverse_step_plainly(step, displacements, ys[source],
                                                        xs[source], outputs)
                    memo[key] = result
                ys[target], xs[target], position_indices[target], score_indices[target] = result
        return ys, xs, position_indices, score_indices


def _traverse_step_plainly(step: TraversalStep, displacements: memoryview, y: float, x: float,
                           outputs: FlatOutputs) -> tuple[float, float, int, int]:
    """Run one traversal step from (y, x) exactly as written in TF.js (any finite position).

    Returns:
        The target's ``(y, x, position index, score index)``.
    """
    disp_y, disp_x, _, target, offset_y, offset_x = step
    stride = outputs.output_stride
    height = outputs.height
    width = outputs.width
    row = strided_index_near_point(y, stride, height)
    column = strided_index_near_point(x, stride, width)
    base = (row * width + column) * _DISPLACEMENT_CHANNELS
    y += displacements[base + disp_y]
    x += displacements[base + disp_x]
    cell = 0
    for _ in range(OFFSET_REFINE_STEPS):
        row = strided_index_near_point(y, stride, height)
        column = strided_index_near_point(x, stride, width)
        cell = row * width + column
        y = row * stride + outputs.offsets[cell * _OFFSET_CHANNELS + offset_y]
        x = column * stride + outputs.offsets[cell * _OFFSET_CHANNELS + offset_x]
    row = strided_index_near_point(y, stride, height)
    column = strided_index_near_point(x, stride, width)
    return (y, x, cell * NUM_KEYPOINTS + target,
            (row * width + column) * NUM_KEYPOINTS + target)

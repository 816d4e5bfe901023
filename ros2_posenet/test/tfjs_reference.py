"""A literal, slow transliteration of TF.js ``@tensorflow-models/posenet`` 2.x multi-pose decoding.

``decodeMultiplePoses``, ``decodePose``, ``MaxHeap`` and ``buildPartWithScoreQueue`` line by
line; the randomised decoder tests check the fast decoders against it on inputs full of ties.
"""

from fractions import Fraction
import math


from ros2_posenet.posenet.keypoints import PARENT_CHILD_IDS


class TfjsReference:
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

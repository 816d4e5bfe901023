"""The TF.js max heap, reproduced to its order on equal values."""

import math

import numpy as np
import pytest

from ros2_posenet.posenet.decode.multi_pose import (
    dequeue_order, MaxHeap)


from tfjs_reference import TfjsReference


def test_heap_tie_order_is_tfjs_order():
    heap = MaxHeap.from_sequence([1.0, 1.0, 1.0, 1.0], ['a', 'b', 'c', 'd'])
    # worked by hand from max_heap.ts; heapq or a stable sort would give a, b, c, d
    assert [heap.dequeue()[1] for _ in range(4)] == ['a', 'd', 'c', 'b']
    assert heap.empty()


def test_heap_matches_tfjs_heap_on_random_ties():
    rng = np.random.default_rng(11)
    for _ in range(300):
        values = rng.integers(0, 4, rng.integers(1, 40)).astype(float).tolist()
        reference = TfjsReference.Heap()
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

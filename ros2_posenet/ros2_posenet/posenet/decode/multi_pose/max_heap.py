"""The max-priority queue of TensorFlow.js PoseNet, reproduced to its order on equal values.

Quantized heatmaps produce many equal scores, and the order in which equal root candidates
leave the queue decides which poses are found, so a textbook heap, ``heapq`` or a stable sort
give different poses. The TF.js heap (``max_heap.ts``) keeps its elements in slots 0..n-1 where
slot ``k`` has the children ``2k`` and ``2k + 1`` (slot 0's only child is slot 1), compares with
a strict ``<`` and prefers the left child on ties. This class follows it step by step.
"""

from collections.abc import Iterable, Iterator, Sequence
import math
from typing import Generic, TypeVar

T = TypeVar('T')

_BELOW_BOUND = object()
"""Item of the placeholders that stand for elements below the bound, see ``dequeue_order``."""


class MaxHeap(Generic[T]):
    """Max-priority queue with the exact element order of TF.js ``MaxHeap``.

    Values are compared as Python floats (doubles), like the JavaScript numbers they mirror.
    """

    __slots__ = ('_values', '_items')

    def __init__(self) -> None:
        """Create an empty queue."""
        self._values: list[float] = []
        self._items: list[T] = []

    @classmethod
    def from_sequence(cls, values: Iterable[float], items: Iterable[T]) -> 'MaxHeap[T]':
        """Return a queue holding ``items`` enqueued one after another in the given order.

        Args:
            values: Priority of each item (e.g. part scores).
            items: The items, as many as ``values``.
        """
        heap: MaxHeap[T] = cls()
        for value, item in zip(values, items, strict=True):
            heap.enqueue(value, item)
        return heap

    @classmethod
    def from_sequence_at_or_above(cls, values: Sequence[float], items: Sequence[T],
                                  bound: float) -> 'MaxHeap':
        """Return ``from_sequence(values, items)`` with each element below ``bound`` replaced.

        Each element below ``bound`` becomes a placeholder ``(-inf, _BELOW_BOUND)``; see
        ``dequeue_order`` for why the other elements then leave the queue in the same order.
        Only the elements at or above ``bound`` are enqueued one by one: a placeholder never
        moves on enqueueing (its parent is never smaller), so the placeholders are filled in
        first, and each element at or above the bound then swims from its own slot, which
        holds a placeholder until then.

        Args:
            values: Priority of each item.
            items: The items, as many as ``values``.
            bound: Values below it are replaced by placeholders.
        """
        if len(values) != len(items):
            raise ValueError(f'{len(values)} values but {len(items)} items')
        heap: MaxHeap = cls()
        heap_values = heap._values = [-math.inf] * len(values)
        heap_items = heap._items = [_BELOW_BOUND] * len(values)
        # The swim of ``enqueue`` is written out here: this runs once per frame on the
        # root candidates, where a call per element is a measurable part of the decode.
        for slot, value in enumerate(values):
            if value < bound:
                continue
            item = items[slot]
            while slot:
                parent = slot >> 1
                parent_value = heap_values[parent]
                if not parent_value < value:
                    break
                heap_values[slot] = parent_value
                heap_items[slot] = heap_items[parent]
                slot = parent
            heap_values[slot] = value
            heap_items[slot] = item
        return heap

    def enqueue(self, value: float, item: T) -> None:
        """Add ``item`` with priority ``value`` (TF.js ``enqueue``: append, then swim)."""
        values = self._values
        items = self._items
        slot = len(values)
        values.append(value)
        items.append(item)
        while slot:
            parent = slot >> 1
            parent_value = values[parent]
            if not parent_value < value:
                break
            values[slot] = parent_value
            items[slot] = items[parent]
            slot = parent
        values[slot] = value
        items[slot] = item

    def dequeue(self) -> tuple[float, T]:
        """Remove and return ``(value, item)`` of the element TF.js would dequeue next.

        Raises:
            IndexError: The queue is empty.
        """
        if not self._values:
            raise IndexError('dequeue from an empty MaxHeap')
        return next(self.drain())

    def drain(self) -> Iterator[tuple[float, T]]:
        """Dequeue lazily: yield ``(value, item)`` in dequeue order until the queue is empty.

        Same order as repeated ``dequeue`` calls, cheaper per element; stopping early leaves
        the remaining elements queued.
        """
        values = self._values
        items = self._items
        while values:
            top_value = values[0]
            top_item = items[0]
            # exchange(0, last), drop the old top, then sink(0): the element from the last
            # slot is carried down as a hole (the children it passes move up one slot)
            value = values.pop()
            item = items.pop()
            last = len(values) - 1
            if last >= 0:
                # slot 0's only child is slot 1 (sink's j = 2 * 0 is slot 0 itself)
                k = 0
                if last >= 1 and value < values[1]:
                    values[0] = values[1]
                    items[0] = items[1]
                    k = 1
                    j = 2
                    while j <= last:
                        child = values[j]
                        if j < last and child < values[j + 1]:
                            j += 1
                            child = values[j]
                        if not value < child:
                            break
                        values[k] = child
                        items[k] = items[j]
                        k = j
                        j = 2 * k
                values[k] = value
                items[k] = item
            yield top_value, top_item

    def empty(self) -> bool:
        """Return whether the queue holds no element."""
        return not self._values

    def size(self) -> int:
        """Return the number of elements."""
        return len(self._values)

    def __len__(self) -> int:
        """Return the number of elements."""
        return len(self._values)


def dequeue_order(values: Sequence[float], items: Sequence[T],
                  bound: float) -> Iterator[tuple[float, T]]:
    """Yield ``MaxHeap.from_sequence(values, items).drain()``, cheaply while above ``bound``.

    The elements with ``value >= bound`` leave first, and in the same order whatever the
    elements below the bound are: such an element loses every comparison with one at or
    above the bound, and comparisons among elements below the bound only exchange elements
    below the bound. So a heap with all of them replaced by equal placeholders moves the
    elements at or above the bound exactly like the full heap, and costs work only for
    those. Once a placeholder comes out (every element at or above the bound is out), the
    full heap is built and the elements already yielded are skipped.

    Args:
        values: Priority of each item, in enqueueing order.
        items: The items, as many as ``values``.
        bound: Values simulated cheaply, e.g. the k-th largest value when about k dequeues
            are expected; ``-inf`` simulates the full heap from the start.
    """
    dequeued = 0
    for value, item in MaxHeap.from_sequence_at_or_above(values, items, bound).drain():
        if item is _BELOW_BOUND:
            break
        yield value, item
        dequeued += 1
    else:
        return
    remaining = MaxHeap.from_sequence(values, items).drain()
    for _ in range(dequeued):
        next(remaining)
    yield from remaining

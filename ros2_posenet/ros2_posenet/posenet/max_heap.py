"""The max-priority queue of TensorFlow.js PoseNet, reproduced to its order on equal values.

Quantized heatmaps produce many equal scores, and the order in which equal root candidates
leave the queue decides which poses are found, so a textbook heap, ``heapq`` or a stable sort
give different poses. The TF.js heap (``max_heap.ts``) keeps its elements in slots 0..n-1 where
slot ``k`` has the children ``2k`` and ``2k + 1`` (slot 0's only child is slot 1), compares with
a strict ``<`` and prefers the left child on ties. This class follows it step by step.
"""

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar('T')


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

        Same result as calling ``enqueue`` for each pair, with less call overhead.

        Args:
            values: Priority of each item (e.g. part scores).
            items: The items, as many as ``values``.
        """
        heap: MaxHeap[T] = cls()
        heap_values = heap._values
        heap_items = heap._items
        for value, item in zip(values, items, strict=True):
            slot = len(heap_values)
            heap_values.append(value)
            heap_items.append(item)
            # swim: move the parents (slot // 2) down while they are strictly smaller
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
            # exchange(0, last), drop the old top, then sink(0) over the remaining slots
            last = len(values) - 1
            values[0] = values[last]
            items[0] = items[last]
            values.pop()
            items.pop()
            last -= 1
            k = 0
            while 2 * k <= last:
                j = 2 * k
                if j < last and values[j] < values[j + 1]:
                    j += 1
                if not values[k] < values[j]:
                    break
                values[k], values[j] = values[j], values[k]
                items[k], items[j] = items[j], items[k]
                k = j
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

"""The people of one image as the target selector sees them: ids, boxes and 3D positions."""

from dataclasses import dataclass

import numpy as np

from ..errors import InputError


@dataclass(frozen=True, eq=False)
class Candidates:
    """Everyone seen in one image, row ``i`` describing person ``i``.

    Attributes:
        ids: Int64 ``[n]``: track id of each person, > 0 for a tracked person, 0 for a
            detection not tracked yet (such a person is never a target).
        boxes: Float64 ``[n, 4]``: ``(x_min, y_min, x_max, y_max)`` of each person's
            keypoint box, in pixels of the source image (x right, y down, pixel centres at
            integer coordinates, as ``PersonPose``).
        positions: Float64 ``[n, 3]``: where each person is, in metres, in the camera optical
            frame (x right, y down, z forward); rows without ``has_position`` are ignored.
        has_position: Bool ``[n]``: whether ``positions[i]`` was measured.
        image_size: ``(width, height)`` of the source image in pixels (0 when unknown).

    Raises:
        InputError: (a ``ValueError``) at construction when the shapes disagree, an id is
            negative, or a position marked valid is not finite.
    """

    ids: np.ndarray
    boxes: np.ndarray
    positions: np.ndarray
    has_position: np.ndarray
    image_size: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        """Normalise dtypes and check shapes (the arrays are made read-only)."""
        ids = np.asarray(self.ids, dtype=np.int64).reshape(-1)
        count = ids.shape[0]
        boxes = np.asarray(self.boxes, dtype=np.float64).reshape(-1, 4) if count else (
            np.zeros((0, 4)))
        positions = np.asarray(self.positions, dtype=np.float64).reshape(-1, 3) if count else (
            np.zeros((0, 3)))
        has_position = np.asarray(self.has_position, dtype=bool).reshape(-1)
        if boxes.shape[0] != count or positions.shape[0] != count or (
                has_position.shape[0] != count):
            raise InputError(
                f'candidates disagree in length: {count} ids, {boxes.shape[0]} boxes, '
                f'{positions.shape[0]} positions, {has_position.shape[0]} has_position flags')
        if np.any(ids < 0):
            raise InputError(f'track ids must be >= 0, got {ids.tolist()}')
        if not np.all(np.isfinite(positions[has_position])):
            raise InputError('a position marked valid (has_position) is not finite')
        width, height = self.image_size
        if width < 0 or height < 0:
            raise InputError(f'image_size must be >= 0, got {self.image_size}')
        for name, array in (('ids', ids), ('boxes', boxes), ('positions', positions),
                            ('has_position', has_position)):
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        object.__setattr__(self, 'image_size', (int(width), int(height)))

    def __len__(self) -> int:
        """Return the number of people."""
        return int(self.ids.shape[0])

    @classmethod
    def empty(cls, image_size: tuple[int, int] = (0, 0)) -> 'Candidates':
        """Return an image with nobody in it."""
        return cls(np.zeros(0, np.int64), np.zeros((0, 4)), np.zeros((0, 3)),
                   np.zeros(0, bool), image_size)

    def index_of(self, track_id: int) -> int | None:
        """Return the row of ``track_id`` (> 0), or ``None`` when that track is not seen."""
        if track_id <= 0:
            return None
        rows = np.flatnonzero(self.ids == track_id)
        return int(rows[0]) if rows.size else None

"""Low-pass filter of MoveNet's crop region between frames (TF.js ``filterCropRegion``).

Each border (top, left, bottom, right) is smoothed with ``value <- stored + alpha * (new -
stored)``, alpha = ``CROP_FILTER_ALPHA`` (tfjs ``LowPassFilter``); the first region after a
reset passes unchanged.
"""

from typing import Final

from .crop_region import CropRegion

CROP_FILTER_ALPHA: Final[float] = 0.9
"""Weight of the new region (tfjs ``CROP_FILTER_ALPHA``)."""


class CropRegionFilter:
    """Smooths successive crop regions; not thread-safe."""

    def __init__(self, alpha: float = CROP_FILTER_ALPHA) -> None:
        """Start empty.

        Args:
            alpha: Weight of each new region, in (0, 1].
        """
        self.alpha = alpha
        self._stored: tuple[float, float, float, float] | None = None

    def reset(self) -> None:
        """Forget the stored region: the next one passes unchanged."""
        self._stored = None

    def apply(self, region: CropRegion) -> CropRegion:
        """Return the smoothed region and store it."""
        new = (region.top, region.left, region.bottom, region.right)
        stored = self._stored
        if stored is not None:
            new = tuple(old + self.alpha * (value - old)  # type: ignore[assignment]
                        for old, value in zip(stored, new))
        self._stored = new
        top, left, bottom, right = new
        return CropRegion(left=left, top=top, width=right - left, height=bottom - top)

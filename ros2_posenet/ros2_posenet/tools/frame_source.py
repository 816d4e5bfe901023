"""Frames for the demo and benchmarks: a video file, a folder of images, one image or a camera.

ROS-free; yields BGR uint8 frames as OpenCV reads them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')
DEFAULT_IMAGE_FPS = 5.0


class FrameSourceError(RuntimeError):
    """The source cannot be opened or holds no readable frame."""


@dataclass(frozen=True)
class FrameSource:
    """Where frames come from.

    Attributes:
        spec: A video path, an image folder, an image path, or a camera index such as ``'0'``.
        resize: Optional (width, height) every frame is resized to, in pixels.
        max_frames: Stop after this many frames (0 = no limit).
        loop: Start a video or folder again when it ends (cameras never end).
    """

    spec: str
    resize: tuple[int, int] | None = None
    max_frames: int = 0
    loop: bool = False

    def describe(self) -> str:
        """Return a one-line description for logs."""
        return f'camera {self.spec}' if self.spec.isdigit() else str(self.spec)

    def fps(self) -> float:
        """Return the native frame rate of a video or camera, else ``DEFAULT_IMAGE_FPS``."""
        if self.spec.isdigit() or Path(self.spec).is_file() and not _is_image(Path(self.spec)):
            capture = self._open_capture()
            try:
                rate = capture.get(cv2.CAP_PROP_FPS)
            finally:
                capture.release()
            if rate and 1.0 <= rate <= 240.0:
                return float(rate)
        return DEFAULT_IMAGE_FPS

    def frames(self) -> Iterator[np.ndarray]:
        """Yield BGR uint8 frames of shape H x W x 3 until the source ends or ``max_frames``."""
        count = 0
        while True:
            produced = False
            for frame in self._frames_once():
                produced = True
                if self.resize is not None and (frame.shape[1], frame.shape[0]) != self.resize:
                    frame = cv2.resize(frame, self.resize, interpolation=cv2.INTER_AREA)
                yield frame
                count += 1
                if self.max_frames and count >= self.max_frames:
                    return
            if not produced:
                raise FrameSourceError(f'no readable frame in {self.describe()}')
            if not self.loop or self.spec.isdigit():
                return

    def _frames_once(self) -> Iterator[np.ndarray]:
        path = Path(self.spec)
        if not self.spec.isdigit() and path.is_dir():
            images = sorted(p for p in path.iterdir() if _is_image(p))
            if not images:
                raise FrameSourceError(f'no images ({", ".join(IMAGE_SUFFIXES)}) in {path}')
            for image_path in images:
                frame = cv2.imread(str(image_path), cv2.IMREAD_COLOR)
                if frame is not None:
                    yield frame
            return
        if not self.spec.isdigit() and _is_image(path):
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is None:
                raise FrameSourceError(f'cannot read image {path}')
            yield frame
            return
        capture = self._open_capture()
        try:
            while True:
                ok, frame = capture.read()
                if not ok:
                    return
                yield frame
        finally:
            capture.release()

    def _open_capture(self) -> cv2.VideoCapture:
        if self.spec.isdigit():
            capture = cv2.VideoCapture(int(self.spec))
        else:
            if not Path(self.spec).is_file():
                raise FrameSourceError(f'no such video, image or folder: {self.spec}')
            capture = cv2.VideoCapture(self.spec)
        if not capture.isOpened():
            raise FrameSourceError(f'cannot open {self.describe()} with OpenCV')
        return capture


def _is_image(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES

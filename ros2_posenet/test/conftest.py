"""Shared pytest fixtures: the data path and skipping rules for tests that need real data."""

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from ros2_posenet.posenet.model.data_path import data_dir as _data_dir


@pytest.fixture(scope='session')
def data_dir() -> Path:
    """Return the data directory; fail (CI) or skip (elsewhere) when it is missing."""
    path = _data_dir()
    if not (path / 'models').is_dir():
        message = (f'PoseNet data not found at {path} (set POSENET_DATA_DIR to the folder '
                   'holding models/, images/, reference/)')
        if os.environ.get('POSENET_REQUIRE_DATA') == '1':
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope='session')
def models_dir(data_dir: Path) -> Path:
    """Return ``<data dir>/models``."""
    return data_dir / 'models'


@pytest.fixture(scope='session')
def couple_bgr(data_dir: Path) -> np.ndarray:
    """Return images/test_couple.jpg (two people walking, Coral's test image), BGR uint8."""
    image = cv2.imread(str(data_dir / 'images' / 'test_couple.jpg'), cv2.IMREAD_COLOR)
    assert image is not None, 'cannot read images/test_couple.jpg'
    image.setflags(write=False)  # shared by every test of the session
    return image

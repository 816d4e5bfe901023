"""Where models, images and reference data are looked up: one setting for the whole project.

Order: the ``POSENET_DATA_DIR`` environment variable; else ``../shared/data`` seen from the
current directory (a development checkout); else the user cache directory
(``$XDG_CACHE_HOME/ros2_posenet``, default ``~/.cache/ros2_posenet``), where ``make models`` and
``ros2_posenet.posenet.model_download`` put downloaded models under ``models/``.
"""

import os
from pathlib import Path

DATA_DIR_ENV = 'POSENET_DATA_DIR'


def user_cache_dir() -> Path:
    """Return the per-user cache directory of the project (may not exist yet)."""
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(Path.home(), '.cache')
    return Path(base) / 'ros2_posenet'


def data_dir() -> Path:
    """Return the data directory (see the module docstring for the lookup order)."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    checkout_data = Path.cwd().parent / 'shared' / 'data'
    if checkout_data.is_dir():
        return checkout_data.resolve()
    return user_cache_dir()


def resolve_model_path(model_path: str) -> Path:
    """Resolve a model name or path.

    Absolute paths and paths that exist relative to the current directory are used as given;
    any other relative name resolves against ``<data dir>/models/`` and then ``<data dir>/``.

    Args:
        model_path: A file name such as ``posenet_mobilenet_v1_075_481_641_quant.tflite``, a
            relative path, or an absolute path.

    Returns:
        The resolved path; it may not exist (callers report that with the candidates tried).
    """
    path = Path(model_path).expanduser()
    if path.is_absolute() or path.exists():
        return path
    base = data_dir()
    for candidate in (base / 'models' / path, base / path):
        if candidate.exists():
            return candidate
    return base / 'models' / path

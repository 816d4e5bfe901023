"""Find, load and run a ``.tflite`` PoseNet: data path, downloads, runtime, delegates, layout.

The wing's face: ``load_model(EngineConfig(...))`` returns a ``ModelRunner`` whose ``outputs``
are float32 arrays in the TensorFlow.js layout, whatever the model family or delegate.
"""

from .config import DEFAULT_MODEL, DELEGATES, EDGETPU_DEVICE_FORMS, EngineConfig
from .data_path import DATA_DIR_ENV, data_dir, resolve_model_path, user_cache_dir
from .download import (DEFAULT_TIMEOUT_S, default_download_dir, download_model, find_source,
                       MODEL_SOURCES, model_names, ModelSource)
from .layout import FAMILIES
from .runner import load_model, ModelInfo, ModelOutputs, ModelRunner, read_model_file
from .runtime import load_runtime, RUNTIME_NAMES, TfliteRuntime

__all__ = [
    'DATA_DIR_ENV', 'DEFAULT_MODEL', 'DEFAULT_TIMEOUT_S', 'DELEGATES', 'EDGETPU_DEVICE_FORMS',
    'EngineConfig', 'default_download_dir',
    'FAMILIES', 'MODEL_SOURCES', 'ModelInfo', 'ModelOutputs', 'ModelRunner', 'ModelSource',
    'RUNTIME_NAMES', 'TfliteRuntime', 'data_dir', 'download_model', 'find_source',
    'load_model', 'load_runtime', 'model_names', 'read_model_file', 'resolve_model_path',
    'user_cache_dir',
]

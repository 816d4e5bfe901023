"""Everything in source-image pixels: preprocessing, its inverse map, drawing, camera model.

The input tensor's preprocessing (``InputWriter``) and the map back (``InputTransform``),
skeleton drawing, and the pinhole camera model of the image (``PinholeCamera``).
"""

from .camera import FALLBACK_HORIZONTAL_FOV_DEG, MIN_FOCAL_LENGTH_PX, PinholeCamera
from .drawing import bone_color, draw_poses, LABEL_COLOR_BGR, SIDE_COLORS_BGR, track_color
from .preprocess import (as_input_image, check_color_order, COLOR_ORDERS, ColorOrder,
                         compute_input_transform, DEFAULT_INTERPOLATION, FLOAT_INPUT_SCALE,
                         InputTransform, InputWriter, interpolation_flag, INTERPOLATIONS,
                         PAD_VALUE)

__all__ = [
    'COLOR_ORDERS', 'ColorOrder', 'DEFAULT_INTERPOLATION', 'FALLBACK_HORIZONTAL_FOV_DEG',
    'FLOAT_INPUT_SCALE', 'MIN_FOCAL_LENGTH_PX', 'PinholeCamera',
    'INTERPOLATIONS', 'InputTransform', 'InputWriter', 'LABEL_COLOR_BGR', 'PAD_VALUE',
    'SIDE_COLORS_BGR', 'as_input_image', 'bone_color', 'check_color_order',
    'compute_input_transform', 'draw_poses', 'interpolation_flag', 'track_color',
]

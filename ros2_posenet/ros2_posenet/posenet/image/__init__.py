"""Everything in source-image pixels: preprocessing, its inverse map, drawing, camera model.

The input tensor's preprocessing (``InputWriter``) and the map back (``InputTransform``),
skeleton drawing, and the pinhole camera model of the image (``PinholeCamera``).
"""

from .camera import FALLBACK_HORIZONTAL_FOV_DEG, MIN_FOCAL_LENGTH_PX, PinholeCamera
from .drawing import bone_color, draw_poses, LABEL_COLOR_BGR, SIDE_COLORS_BGR, track_color
from .encoded_size import (check_encoded_byte_budget, check_jpeg_complete, check_max_pixels,
                           check_pixel_budget, DEFAULT_MAX_INPUT_PIXELS, encoded_byte_budget,
                           encoded_image_size, ImageHeader, ImageTooLargeError,
                           PARSED_FORMATS, read_image_header)
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
    # encoded_size: the size of an encoded image from its header, and the pixel budget
    'DEFAULT_MAX_INPUT_PIXELS', 'ImageHeader', 'ImageTooLargeError', 'PARSED_FORMATS',
    'check_encoded_byte_budget', 'check_jpeg_complete', 'check_max_pixels',
    'check_pixel_budget', 'encoded_byte_budget', 'encoded_image_size', 'read_image_header',
]

"""Convolution and upsampling: what one layer computes, forwards and backwards.

Correlation vs convolution, the seed's output size, the band matrix C and its
transpose, the backward pass three ways, max-pooling and the four upsamplers,
the U-Net size walker and an FCN-vs-U-Net segmentation experiment.
"""

from __future__ import annotations

from explorer.core.conv.backward import Backward, autograd_gradients, backward
from explorer.core.conv.config import LIMITS, LayerConfig, SegmentConfig
from explorer.core.conv.inputs import digit, image_file, read_input
from explorer.core.conv.kernels import (
    downsample_to,
    kernel_preset,
    parse_kernel,
    parse_matrix,
    pattern,
)
from explorer.core.conv.layer import (
    Term,
    apply,
    apply_bank,
    check_geometry,
    correlate,
    effective_kernel,
    is_point_symmetric,
    output_size,
    window_terms,
)
from explorer.core.conv.matrix import (
    Sparse,
    conv_matrix,
    conv_sparse,
    flipped_full,
    transposed,
)
from explorer.core.conv.pooling import (
    Pooled,
    bed_of_nails,
    max_pool,
    max_pool_backward,
    max_unpool,
    nearest,
    overlap_count,
    transposed_upsample,
    upsample,
)
from explorer.core.conv.segment import SegmentProgress, iou, train
from explorer.core.conv.unet import Stage, unet_sizes

__all__ = [
    "LIMITS",
    "Backward",
    "LayerConfig",
    "Pooled",
    "SegmentConfig",
    "SegmentProgress",
    "Sparse",
    "Stage",
    "Term",
    "apply",
    "apply_bank",
    "autograd_gradients",
    "backward",
    "bed_of_nails",
    "check_geometry",
    "conv_matrix",
    "conv_sparse",
    "correlate",
    "digit",
    "downsample_to",
    "effective_kernel",
    "flipped_full",
    "image_file",
    "iou",
    "is_point_symmetric",
    "kernel_preset",
    "max_pool",
    "max_pool_backward",
    "max_unpool",
    "nearest",
    "output_size",
    "overlap_count",
    "parse_kernel",
    "parse_matrix",
    "pattern",
    "read_input",
    "train",
    "transposed",
    "transposed_upsample",
    "unet_sizes",
    "upsample",
    "window_terms",
]

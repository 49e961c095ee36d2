"""The convolution & upsampling panel."""

"""The Perceptrons & MLPs panel."""

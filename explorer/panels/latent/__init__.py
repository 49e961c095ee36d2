"""The latent-space panel: AE vs VAE vs β-VAE."""

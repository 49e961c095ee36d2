"""The GAN panel: mode collapse on 2-D data (see :mod:`explorer.panels.gan.panel`)."""

"""ERF contour levels (the fewest pixels holding a mass) and letterboxed inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.rf.heatmap import mass_level


def test_mass_level_by_hand() -> None:
    heat = np.array([[4.0, 3.0], [2.0, 1.0]])  # total 10
    assert mass_level(heat, 0.5) == 3.0  # 4 + 3 = 7 ≥ 5, 4 alone is not
    assert mass_level(heat, 0.9) == 2.0  # 4 + 3 + 2 = 9 ≥ 9
    assert mass_level(heat, 0.4) == 4.0  # 4 ≥ 4
    assert mass_level(heat, 1.0) == 1.0


def test_mass_level_of_a_gaussian_encloses_its_mass() -> None:
    yy, xx = np.mgrid[0:101, 0:101]
    heat = np.exp(-((yy - 50) ** 2 + (xx - 50) ** 2) / (2 * 8.0**2))
    level = mass_level(heat, 0.5)
    inside = heat[heat >= level].sum() / heat.sum()
    assert 0.5 <= inside < 0.52
    # a 2-D Gaussian holds half its mass within σ·√(2 ln 2) of its centre
    radius = math.sqrt(float((heat >= level).sum()) / math.pi)
    assert radius == pytest.approx(8.0 * math.sqrt(2 * math.log(2)), rel=0.03)


def test_mass_level_of_an_empty_map_and_bad_mass() -> None:
    assert mass_level(np.zeros((3, 3)), 0.5) == float("inf")
    with pytest.raises(ValueError, match="mass"):
        mass_level(np.ones((2, 2)), 0.0)


def test_a_wide_image_keeps_its_aspect_ratio_in_a_square_input() -> None:
    from explorer.core.rf.inputs import fit_images

    image = np.ones((1, 48, 64), dtype=np.float32)  # 4:3, all white
    x = fit_images(image, (224, 224)).numpy()[0, 0]
    assert x.shape == (224, 224)
    rows = np.flatnonzero(x.max(axis=1) > 0.5)
    cols = np.flatnonzero(x.max(axis=0) > 0.5)
    # 64 → 224 wide, so 48 → 168 tall, centred: 28 black rows above and below
    assert (rows[0], rows[-1]) == (28, 195)
    assert (cols[0], cols[-1]) == (0, 223)
    # a square digit still fills a square input
    digit = fit_images(np.ones((1, 28, 28), dtype=np.float32), (224, 224)).numpy()
    assert float(digit.min()) == 1.0

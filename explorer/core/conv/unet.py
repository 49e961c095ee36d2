"""The U-Net size walker: each stage's map size and the crop of each skip.

Ronneberger et al. 2015 (Fig. 1): per level two unpadded 3 × 3 convolutions
(each −2 pixels), a 2 × 2 max-pool (÷2); back up a 2 × 2 up-convolution (×2),
the encoder's map of that level cropped to the same size and concatenated,
and two more 3 × 3 convolutions.  572 → 388 for depth 4.  With "same" padding
the convolutions keep the size and no crop is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.core.conv.config import LIMITS

BASE_CHANNELS = 64  # the original U-Net's first level


@dataclass(frozen=True)
class Stage:
    """One step of the walk: what it does, the map side after it, a crop (from, to).

    ``L3`` is level 3 of the encoder (going down) or the decoder (coming up).
    """

    name: str
    size: int
    channels: int
    crop: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, object]:
        """Return the stage as the CLI prints it."""
        return {
            "name": self.name,
            "size": self.size,
            "channels": self.channels,
            "crop": list(self.crop) if self.crop else None,
        }


def _walk(n: int, depth: int, padding: str, *, explain: bool = True) -> list[Stage]:
    shrink = 4 if padding == "valid" else 0  # two 3 × 3 convolutions
    stages = [Stage("input", n, 1)]
    skips: list[int] = []
    size = n
    for level in range(depth):
        ch = BASE_CHANNELS * 2**level
        size -= shrink
        if size < 2:
            raise ValueError(
                f"the input of {n} is too small for depth {depth}: level {level + 1}'s "
                f"convolutions leave {size} pixels"
            )
        stages.append(Stage(f"L{level + 1} conv 3×3 ×2", size, ch))
        skips.append(size)
        if size % 2:
            hint = f"; {_suggest(n, depth, padding)}" if explain else ""
            raise ValueError(
                f"the 2 × 2 max-pool after level {level + 1} gets an odd map "
                f"({size} pixels){hint}"
            )
        size //= 2
        stages.append(Stage(f"L{level + 1} max-pool 2×2", size, ch))
    ch = BASE_CHANNELS * 2**depth
    size -= shrink
    if size < 1:
        raise ValueError(
            f"the input of {n} is too small for depth {depth}: the bottom convolutions "
            f"leave {size} pixels"
        )
    stages.append(Stage("bottom conv 3×3 ×2", size, ch))
    for level in range(depth, 0, -1):
        ch = BASE_CHANNELS * 2 ** (level - 1)
        size *= 2
        stages.append(Stage(f"L{level} up-conv 2×2", size, ch))
        skip = skips[level - 1]
        stages.append(
            Stage(
                f"L{level} crop skip + concat",
                size,
                2 * ch,
                (skip, size) if skip != size else None,
            )
        )
        size -= shrink
        if size < 1:
            raise ValueError(
                f"the input of {n} is too small: the decoder runs out of pixels"
            )
        stages.append(Stage(f"L{level} conv 3×3 ×2", size, ch))
    stages.append(Stage("output conv 1×1", size, 2))
    return stages


def _suggest(n: int, depth: int, padding: str) -> str:
    for m in range(n + 1, LIMITS["unet_input"][1] + 1):
        if not _fits(m, depth, padding):
            continue
        below = next((b for b in range(n - 1, 0, -1) if _fits(b, depth, padding)), None)
        return (
            f"the nearest inputs that fit are {below} and {m}" if below else f"try {m}"
        )
    return "choose a smaller depth"


def _fits(n: int, depth: int, padding: str) -> bool:
    try:
        _walk(n, depth, padding, explain=False)
    except ValueError:
        return False
    return True


def unet_sizes(n: int = 572, depth: int = 4, padding: str = "valid") -> list[Stage]:
    """Return the stages of a U-Net on an n × n input (572 → 388 for the original).

    Raises
    ------
    ValueError
        For sizes or depths outside the limits, a padding other than
        valid/same, an odd map before a pool (the message suggests inputs that
        fit) or an input too small for the depth.
    """
    for name, v in (("unet_input", n), ("unet_depth", depth)):
        lo, hi = LIMITS[name]
        if not lo <= v <= hi:
            label = "input size" if name == "unet_input" else "depth"
            raise ValueError(f"U-Net {label} must be {lo}…{hi}, got {v}")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be valid or same, got {padding!r}")
    return _walk(n, depth, padding)

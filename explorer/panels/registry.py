"""The panels in the course's order (the navigation).  Factories load lazily.

Pure data (no Qt): the app builds its navigation from it, and each panel class
takes its ``title`` and ``summary`` from its entry (one source for both).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.panels.base import PanelFactory


@dataclass(frozen=True)
class PanelSpec:
    """A panel: its id (CLI, shortcuts), title, icon and ``module:Class`` factory."""

    id: str
    title: str
    factory: str
    icon: str  # file name in assets/icons/
    summary: str
    state: str = ""  # ``module:Class`` of the panel's StateBase (lessons check it)

    def load(self) -> PanelFactory:
        """Import and return the panel class (its factory)."""
        module_name, _, attr = self.factory.partition(":")
        factory: PanelFactory = getattr(importlib.import_module(module_name), attr)
        return factory

    def check_state(self, state: Mapping[str, Any]) -> object:
        """Return ``state`` read by the panel's state class (without Qt).

        Raises
        ------
        ValueError
            (a ``StateError``) naming the field, for a state the panel cannot use.
        """
        if not self.state:
            return dict(state)
        module_name, _, attr = self.state.partition(":")
        cls = getattr(importlib.import_module(module_name), attr)
        return cls.from_dict(state)


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec(
        id="mlp",
        title="Perceptrons & MLPs",
        factory="explorer.panels.mlp.panel:MlpPanel",
        state="explorer.panels.mlp.state:MlpState",
        icon="mlp.svg",
        summary="Step the perceptron rule against Novikoff's bound, train MLPs on 2-D "
        "data with every neuron's map, and build a function from sigmoid bumps.",
    ),
    PanelSpec(
        id="conv",
        title="Convolution & upsampling",
        factory="explorer.panels.conv.panel:ConvPanel",
        state="explorer.panels.conv.state:ConvState",
        icon="conv.svg",
        summary="What one convolution layer computes, forwards and backwards: "
        "correlation vs convolution, the band matrix, the flipped-kernel backward "
        "pass, pooling, four upsamplers and a U-Net.",
    ),
    PanelSpec(
        id="rf",
        title="Receptive fields",
        factory="explorer.panels.rf.panel:RfPanel",
        state="explorer.panels.rf.state:RfState",
        icon="rf.svg",
        summary="How far a CNN unit sees: output sizes, stride, padding, dilation, the "
        "receptive-field recurrences and the much smaller effective field.",
    ),
    PanelSpec(
        id="rnn",
        title="RNNs & LSTMs",
        factory="explorer.panels.rnn.panel:RnnPanel",
        state="explorer.panels.rnn.state:RnnState",
        icon="rnn.svg",
        summary="Change W_hh and watch the gradient through time vanish or explode, "
        "then train a vanilla RNN and an LSTM side by side on a memory task.",
    ),
    PanelSpec(
        id="latent",
        title="Latent spaces",
        factory="explorer.panels.latent.panel:LatentPanel",
        state="explorer.panels.latent.state:LatentState",
        icon="latent.svg",
        summary="Train an autoencoder, a VAE and a β-VAE side by side, click to "
        "decode, and see why only the VAE's latent space can be interpolated.",
    ),
    PanelSpec(
        id="gan",
        title="GAN mode collapse",
        factory="explorer.panels.gan.panel:GanPanel",
        state="explorer.panels.gan.state:GanState",
        icon="gan.svg",
        summary="Watch a generator and a discriminator fight on 2-D data, see mode "
        "collapse and how unrolling D or the Wasserstein objective cures it.",
    ),
    PanelSpec(
        id="ar",
        title="Autoregressive models",
        factory="explorer.panels.ar.panel:ArPanel",
        state="explorer.panels.ar.state:ArState",
        icon="ar.svg",
        summary="The chain rule trained live (FVSBN, NADE, PixelCNN), the PixelCNN "
        "blind spot read from real gradients, WaveNet's dilations and what "
        "self-attention costs.",
    ),
    PanelSpec(
        id="flow",
        title="Normalizing flows",
        factory="explorer.panels.flow.panel:FlowPanel",
        state="explorer.panels.flow.state:FlowState",
        icon="flow.svg",
        summary="Drag a monotone map and watch the density follow, then train "
        "coupling layers that warp the plane, with an exact likelihood you can check.",
    ),
    PanelSpec(
        id="body",
        title="Body posing",
        factory="explorer.panels.body.panel:BodyPanel",
        state="explorer.panels.body.state:BodyState",
        icon="body.svg",
        summary="Pose a real human mesh with linear blend skinning, see its weights, "
        "and compare its candy-wrapper artefact with dual-quaternion skinning.",
    ),
    PanelSpec(
        id="rays",
        title="Rays: SDF & NeRF",
        factory="explorer.panels.rays.panel:RaysPanel",
        state="explorer.panels.rays.state:RaysState",
        icon="rays.svg",
        summary="Follow one camera ray through an implicit surface or a NeRF: "
        "densities, transmittance, weights, sphere tracing and secant root finding.",
    ),
    PanelSpec(
        id="gridworld",
        title="Gridworld RL",
        factory="explorer.panels.gridworld.panel:GridworldPanel",
        state="explorer.panels.gridworld.state:GridState",
        icon="gridworld.svg",
        summary="Edit a grid world by clicking and watch dynamic programming, TD "
        "learning, SARSA vs Q-learning, DQN and policy gradients learn values and "
        "policies.",
    ),
)


def find(panel_id: str, specs: tuple[PanelSpec, ...] | None = None) -> PanelSpec:
    """Return the spec with ``panel_id``.

    Raises
    ------
    KeyError
        With the list of known ids.
    """
    table = PANELS if specs is None else specs
    for spec in table:
        if spec.id == panel_id:
            return spec
    known = ", ".join(s.id for s in table) or "none"
    raise KeyError(f"unknown panel {panel_id!r} (known: {known})")


@dataclass(frozen=True)
class Chapter:
    """A chapter of the course: its panels (by id) and its lesson file."""

    title: str
    panels: tuple[str, ...]
    lesson: str = ""  # file name in assets/lessons/, "" while it has none


# The course's chapters in the order they are taught; the start page is this map.
# A chapter whose panel is not built yet is shown as coming.
COURSE: tuple[Chapter, ...] = (
    Chapter("Perceptrons and MLPs", ("mlp",), "mlp.lesson.json"),
    Chapter("Convolution and upsampling", ("conv",), "conv.lesson.json"),
    Chapter("Receptive fields", ("rf",), "rf.lesson.json"),
    Chapter("Recurrent networks", ("rnn",), "rnn.lesson.json"),
    Chapter("Autoencoders and VAEs", ("latent",), "latent.lesson.json"),
    Chapter("Generative adversarial networks", ("gan",), "gan.lesson.json"),
    Chapter("Autoregressive models", ("ar",), "ar.lesson.json"),
    Chapter("Normalizing flows", ("flow",), "flow.lesson.json"),
    Chapter("Human bodies: skinning", ("body",), "body.lesson.json"),
    Chapter("Neural fields: SDF and NeRF", ("rays",), "rays.lesson.json"),
    Chapter("Reinforcement learning", ("gridworld",), "gridworld.lesson.json"),
)

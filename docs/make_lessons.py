"""Write the shipped lessons, ``assets/lessons/<panel>.lesson.json``, from the code.

Each step's state is the panel's state class with a few fields changed, so a
lesson pins every setting (seed included) and plays back to the same picture.
Run it again after a panel's state changes, then check and look at the result::

    python docs/make_lessons.py
    for f in assets/lessons/*.lesson.json; do explorer lesson check "$f"; done
    explorer lesson render assets/lessons/gan.lesson.json --out /tmp/gan --pdf /tmp/gan.pdf

Captions use the notation of the formula cards and cite the paper of each formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explorer.core.lesson import Lesson, Step, save_lesson

OUT = Path(__file__).resolve().parents[1] / "assets" / "lessons"


def _step(panel: str, state: Any, caption: str, **run: Any) -> Step:
    return Step(panel=panel, state=state.to_dict(), caption=caption, **run)


def rf() -> Lesson:
    from explorer.panels.rf.state import RfState

    s = RfState()
    return Lesson(
        "How far does a unit see?",
        "Receptive fields",
        (
            _step(
                "rf",
                s.replace(network="lenet5", row=0),
                "A unit of LeNet-5's first layer sees a 5 × 5 patch. Each layer grows "
                "the field: r<sub>l</sub> = r<sub>l−1</sub> + (k<sub>l</sub> − 1)·"
                "j<sub>l−1</sub>, with jump j<sub>l</sub> = j<sub>l−1</sub>·s<sub>l</sub>"
                " (Araujo et al. 2019). Click the rows of the table.",
                highlight="row",
            ),
            _step(
                "rf",
                s.replace(network="lenet5", row=4),
                "Deeper rows: the 2 × 2 subsampling doubles the jump j, so every later "
                "kernel adds (k − 1)·j input pixels — the field grows faster than the "
                "kernels do.",
            ),
            _step(
                "rf",
                s.replace(network="vgg16", row=12),
                "VGG-16 uses only 3 × 3 kernels, yet a conv5 unit sees about 200 px: "
                "the pools multiply j by 2 five times (Simonyan & Zisserman 2015).",
            ),
            _step(
                "rf",
                s.replace(network="mnist_cnn", show_erf=True),
                "The effective receptive field (Luo et al. 2016), ERF(x) = E|∂y<sub>u"
                "</sub>/∂x|, is much smaller than the theoretical one and roughly "
                "Gaussian: most of the field barely matters.",
            ),
            _step(
                "rf",
                s.replace(network="mnist_cnn", show_erf=True),
                "Train the live CNN on MNIST for a few reports and watch the ERF: "
                "training changes which inputs the unit listens to.",
                run_steps=10,
            ),
        ),
    )


def latent() -> Lesson:
    from explorer.panels.latent.state import LatentState

    s = LatentState()
    return Lesson(
        "Why only the VAE's latent space can be walked",
        "Autoencoders and VAEs",
        (
            _step(
                "latent",
                s.replace(latent_dim=2, epochs=20),
                "Three models on MNIST with a 2-D code z: an autoencoder, a VAE and a "
                "β-VAE. Each encodes x to z and decodes z back to x̂.",
            ),
            _step(
                "latent",
                s.replace(latent_dim=2, epochs=20),
                "Train them a little. The autoencoder only minimises the reconstruction "
                "error, so its codes spread anywhere the decoder can use them.",
                run_steps=25,
            ),
            _step(
                "latent",
                s.replace(latent_dim=2, epochs=20),
                "The VAE maximises the ELBO = E<sub>q(z|x)</sub>[log p(x|z)] − "
                "KL(q(z|x) ‖ N(0, I)) (Kingma & Welling 2014): the KL term pulls the "
                "codes into one round cloud with no holes.",
                run_steps=60,
            ),
            _step(
                "latent",
                s.replace(latent_dim=2, epochs=20, beta=4.0),
                "The β-VAE weighs the KL by β = 4 (Higgins et al. 2017): a tidier, "
                "more disentangled space, blurrier digits. Click a space to decode a "
                "point; walk between two digits in the interpolation strip.",
                run_steps=60,
            ),
        ),
    )


def gan() -> Lesson:
    from explorer.panels.gan.state import GanState

    s = GanState()
    return Lesson(
        "Mode collapse and two cures",
        "Generative adversarial networks",
        (
            _step(
                "gan",
                s.replace(data="ring8"),
                "Four GANs from one seed on a ring of 8 Gaussians. D and G play "
                "min<sub>G</sub> max<sub>D</sub> E<sub>x</sub>[log D(x)] + E<sub>z</sub>"
                "[log(1 − D(G(z)))] (Goodfellow et al. 2014); with the best D, "
                "C(G) = −log 4 + 2·JSD(p<sub>data</sub> ‖ p<sub>g</sub>).",
            ),
            _step(
                "gan",
                s.replace(data="ring8"),
                "Minimax stalls: once D rejects G's samples, log(1 − D(G(z))) is flat "
                "and G's gradient vanishes. The non-saturating G maximises log D(G(z)) "
                "instead and keeps moving.",
                run_steps=300,
            ),
            _step(
                "gan",
                s.replace(data="ring8"),
                "Mode collapse: the non-saturating G chases whichever modes D lets "
                "through and covers few of the 8 (a mode counts with ≥ 20 of 2,500 "
                "samples within 3σ, PacGAN's rule). Unrolling D for k = 5 steps (Metz "
                "et al. 2017) lets G see D's reply and spread out.",
                run_steps=1000,
                highlight="unroll",
            ),
            _step(
                "gan",
                s.replace(data="ring8"),
                "WGAN-GP (Gulrajani et al. 2017): a critic with a gradient penalty "
                "λ E(‖∇D(x̂)‖ − 1)² estimates the Wasserstein distance and gives G a "
                "useful gradient everywhere — it covers the ring.",
                run_steps=1000,
            ),
            _step(
                "gan",
                s.replace(data="grid25"),
                "A harder target: 25 modes on a grid. Compare how many modes each "
                "objective captures after the same number of steps.",
                run_steps=1000,
            ),
        ),
    )


def rays() -> Lesson:
    from explorer.panels.rays.state import RaysState

    s = RaysState()
    return Lesson(
        "Following one ray: volume rendering and sphere tracing",
        "Neural fields: SDF and NeRF",
        (
            _step(
                "rays",
                s.replace(scene="fog", density=1.0),
                "A ray r(t) = o + t·d through fog. Volume rendering: C = Σ<sub>i</sub> "
                "T<sub>i</sub> α<sub>i</sub> c<sub>i</sub>, α<sub>i</sub> = 1 − "
                "e<sup>−σ<sub>i</sub>δ<sub>i</sub></sup>, T<sub>i</sub> = "
                "Π<sub>j&lt;i</sub>(1 − α<sub>j</sub>) (Mildenhall et al. 2020).",
            ),
            _step(
                "rays",
                s.replace(scene="sphere", n_samples=16),
                "A solid sphere as a density σ = sharpness·sigmoid(−f): with only 16 "
                "samples the weights w = Tα miss the surface between two samples.",
            ),
            _step(
                "rays",
                s.replace(scene="sphere", n_samples=128, stratified=True),
                "128 stratified samples (NeRF eq. 2) find it: the weights peak where "
                "the ray enters the surface and T drops to 0.",
            ),
            _step(
                "rays",
                s.replace(scene="torus"),
                "An SDF gives distances, not densities: sphere tracing steps "
                "t ← t + f(r(t)) and never oversteps (Hart 1996); near grazing rays it "
                "crawls.",
            ),
        ),
    )


def gridworld() -> Lesson:
    from explorer.core.gridworld import load_preset
    from explorer.core.gridworld.fileformat import world_to_dict
    from explorer.panels.gridworld.state import GridState

    s = GridState()

    def step(state: GridState, world: str, caption: str, **run: Any) -> Step:
        doc = {**state.to_dict(), "world": world_to_dict(load_preset(world))}
        return Step(panel="gridworld", state=doc, caption=caption, **run)

    return Lesson(
        "From values to control",
        "Reinforcement learning",
        (
            step(
                s.replace(algo="policy-evaluation"),
                "sb-4x4",
                "Sutton & Barto's Example 4.1: evaluate the random policy, "
                "v(s) ← Σ<sub>a</sub> π(a|s) Σ p(s′, r|s, a)[r + γ v(s′)]. Step one "
                "sweep at a time.",
                run_steps=3,
            ),
            step(
                s.replace(algo="policy-evaluation"),
                "sb-4x4",
                "Keep sweeping: the values converge to the book's Figure 4.1 "
                "(−14, −20, −22 …).",
                run_steps=200,
            ),
            step(
                s.replace(algo="policy-iteration"),
                "sb-4x4",
                "Policy iteration: evaluate π, then improve it greedily, "
                "π′(s) = argmax<sub>a</sub> Σ p(s′, r|s, a)[r + γ v<sub>π</sub>(s′)]; "
                "a few rounds reach the optimal policy (Sutton & Barto 2018, §4.3).",
                run_steps=40,
            ),
            step(
                s.replace(algo="value-iteration"),
                "sb-5x5",
                "Value iteration folds the improvement into each sweep: "
                "v(s) ← max<sub>a</sub> Σ p(s′, r|s, a)[r + γ v(s′)] (Example 3.5's "
                "grid with its +10 and +5 teleports); the arrows are the greedy policy.",
                run_steps=50,
            ),
            step(
                s.replace(
                    algo="sarsa", algo_b="q-learning", compare=True, epsilon=0.1
                ),
                "cliff",
                "Cliff walking (Example 6.6): SARSA learns the safe path, Q-learning "
                "the optimal one along the edge, Q(s,a) ← Q + α[r + γ max<sub>a′</sub>"
                " Q(s′,a′) − Q] — and falls off more often while exploring.",
                start=True,
            ),
        ),
    )


def body() -> Lesson:
    from explorer.core.body.presets import preset_pose
    from explorer.core.body.loading import load_body
    from explorer.panels.body.state import BodyState, PoseAngles

    model = load_body("anny")
    s = BodyState()

    def pose(name: str) -> PoseAngles:
        return PoseAngles.of(model, preset_pose(model, name))

    return Lesson(
        "Skinning: linear blends and their candy wrapper",
        "Human bodies: skinning",
        (
            _step(
                "body",
                s.replace(pose=pose("rest"), method="lbs"),
                "Linear blend skinning: v′<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub>"
                " G<sub>k</sub>(θ) v<sub>i</sub> — each vertex follows a weighted "
                "average of its bones' transforms (Magnenat-Thalmann et al. 1988).",
            ),
            _step(
                "body",
                s.replace(pose=pose("elbow bent"), method="lbs"),
                "Bend the elbow: the blend of two rotations shrinks the skin inside "
                "the joint.",
            ),
            _step(
                "body",
                s.replace(pose=pose("forearm twisted 180°"), method="lbs"),
                "Twist the forearm by 180°: averaging rotation matrices collapses the "
                "wrist to a thin 'candy wrapper' — the volume readout drops.",
            ),
            _step(
                "body",
                s.replace(pose=pose("forearm twisted 180°"), split=True),
                "Dual-quaternion skinning blends unit dual quaternions instead, "
                "q̂ = Σ w<sub>k</sub> q<sub>k</sub> / ‖Σ w<sub>k</sub> q<sub>k</sub>‖ "
                "(Kavan et al. 2007): the twist keeps its volume. LBS left, DQS right.",
            ),
        ),
    )


def conv() -> Lesson:
    from explorer.panels.conv.state import ConvState

    s = ConvState(cell=(10, 7))
    return Lesson(
        "What one convolution layer computes",
        "Convolution and upsampling",
        (
            _step(
                "conv",
                s,
                "A layer slides a kernel over the input and adds up the products: "
                "I′(i,j) = Σ<sub>m,n</sub> K(m,n) I(i+m, j+n) (correlation). Hover an "
                "output cell to see its window and its sum; type into the kernel.",
                highlight="preset",
            ),
            _step(
                "conv",
                s.replace(mode="conv"),
                "True convolution flips the kernel, Σ K(m,n) I(i−m, j−n): Sobel's "
                "edges change sign. Correlation and convolution agree iff "
                "K(m,n) = K(−m,−n) — try the Gaussian.",
                highlight="mode",
            ),
            _step(
                "conv",
                s.replace(stride=2, padding=1, cell=(5, 3)),
                "Stride, padding and dilation set the size: "
                "H′ = (H + 2p − d(k − 1) − 1)/s + 1, here (28 + 2 − 2 − 1)/2 + 1 = 14 "
                "(Dumoulin & Visin 2016).",
                highlight="stride",
            ),
            _step(
                "conv",
                s.replace(tab="matrix", matrix_size=5),
                "The layer is a matrix: vec(I′) = C·vec(I), with the kernel's entries "
                "on C's diagonals. Its transpose Cᵀ spreads a gradient back: the "
                "transposed convolution.",
            ),
            _step(
                "conv",
                s.replace(tab="backward"),
                "Backpropagation through the layer: δ<sup>(l−1)</sup> = Cᵀ·δ<sup>(l)"
                "</sup> = δ<sup>(l)</sup> * ROT180(w), a full convolution with the "
                "flipped kernel — all three agree with autograd to rounding.",
            ),
            _step(
                "conv",
                s.replace(tab="upsample", up_kernel=3, up_stride=2),
                "Back up: nearest neighbour, bed of nails, max-unpooling (at the "
                "remembered arg-max) and transposed convolution. With k = 3, s = 2 the "
                "kernel copies overlap unevenly: a checkerboard (Odena et al. 2016).",
            ),
            _step(
                "conv",
                s.replace(tab="upsample", up_kernel=4, up_stride=2),
                "k = 4, s = 2: s divides k, every interior pixel gets four copies and "
                "the checkerboard is gone.",
            ),
            _step(
                "conv",
                s.replace(tab="segment", seg_steps=300),
                "U-Net (Ronneberger et al. 2015) vs a plain FCN on digit masks: both "
                "pool to 7 × 7, only the U-Net's skips bring the fine detail back — "
                "sharper masks, higher IoU.",
                run_steps=8,
            ),
        ),
    )


def main() -> None:
    """Write every lesson into assets/lessons/."""
    for make in (rf, latent, gan, body, rays, gridworld, conv):
        lesson = make()
        path = save_lesson(OUT / f"{make.__name__}.lesson.json", lesson)
        print(f"{path}: {len(lesson.steps)} steps")


if __name__ == "__main__":
    main()

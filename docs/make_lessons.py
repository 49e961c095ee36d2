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
                s.replace(algo="sarsa", algo_b="q-learning", compare=True, epsilon=0.1),
                "cliff",
                "Cliff walking (Example 6.6): SARSA learns the safe path, Q-learning "
                "the optimal one along the edge, Q(s,a) ← Q + α[r + γ max<sub>a′</sub>"
                " Q(s′,a′) − Q] — and falls off more often while exploring.",
                start=True,
            ),
        ),
    )


def body() -> Lesson:
    from explorer.core.body.loading import load_body
    from explorer.core.body.presets import preset_pose
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


def rnn() -> Lesson:
    from explorer.panels.rnn.state import RnnState

    s = RnnState()
    lin = s.replace(activation="linear")
    return Lesson(
        "Vanishing and exploding gradients, and the memory cell",
        "Recurrent networks",
        (
            _step(
                "rnn",
                lin.replace(scale=0.9),
                "A linear RNN with W = λQ, Q orthogonal: h<sup>t</sup> = "
                "(W<sup>⊤</sup>)<sup>t</sup>h<sup>1</sup> = Q<sup>⊤</sup>Λ<sup>t</sup>Q "
                "h<sup>1</sup>, so ‖∂h<sup>T</sup>/∂h<sup>k</sup>‖ = λ<sup>T−k</sup>. "
                "With λ = 0.9 and T = 100 the gradient from step 0 is 0.9<sup>100</sup> "
                "≈ 2.7·10<sup>−5</sup>: it vanishes.",
                highlight="scale",
            ),
            _step(
                "rnn",
                lin.replace(scale=1.1),
                "λ = 1.1: every eigenvalue lies outside the unit circle and the "
                "gradient explodes, 1.1<sup>100</sup> ≈ 1.4·10<sup>4</sup>. Only "
                "λ = 1 keeps it — a knife's edge (Pascanu et al. 2013).",
                highlight="scale",
            ),
            _step(
                "rnn",
                s.replace(scale=1.1),
                "With tanh the bound η<sup>T−k</sup>, η = σ<sub>max</sub>(W) γ, still "
                "explodes, but each step also multiplies by diag f′ ≤ 1: the real "
                "gradient falls far below the bound. A bound is a ceiling, not a "
                "prediction.",
                highlight="activation",
            ),
            _step(
                "rnn",
                lin.replace(matrix="nonnormal", scale=0.9),
                "A non-normal W: all eigenvalues are 0.9, inside the circle, yet "
                "the largest singular value is above 1. The gradient first grows "
                "(a transient of about 10<sup>0.9</sup>) and only then decays: the "
                "spectral radius alone does not tell the story.",
                highlight="matrix",
            ),
            _step(
                "rnn",
                s.replace(cell="lstm", hold_gates=True),
                "The LSTM's cell c<sub>t</sub> = f⊙c<sub>t−1</sub> + i⊙g: with the "
                "forget gate at 1 and the input gate at 0, ∂c<sub>T</sub>/∂c<sub>0</sub> "
                "= I whatever W is — the gradient is carried unchanged.",
                highlight="hold_gates",
            ),
            _step(
                "rnn",
                s,
                "Both cells learn to name the first of T = 50 symbols (chance: 25 %). "
                "The vanilla RNN's ‖∂L/∂h<sup>k</sup>‖ vanishes towards k = 0 and it "
                "stays at chance; the LSTM's ‖∂L/∂c<sup>k</sup>‖ stays flat, it "
                "learns. Watch its gates: f holds the memory, i writes it, o reads it.",
                run_steps=60,
            ),
            _step(
                "rnn",
                s.replace(init_scale=2.0, clip_on=True, clip=1.0),
                "Clipping: start the RNN's W at 2 × orthogonal and its gradient norm "
                "jumps by orders of magnitude. g ← c·g/‖g‖ when ‖g‖ > c (dashed) keeps "
                "the direction and caps the step (Pascanu et al. 2013, alg. 1).",
                run_steps=20,
                highlight="clip",
            ),
        ),
    )


def flow() -> Lesson:
    import numpy as np

    from explorer.panels.flow.state import FlowState

    s = FlowState()
    steep = (
        (-3.0, -3.0),
        (-2.0, -2.6),
        (-0.6, -2.2),
        (0.6, 2.2),
        (2.0, 2.6),
        (3.0, 3.0),
    )
    return Lesson(
        "Normalizing flows: change of variables, coupling layers, exact likelihood",
        "Normalizing flows",
        (
            _step(
                "flow",
                s.replace(view="1d"),
                "A monotone map z = h(x) turns z ~ N(0, 1) into a density on x: "
                "p<sub>x</sub>(x) = p<sub>z</sub>(h(x))·|h′(x)| (Bishop &amp; Bishop "
                "eq. 18.1). Each shaded band holds the same probability mass in x as "
                "its image in z: the mass must be preserved.",
            ),
            _step(
                "flow",
                s.replace(view="1d", knots=np.array(steep), bands=8),
                "Where h is steep, a short stretch of x covers much of z, so p<sub>x"
                "</sub> is high; where h is flat, p<sub>x</sub> is low. ∫p<sub>x</sub> "
                "stays 1 — drag the knots and watch the card.",
            ),
            _step(
                "flow",
                s.replace(view="2d", data="moons"),
                "In 2-D a flow is a chain of invertible layers. A RealNVP coupling "
                "keeps x<sub>B</sub> and sets y<sub>A</sub> = x<sub>A</sub> ⊙ exp(s("
                "x<sub>B</sub>)) + t(x<sub>B</sub>) (Dinh et al. 2017): its Jacobian is "
                "triangular, so log|det| = s costs O(d), not O(d³). Untrained, the "
                "density is the data's Gaussian (actnorm).",
            ),
            _step(
                "flow",
                s.replace(view="2d", data="moons"),
                "Training maximises Σ log p<sub>Z</sub>(f<sup>−1</sup>(x)) + Σ<sub>k"
                "</sub> log|det ∂f<sub>k</sub><sup>−1</sup>/∂x|: the test NLL falls "
                "below that of the best full-covariance Gaussian, and the z-grid is "
                "bent onto the two moons.",
                run_steps=16,
            ),
            _step(
                "flow",
                s.replace(view="2d", data="moons", stage=4),
                "The slider walks the grid through the layers, from z to x: each "
                "coupling moves one coordinate only, given the other. Click a point "
                "to see each layer's 2×2 Jacobian and log|det| — they add up to the "
                "total, and autograd agrees.",
                run_steps=16,
            ),
            _step(
                "flow",
                s.replace(view="2d", data="checkerboard", layers=8, mix="learned"),
                "A harder density. Glow's step is actnorm → invertible 1×1 "
                "convolution → coupling (Kingma &amp; Dhariwal 2018); here the 1×1 "
                "convolution is a learned 2×2 matrix W = R·L·U, log|det W| = Σ log s.",
                run_steps=24,
            ),
            _step(
                "flow",
                s.replace(view="2d", data="ring", kind="planar", layers=8),
                "Planar layers y = x + û·tanh(wᵀx + b) (Rezende &amp; Mohamed 2015) "
                "have det = 1 + h′·wᵀû by the matrix determinant lemma, det(A + uvᵀ) "
                "= (1 + vᵀA<sup>−1</sup>u) det A — cheap, but each bends the plane "
                "along one direction only.",
                run_steps=24,
            ),
        ),
    )


def mlp() -> Lesson:
    from explorer.core.mlp.approx import even_bumps, xs
    from explorer.core.mlp.data import target_values
    from explorer.panels.mlp.state import MlpState

    s = MlpState()
    bumps = tuple(even_bumps(target_values("nielsen", xs()), 10))
    return Lesson(
        "From the perceptron to universal approximation",
        "Perceptrons and MLPs",
        (
            _step(
                "mlp",
                s.replace(tab=0, p_data="separable"),
                "Rosenblatt's perceptron: while some x̃ = (1, x₁, x₂) is misclassified, "
                "w ← w + η(y − ŷ)x̃. Press Step (S): the ring marks the point each "
                "update uses, the line is wᵀx̃ = 0.",
                highlight="p_data",
            ),
            _step(
                "mlp",
                s.replace(tab=0, p_data="separable"),
                "On separable data it stops, after at most (R/γ)² mistakes (Novikoff "
                "1962): R = max‖x̃‖, γ the margin of the best separator — the card "
                "compares both.",
                run_steps=60,
            ),
            _step(
                "mlp",
                s.replace(tab=0, p_data="xor", p_max_updates=100),
                "XOR is not linearly separable: no γ, no bound, and the rule never "
                "stops — the mistakes per sweep never reach zero and w cycles.",
                run_steps=100,
            ),
            _step(
                "mlp",
                s.replace(tab=1, data="xor", depth=0),
                "Depth 0 is logistic regression, p = σ(wᵀx + b), trained on the "
                "cross-entropy −Σ log p(yᵢ | xᵢ), the Bernoulli negative "
                "log-likelihood: still one line, which cannot separate XOR.",
                run_steps=60,
                highlight="depth",
            ),
            _step(
                "mlp",
                s.replace(tab=1, data="xor", depth=1, width=4),
                "One hidden layer of 4 tanh units, x⁽¹⁾ = tanh(W⁽¹⁾x + b⁽¹⁾): each "
                "neuron's map (right) is a soft half-plane, and their sum bends the "
                "boundary around XOR.",
                run_steps=120,
            ),
            _step(
                "mlp",
                s.replace(tab=1, data="spiral", depth=4, activation="linear"),
                "Without a non-linearity, depth buys nothing: four linear layers "
                "compose to one affine map z = aᵀx + c (the card shows it), so the "
                "boundary is a line.",
                run_steps=60,
                highlight="activation",
            ),
            _step(
                "mlp",
                s.replace(tab=1, data="spiral"),
                "Two tanh layers of 8 learn the two spirals; the second layer's maps "
                "are already curved. Try SGD (batch 1) to see it dance around the "
                "minimum.",
                run_steps=300,
            ),
            _step(
                "mlp",
                s.replace(tab=2, a_bumps=bumps),
                "Universal approximation (Nielsen, ch. 4): two steep sigmoids make a "
                "bump h·σ(w(x − s₁)) − h·σ(w(x − s₂)); ten bumps already follow f. "
                "Drag the handles, add bumps, and Start to train nets of N units.",
                highlight="a_epsilon",
            ),
        ),
    )


def ar() -> Lesson:
    from explorer.panels.ar.state import TABS, ArState

    s = ArState()

    def tab(name: str) -> int:
        return TABS.index(name)

    return Lesson(
        "What an autoregressive model sees of the past",
        "Autoregressive models",
        (
            _step(
                "ar",
                s.replace(tab=tab("chain"), model="nade", epochs=2),
                "The chain rule p(x) = Π<sub>i</sub> p(x<sub>i</sub> | x<sub>&lt;i</sub>) "
                "on binarised MNIST in raster order. NADE (Larochelle &amp; Murray "
                "2011) shares one W, so each conditional costs an O(H) update. The "
                "likelihood is explicit: bits per pixel fall below the independent-"
                "pixel model (dashed).",
                run_steps=40,
            ),
            _step(
                "ar",
                s.replace(tab=tab("chain"), model="fvsbn", epochs=1, train_digits=500),
                "The price: sampling is sequential. A fully visible sigmoid belief net "
                "x̂<sub>i</sub> = σ(Σ<sub>j&lt;i</sub> w<sub>j</sub><sup>i</sup> "
                "x<sub>j</sub> + w<sub>0</sub><sup>i</sup>) trains for one epoch, then "
                "draws its digits one pixel after the other: 784 steps each.",
                run_steps=25,
            ),
            _step(
                "ar",
                s.replace(tab=tab("masks"), layers=1, row=14, col=14),
                "PixelCNN (van den Oord et al. 2016) replaces the sum by masked "
                "convolutions. Mask A excludes the centre: one 3 × 3 layer sees the "
                "4 pixels above and to the left (blue), read from the real layer's "
                "input gradient.",
                highlight="layers",
            ),
            _step(
                "ar",
                s.replace(tab=tab("masks"), layers=4, row=14, col=14),
                "Stack mask-B layers and the field grows — but not to the upper right: "
                "L = 4 layers see 34 pixels and miss L(L − 1)/2 = 6 earlier ones, the "
                "blind spot (orange). The Gated PixelCNN's vertical and horizontal "
                "stacks see every earlier pixel in reach.",
                highlight="layers",
            ),
            _step(
                "ar",
                s.replace(tab=tab("wavenet"), wave_preset="doubling", wave_layers=10),
                "WaveNet (van den Oord et al. 2016): causal 1-D convolutions with "
                "dilations 1, 2, …, 512 see r = 1 + Σ (k − 1)·d<sub>l</sub> = 1,024 "
                "samples — 64 ms of audio at 16 kHz; with all d = 1 the same ten "
                "layers see 11 samples.",
                highlight="wave_preset",
            ),
            _step(
                "ar",
                s.replace(tab=tab("attention"), att_input="word", dim=10, causal=True),
                "Self-attention (Vaswani et al. 2017): α = softmax(QKᵀ/√D + M). Every "
                "row sums to 1; the causal mask M = −∞ above the diagonal makes the "
                "future's weight exactly 0, so one layer sees the whole past at once.",
                highlight="causal",
            ),
            _step(
                "ar",
                s.replace(tab=tab("cost"), cost_dim=64, cost_max=4096),
                "What it costs: attention O(T²·D) per layer with O(1) sequential steps, "
                "an RNN O(T·D²) with O(T) steps, a convolution O(k·T·D²) with "
                "O(log<sub>k</sub> T) path length — timed here on this machine as T "
                "grows: attention's T² overtakes the RNN's T sequential steps.",
                run_steps=1,
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
    for make in (rf, latent, gan, body, rays, gridworld, rnn, flow, mlp, ar, conv):
        lesson = make()
        path = save_lesson(OUT / f"{make.__name__}.lesson.json", lesson)
        print(f"{path}: {len(lesson.steps)} steps")


if __name__ == "__main__":
    main()

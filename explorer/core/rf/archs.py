"""The architectures of the receptive-field panel, built from ``torch.nn`` modules.

torchvision is not a dependency, so the layouts are rebuilt here module for module
as torchvision defines them (same layer order, kernel sizes, strides, paddings and
child names, e.g. ``layer2.0.conv2``), so that walking them with
:func:`explorer.core.rf.modules.stack_from_module` gives the same stack as
walking torchvision's own models.  Multi-path blocks expose ``rf_paths()`` (child
names per path; an empty path is the identity) and ``rf_merge``.

Each architecture of :data:`explorer.core.rf.names.ARCH_SPECS` names its factory
here.  ``head=False`` replaces the classifier by nothing, so that effective-RF
work does not allocate VGG's 100 M classifier weights.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

import torch
from torch import Tensor, nn

from explorer.core.rf.layers import StackError
from explorer.core.rf.names import ARCHS


class BasicBlock(nn.Module):
    """ResNet basic block (torchvision ``BasicBlock``): 3×3 conv (stride) + 3×3 conv."""

    expansion = 1
    rf_merge = "add"

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def rf_paths(self) -> tuple[tuple[str, ...], ...]:
        """Return the child names of the main path and of the shortcut."""
        return ("conv1", "bn1", "conv2", "bn2"), (
            ("downsample",) if self.downsample is not None else ()
        )

    def forward(self, x: Tensor) -> Tensor:
        """Return relu(main(x) + shortcut(x))."""
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)  # type: ignore[no-any-return]


class Bottleneck(nn.Module):
    """ResNet bottleneck (torchvision ``Bottleneck``, v1.5: stride in the 3×3)."""

    expansion = 4
    rf_merge = "add"

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def rf_paths(self) -> tuple[tuple[str, ...], ...]:
        """Return the child names of the main path and of the shortcut."""
        return ("conv1", "bn1", "conv2", "bn2", "conv3", "bn3"), (
            ("downsample",) if self.downsample is not None else ()
        )

    def forward(self, x: Tensor) -> Tensor:
        """Return relu(main(x) + shortcut(x))."""
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)  # type: ignore[no-any-return]


class ResNet(nn.Module):
    """torchvision's ``ResNet`` (conv1 7×7/2, max pool 3×3/2, four stages)."""

    def __init__(
        self,
        block: type[BasicBlock] | type[Bottleneck],
        layers: list[int],
        num_classes: int = 1000,
        head: bool = True,
    ) -> None:
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], 2)
        self.layer3 = self._make_layer(block, 256, layers[2], 2)
        self.layer4 = self._make_layer(block, 512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc: nn.Module = (
            nn.Linear(512 * block.expansion, num_classes) if head else nn.Identity()
        )
        for m in self.modules():
            # torchvision's initialisation (He et al. 2015, fan-out)
            if isinstance(m, nn.Conv2d) and m.weight.device.type != "meta":
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def _make_layer(
        self,
        block: type[BasicBlock] | type[Bottleneck],
        planes: int,
        blocks: int,
        stride: int = 1,
    ) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(
                    self.inplanes, planes * block.expansion, 1, stride, bias=False
                ),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers: list[nn.Module] = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))  # type: ignore[no-any-return]


class AlexNet(nn.Module):
    """torchvision's ``AlexNet`` (the one-GPU variant of Krizhevsky et al. 2012)."""

    def __init__(self, num_classes: int = 1000, head: bool = True) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, 11, 4, 2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = (
            nn.Sequential(
                nn.Dropout(0.5),
                nn.Linear(256 * 6 * 6, 4096),
                nn.ReLU(inplace=True),
                nn.Dropout(0.5),
                nn.Linear(4096, 4096),
                nn.ReLU(inplace=True),
                nn.Linear(4096, num_classes),
            )
            if head
            else nn.Sequential()
        )

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores."""
        x = torch.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)  # type: ignore[no-any-return]


VGG16_CFG: tuple[int | Literal["M"], ...] = (
    64,
    64,
    "M",
    128,
    128,
    "M",
    256,
    256,
    256,
    "M",
    512,
    512,
    512,
    "M",
    512,
    512,
    512,
    "M",
)


class VGG(nn.Module):
    """torchvision's ``VGG`` with configuration "D" (VGG-16, no batch norm)."""

    def __init__(
        self,
        cfg: tuple[int | Literal["M"], ...] = VGG16_CFG,
        num_classes: int = 1000,
        head: bool = True,
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 3
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, v, 3, padding=1), nn.ReLU(inplace=True)]
                channels = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = (
            nn.Sequential(
                nn.Linear(512 * 7 * 7, 4096),
                nn.ReLU(True),
                nn.Dropout(),
                nn.Linear(4096, 4096),
                nn.ReLU(True),
                nn.Dropout(),
                nn.Linear(4096, num_classes),
            )
            if head
            else nn.Sequential()
        )

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores."""
        x = torch.flatten(self.avgpool(self.features(x)), 1)
        return self.classifier(x)  # type: ignore[no-any-return]


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al. 1998): C1 5×5, S2 2×2 average, C3 5×5, S4, C5 5×5."""

    def __init__(self, num_classes: int = 10, head: bool = True) -> None:
        super().__init__()
        self.features = nn.Sequential(
            OrderedDict(
                [
                    ("c1", nn.Conv2d(1, 6, 5)),
                    ("act1", nn.Tanh()),
                    ("s2", nn.AvgPool2d(2)),
                    ("c3", nn.Conv2d(6, 16, 5)),
                    ("act3", nn.Tanh()),
                    ("s4", nn.AvgPool2d(2)),
                    ("c5", nn.Conv2d(16, 120, 5)),
                    ("act5", nn.Tanh()),
                ]
            )
        )
        self.classifier = (
            nn.Sequential(
                nn.Flatten(),
                nn.Linear(120, 84),
                nn.Tanh(),
                nn.Linear(84, num_classes),
            )
            if head
            else nn.Sequential()
        )

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores (expects 32×32 inputs: MNIST padded by 2)."""
        return self.classifier(self.features(x))  # type: ignore[no-any-return]


class BasicConv2d(nn.Module):
    """torchvision GoogLeNet's conv + batch norm + ReLU unit."""

    def __init__(
        self, cin: int, cout: int, kernel: int, stride: int = 1, padding: int = 0
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, padding, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x: Tensor) -> Tensor:
        """Return relu(bn(conv(x)))."""
        return torch.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """GoogLeNet's Inception module (Szegedy et al. 2015, fig. 2b): paths concatenated.

    torchvision uses a 3×3 convolution in the "5×5" path (a known slip kept for
    its weights); the paper's 5×5 is used here.
    """

    rf_merge = "concat"

    def __init__(
        self,
        cin: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
    ) -> None:
        super().__init__()
        self.branch1 = BasicConv2d(cin, ch1x1, 1)
        self.branch2 = nn.Sequential(
            BasicConv2d(cin, ch3x3red, 1), BasicConv2d(ch3x3red, ch3x3, 3, padding=1)
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(cin, ch5x5red, 1), BasicConv2d(ch5x5red, ch5x5, 5, padding=2)
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, 1, 1, ceil_mode=True), BasicConv2d(cin, pool_proj, 1)
        )

    def rf_paths(self) -> tuple[tuple[str, ...], ...]:
        """Return the four paths (one child each)."""
        return ("branch1",), ("branch2",), ("branch3",), ("branch4",)

    def forward(self, x: Tensor) -> Tensor:
        """Return the four paths' outputs concatenated along channels."""
        return torch.cat(
            [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1
        )


class InceptionNet(nn.Module):
    """GoogLeNet's stem and its inception 3a / 3b blocks (torchvision names)."""

    def __init__(self, num_classes: int = 1000, head: bool = True) -> None:
        super().__init__()
        self.conv1 = BasicConv2d(3, 64, 7, 2, 3)
        self.maxpool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, 1)
        self.conv3 = BasicConv2d(64, 192, 3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc: nn.Module = nn.Linear(480, num_classes) if head else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores."""
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))  # type: ignore[no-any-return]


class DilatedResidual(nn.Module):
    """WaveNet's residual layer (van den Oord et al. 2016, fig. 4), made 2-D.

    A dilated 3×3 convolution feeds the gated unit tanh(f) · σ(g), then a 1×1
    convolution; the input is added back.  (WaveNet's convolutions are 1-D and
    causal; here they are centred 2-D ones so the field can be drawn on an image.)
    """

    rf_merge = "add"

    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.dilated = nn.Conv2d(
            channels, 2 * channels, 3, padding=dilation, dilation=dilation
        )
        self.res = nn.Conv2d(channels, channels, 1)

    def rf_paths(self) -> tuple[tuple[str, ...], ...]:
        """Return the gated path and the identity."""
        return ("dilated", "res"), ()

    def forward(self, x: Tensor) -> Tensor:
        """Return x + res(tanh(f) σ(g))."""
        f, g = self.dilated(x).chunk(2, dim=1)
        return x + self.res(torch.tanh(f) * torch.sigmoid(g))  # type: ignore[no-any-return]


class WaveNetStack(nn.Module):
    """A 1×1 input projection and residual layers with dilation 1, 2, 4, …, 32."""

    def __init__(
        self,
        channels: int = 16,
        dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 32),
        num_classes: int = 10,
        head: bool = True,
    ) -> None:
        super().__init__()
        self.start = nn.Conv2d(1, channels, 1)
        self.layers = nn.Sequential(*[DilatedResidual(channels, d) for d in dilations])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc: nn.Module = nn.Linear(channels, num_classes) if head else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores."""
        x = self.layers(self.start(x))
        return self.fc(torch.flatten(self.avgpool(x), 1))  # type: ignore[no-any-return]


class MnistCnn(nn.Module):
    """The live MNIST CNN: conv 5×5, pool, conv 5×5, pool, conv 3×3, linear (28² in)."""

    def __init__(
        self,
        channels: tuple[int, int, int] = (8, 16, 16),
        num_classes: int = 10,
        head: bool = True,
    ) -> None:
        super().__init__()
        c1, c2, c3 = channels
        self.features = nn.Sequential(
            OrderedDict(
                [
                    ("conv1", nn.Conv2d(1, c1, 5, padding=2)),
                    ("relu1", nn.ReLU()),
                    ("pool1", nn.MaxPool2d(2)),
                    ("conv2", nn.Conv2d(c1, c2, 5, padding=2)),
                    ("relu2", nn.ReLU()),
                    ("pool2", nn.MaxPool2d(2)),
                    ("conv3", nn.Conv2d(c2, c3, 3, padding=1)),
                    ("relu3", nn.ReLU()),
                ]
            )
        )
        self.classifier = (
            nn.Sequential(nn.Flatten(), nn.Linear(c3 * 7 * 7, num_classes))
            if head
            else nn.Sequential()
        )

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores of (N, 1, 28, 28) digits."""
        return self.classifier(self.features(x))  # type: ignore[no-any-return]


def resnet18(num_classes: int = 1000, head: bool = True) -> ResNet:
    """Return torchvision's ResNet-18 layout (basic blocks, 2-2-2-2)."""
    return ResNet(BasicBlock, [2, 2, 2, 2], num_classes, head)


def resnet50(num_classes: int = 1000, head: bool = True) -> ResNet:
    """Return torchvision's ResNet-50 layout (bottlenecks, 3-4-6-3)."""
    return ResNet(Bottleneck, [3, 4, 6, 3], num_classes, head)


def build_arch(
    key: str, *, head: bool = True, num_classes: int | None = None
) -> nn.Module:
    """Return a freshly initialised model of the built-in architecture ``key``.

    The factory is the one its :class:`~explorer.core.rf.names.ArchSpec` names.

    Raises
    ------
    StackError
        For an unknown key.
    """
    spec = ARCHS.get(key)
    factory = globals().get(spec.factory) if spec is not None else None
    if spec is None or not callable(factory):
        raise StackError(f"unknown architecture {key!r}")
    model = factory(num_classes=num_classes or spec.num_classes, head=head)
    assert isinstance(model, nn.Module)
    return model

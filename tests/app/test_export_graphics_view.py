"""Export of a QGraphicsView ("File ▸ Export image…, main view only", issue 14).

QGraphicsView shadows ``QWidget.render`` with an overload that takes rectangles; the
export once called it with a QPoint and raised TypeError for every graphics view.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from explorer.widgets.export import grab_widget, is_blank


def test_a_plain_graphics_view_exports_at_twice_its_size(qtbot: Any) -> None:
    scene = QGraphicsScene(0, 0, 100, 100)
    scene.setBackgroundBrush(QColor("white"))
    scene.addRect(0, 0, 100, 100, brush=QColor(255, 0, 0))
    view = QGraphicsView(scene)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    qtbot.addWidget(view)
    view.resize(160, 120)
    view.show()
    qtbot.waitExposed(view)

    image = grab_widget(view, 2.0)

    assert (image.width(), image.height()) == (320, 240)
    assert not is_blank(image)
    # the red square is painted (the middle of the view is inside it)
    centre = image.pixelColor(160, 120)
    assert (centre.red(), centre.green(), centre.blue()) == (255, 0, 0)

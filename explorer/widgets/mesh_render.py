"""Draws a pyvista plotter's scene in a thread of its own; the GUI thread only composes.

An off-screen VTK render costs 40–250 ms on llvmpipe (2 cores, a body of 27 k
triangles at a projector's size): on the GUI thread that was every stall of the
3-D panels.  VTK objects are not thread-safe, so the render thread never draws the
plotter the panels edit.  For each frame it copies that plotter's renderers into a
render window only it uses — cameras, lights and props, each actor with its own
mapper, property and a copy of its data, copied only when their modification time
changed — while the GUI thread waits (about a millisecond), then renders and reads
the pixels while the GUI thread goes on (VTK lets go of the GIL while it draws).
The GUI plotter never renders (``suppress_rendering``), so it never needs a GL
context; it stays the one scene the panels edit, pick in and project with.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PySide6.QtGui import QImage

Size = tuple[int, int]


@dataclass
class _Job:
    size: Size
    samples: int
    serial: int
    done: Callable[[_Job], None] | None  # called in the render thread when drawn
    synced: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    image: QImage | None = None
    error: BaseException | None = None


def _pixels_to_qimage(rgb: Any, width: int, height: int) -> QImage:
    """Return an RGB32 QImage (top row first) of VTK's bottom-up RGB pixels."""
    flat = np.frombuffer(memoryview(rgb), dtype=np.uint8)
    arr = np.ascontiguousarray(flat.reshape(height, width, 3)[::-1])
    image = QImage(arr.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    # RGB32 paints without a conversion on every paint event (a copy, so ``arr``
    # may go)
    return image.convertToFormat(QImage.Format.Format_RGB32)


class _Copies:
    """Copies of source objects by identity (pyvista's lights compare by value)."""

    def __init__(self) -> None:
        self._items: dict[int, tuple[Any, Any]] = {}  # id → (source, copy)

    def get(self, source: Any) -> Any:
        item = self._items.get(id(source))
        return None if item is None else item[1]

    def put(self, source: Any, copy: Any) -> Any:
        self._items[id(source)] = (source, copy)
        return copy

    def keep_only(self, sources: list[Any]) -> list[Any]:
        """Forget every source not in ``sources``; return the copies forgotten."""
        live = {id(s) for s in sources}
        gone = [k for k in self._items if k not in live]
        return [self._items.pop(k)[1] for k in gone]


class _Mirror:
    """The render thread's copy of a render window; touched by that thread only."""

    def __init__(self) -> None:
        from vtkmodules.vtkRenderingCore import vtkRenderWindow

        self.window: Any = vtkRenderWindow()
        self.window.SetOffScreenRendering(1)
        self.renderers = _Copies()
        self.props = _Copies()
        self.lights = _Copies()
        self.data = _Copies()  # source data set → its copy
        self.seen: dict[int, tuple[Any, int]] = {}  # id → (source, MTime copied)
        self.order: dict[int, list[int]] = {}  # copy renderer → ids of its props

    # -- copying -------------------------------------------------------------------
    def sync(self, source: Any, size: Size, samples: int) -> None:
        window = self.window
        if tuple(window.GetSize()) != size:
            window.SetSize(*size)
        window.SetMultiSamples(samples)
        window.SetNumberOfLayers(source.GetNumberOfLayers())
        window.SetLineSmoothing(source.GetLineSmoothing())
        window.SetPointSmoothing(source.GetPointSmoothing())
        window.SetPolygonSmoothing(source.GetPolygonSmoothing())
        sources = list(source.GetRenderers())
        for gone in self.renderers.keep_only(sources):
            window.RemoveRenderer(gone)
            self.order.pop(id(gone), None)
        for src in sources:
            dst = self.renderers.get(src)
            if dst is None:
                dst = self.renderers.put(src, src.NewInstance())
                window.AddRenderer(dst)
            self._sync_renderer(src, dst)
        # forget what left the scene (and the times it was copied at)
        props = [p for r in sources for p in r.GetViewProps()]
        mappers = [m for m in map(_mapper, props) if m is not None]
        data = [d for d in (m.GetInput() for m in mappers) if d is not None]
        lights = [li for r in sources for li in r.GetLights()]
        properties = [p.GetProperty() for p in props if _mapper(p) is not None]
        self.props.keep_only(props)
        self.data.keep_only(data)
        self.lights.keep_only(lights)
        live = {id(o) for o in [*props, *mappers, *data, *lights, *properties]}
        self.seen = {k: v for k, v in self.seen.items() if k in live}

    def _sync_renderer(self, src: Any, dst: Any) -> None:
        dst.SetLayer(src.GetLayer())
        dst.SetViewport(src.GetViewport())
        dst.SetBackground(src.GetBackground())
        dst.SetBackground2(src.GetBackground2())
        dst.SetGradientBackground(src.GetGradientBackground())
        dst.SetBackgroundAlpha(src.GetBackgroundAlpha())
        dst.SetErase(src.GetErase())
        dst.SetDraw(src.GetDraw())
        dst.SetPreserveColorBuffer(src.GetPreserveColorBuffer())
        dst.SetPreserveDepthBuffer(src.GetPreserveDepthBuffer())
        dst.SetUseDepthPeeling(src.GetUseDepthPeeling())
        dst.SetTwoSidedLighting(src.GetTwoSidedLighting())
        dst.SetLightFollowCamera(src.GetLightFollowCamera())
        dst.SetAutomaticLightCreation(src.GetAutomaticLightCreation())
        dst.SetUseFXAA(src.GetUseFXAA())
        dst.SetInteractive(0)
        camera = dst.GetActiveCamera()
        camera.DeepCopy(src.GetActiveCamera())
        # DeepCopy leaves the modification time: without this the GL camera kept
        # the matrices of the first frame (a camera moved later drew as it was)
        camera.Modified()
        self._sync_lights(src, dst)
        props = list(src.GetViewProps())
        copies = [self._prop(p) for p in props]
        order = [id(p) for p in props]
        if self.order.get(id(dst)) != order:
            dst.RemoveAllViewProps()
            for copy in copies:
                dst.AddViewProp(copy)
            self.order[id(dst)] = order

    def _sync_lights(self, src: Any, dst: Any) -> None:
        from vtkmodules.vtkRenderingCore import vtkLight

        lights = list(src.GetLights())
        if not lights and src.GetAutomaticLightCreation():
            return  # the copy makes its own head light, as the source would
        copies = []
        for light in lights:
            copy = self.lights.get(light)
            if copy is None:
                copy = self.lights.put(light, vtkLight())
            if self._changed(light):
                copy.DeepCopy(light)
                copy.Modified()
            copies.append(copy)
        if [id(li) for li in dst.GetLights()] != [id(c) for c in copies]:
            dst.RemoveAllLights()
            for copy in copies:
                dst.AddLight(copy)

    def _changed(self, obj: Any) -> bool:
        """Return True (and remember) when ``obj`` changed since it was last copied."""
        stamp = int(obj.GetMTime())
        seen = self.seen.get(id(obj))
        if seen is not None and seen[0] is obj and seen[1] == stamp:
            return False
        self.seen[id(obj)] = (obj, stamp)
        return True

    def _prop(self, src: Any) -> Any:
        from vtkmodules.vtkRenderingCore import vtkActor

        copy = self.props.get(src)
        fresh = copy is None
        if copy is None:
            copy = self.props.put(src, src.NewInstance())
        if not isinstance(src, vtkActor):
            if self._changed(src) or fresh:
                copy.ShallowCopy(src)  # 2-D props: scalar bars, text
            return copy
        if self._changed(src) or fresh:
            # transforms, visibility, pickability; mapper and property stay own
            # copies (GetProperty makes the copy's own one the first time)
            mapper, prop = copy.GetMapper(), copy.GetProperty()
            copy.ShallowCopy(src)
            copy.SetMapper(mapper)
            copy.SetProperty(prop)
        if self._changed(src.GetProperty()) or fresh:
            copy.GetProperty().DeepCopy(src.GetProperty())
            copy.GetProperty().Modified()
        self._sync_mapper(src.GetMapper(), copy, fresh)
        return copy

    def _sync_mapper(self, src: Any, actor: Any, fresh: bool) -> None:
        if src is None:
            actor.SetMapper(None)
            return
        dst = actor.GetMapper()
        if dst is None or dst.GetClassName() != src.GetClassName():
            dst = src.NewInstance()
            actor.SetMapper(dst)
            fresh = True
        if self._changed(src) or fresh:
            dst.ShallowCopy(src)
            table = src.GetLookupTable()
            if table is not None:
                own = table.NewInstance()
                own.DeepCopy(table)
                dst.SetLookupTable(own)
        data = src.GetInput()
        if data is None:
            return
        copy = self.data.get(data)
        new = copy is None
        if copy is None:
            copy = self.data.put(data, data.NewInstance())
        if self._changed(data) or new:
            copy.DeepCopy(data)
        if dst.GetInput() is not copy:
            dst.SetInputData(copy)

    # -- drawing -------------------------------------------------------------------
    def render(self) -> QImage:
        from vtkmodules.vtkCommonCore import vtkUnsignedCharArray

        window = self.window
        window.Render()
        width, height = (int(v) for v in window.GetSize())
        pixels = vtkUnsignedCharArray()
        window.GetPixelData(0, 0, width - 1, height - 1, 1, pixels, 0)
        return _pixels_to_qimage(pixels, width, height)

    def close(self) -> None:
        self.props.keep_only([])
        self.data.keep_only([])
        self.window.Finalize()


def _mapper(prop: Any) -> Any:
    """Return ``prop``'s mapper when it is an actor with one, else None."""
    get = getattr(prop, "GetMapper", None)
    return get() if get is not None else None


class SceneRenderer:
    """Renders ``plotter``'s scene in a thread of its own (see the module's text).

    One job at a time: :meth:`start` copies the scene (the caller waits only for
    that) and draws it in the thread, then calls ``done(job)`` *in the thread*;
    :meth:`render` waits for the image (exports, tests).
    """

    def __init__(self, plotter: Any) -> None:
        self._plotter = plotter
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(
        self, size: Size, samples: int, serial: int, done: Callable[[_Job], None]
    ) -> _Job:
        """Copy the scene now and draw it in the thread; return the job."""
        job = _Job(size, samples, serial, done)
        self._submit(job)
        job.synced.wait()
        return job

    def render(self, size: Size, samples: int, serial: int) -> QImage:
        """Return the scene drawn at ``size`` with ``samples`` (waits for it).

        Raises
        ------
        RuntimeError
            After :meth:`close`.
        """
        job = _Job(size, samples, serial, None)
        self._submit(job)
        job.finished.wait()
        if job.error is not None:
            raise job.error
        assert job.image is not None
        return job.image

    def close(self) -> None:
        """Finish the job in hand, release the render window and end the thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _submit(self, job: _Job) -> None:
        if self._closed:
            raise RuntimeError("the 3-D view is closed")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="mesh-render", daemon=True
            )
            self._thread.start()
        self._jobs.put(job)

    def _run(self) -> None:
        mirror: _Mirror | None = None
        while True:
            job = self._jobs.get()
            if job is None:
                break
            try:
                if mirror is None:
                    mirror = _Mirror()
                try:
                    mirror.sync(self._plotter.render_window, job.size, job.samples)
                finally:
                    job.synced.set()  # the GUI thread may edit the scene again
                job.image = mirror.render()
            except Exception as exc:  # handed to the GUI thread, which raises it
                job.error = exc
            finally:
                job.synced.set()
                job.finished.set()
                if job.done is not None:
                    job.done(job)
        if mirror is not None:
            mirror.close()

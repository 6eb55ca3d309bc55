"""Folium elements that put already-rendered text into a map page as it is.

branca builds a page by rendering each element's Jinja macros and putting the output into the figure
as ``Element(text)``, which compiles that output as a *new* Jinja template. Two consequences for us:

* **security**: text from data is Jinja syntax to it. A region or organisation name such as
  ``{{ cycler.__init__.__globals__.os.getcwd() }}`` ran on the server (JSON-encoding does not touch
  braces); HTML escaping does not help either;
* **speed**: the paint of a NUTS 2 map (33 KB of JSON) was compiled as a template on every filter
  change, and a standalone report map compiled Leaflet itself (150 KB).

:class:`RawText` is text placed as it is; :class:`RenderedOnce` is ``MacroElement.render`` that places
its parts as :class:`RawText`. Every map element of ours derives from it.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement

from cluster_map.errors import InputError

__all__ = ["RawText", "RenderedOnce"]


class RawText(Element):
    """Text already rendered (a script, a style sheet), placed in a figure as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RenderedOnce(MacroElement):
    """Mixin for our map elements: ``MacroElement.render`` without compiling its output again.

    List it after folium's classes (``class X(Layer, RenderedOnce)``) so their ``render`` steps
    (adding the layer to its parent, JS/CSS links) still run before the parts are placed.
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise InputError(f"{type(self).__name__} must be on a folium map before it is rendered.")
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(RawText(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
        return ""  # like MacroElement: the parts went into the figure

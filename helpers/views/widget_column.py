"""A column of widgets that can grow to thousands: each new one costs the same, not the count so far.

ipywidgets has no "append a child": a box's ``children`` is set whole, validated whole and sent
to the front end whole. A view that adds one widget per frozen block to a single box therefore
costs the square of the number of blocks (an answer with 2,000 blocks: 2 million children
validated and sent). ``WidgetColumn`` nests boxes of at most ``FANOUT`` children, all leaves at
the same depth, so adding a widget re-sends at most ``FANOUT`` children (and, once every
``FANOUT`` additions, a box's worth one level up). Up to ``FANOUT`` widgets it is one flat box.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as ipw

FANOUT = 32


class WidgetColumn:
    """Widgets in order in ``root``, in nested boxes of at most ``FANOUT``; ``sent`` is called for each box message."""

    def __init__(self, root: ipw.Box, new_box: Callable[[list[ipw.Widget]], ipw.Box], sent: Callable[[], None]) -> None:
        self.root = root
        self.items: list[ipw.Widget] = []
        self._new_box = new_box
        self._sent = sent  # a box created, or given new children: one message to the front end each
        self._path = [root]  # the last box at each depth, from the root; the widgets are children of the last

    def append(self, widget: ipw.Widget) -> None:
        """Add ``widget`` at the end."""
        depth = len(self._path) - 1
        while depth >= 0 and len(self._path[depth].children) >= FANOUT:
            depth -= 1
        if depth < 0:  # every box on the way down is full: one level more, under the root
            self._path.insert(1, self._box(list(self.root.children)))
            self._set_children(self.root, (self._path[1],))
            depth = 0
        node = widget
        chain: list[ipw.Box] = []
        for _ in range(len(self._path) - 1 - depth):  # new boxes from the leaves up to the one with room
            node = self._box([node])
            chain.insert(0, node)
        self._set_children(self._path[depth], (*self._path[depth].children, node))
        self._path[depth + 1 :] = chain
        self.items.append(widget)

    def truncate(self, keep: int) -> None:
        """Keep the first ``keep`` widgets: one flat box if they fit in one, else the column built again (rare)."""
        kept = self.items[:keep]
        self.items, self._path = kept[:FANOUT], [self.root]
        self._set_children(self.root, tuple(self.items))
        for widget in kept[FANOUT:]:
            self.append(widget)

    def _box(self, children: list[ipw.Widget]) -> ipw.Box:
        self._sent()
        return self._new_box(children)

    def _set_children(self, box: ipw.Box, children: tuple[ipw.Widget, ...]) -> None:
        box.children = children
        self._sent()

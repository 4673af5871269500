"""A column of thousands of widgets: in order, boxes of at most FANOUT, and each addition re-sends a short list."""

from __future__ import annotations

import ipywidgets as ipw

from helpers.views.widget_column import FANOUT, WidgetColumn


def leaves(box: ipw.Box) -> list[ipw.Widget]:
    """The widgets a front end shows, in order: the boxes' children, depth first."""
    return [leaf for child in box.children for leaf in (leaves(child) if isinstance(child, ipw.Box) else [child])]


def boxes(box: ipw.Box) -> list[ipw.Box]:
    return [box, *(inner for child in box.children if isinstance(child, ipw.Box) for inner in boxes(child))]


class Column:
    """A column whose boxes note every list of children they are given, as the front end would receive them."""

    def __init__(self) -> None:
        self.children_sent: list[int] = []
        self.messages = 0
        self.root = self.box([])
        self.column = WidgetColumn(self.root, self.box, self.sent)

    def box(self, children: list[ipw.Widget]) -> ipw.VBox:
        box = ipw.VBox(children)
        box.observe(lambda change: self.children_sent.append(len(change["new"])), names="children")
        return box

    def sent(self) -> None:
        self.messages += 1


def test_a_few_widgets_stay_in_one_flat_box() -> None:
    column = Column()
    widgets = [ipw.HTML(str(n)) for n in range(FANOUT)]
    for widget in widgets:
        column.column.append(widget)
    assert list(column.root.children) == widgets == column.column.items


def test_thousands_of_widgets_nest_in_order_and_each_costs_a_short_list() -> None:
    column = Column()
    count = FANOUT**2 + FANOUT + 5  # three levels of boxes
    widgets = [ipw.HTML(str(n)) for n in range(count)]
    for widget in widgets:
        column.column.append(widget)
    assert leaves(column.root) == widgets == column.column.items
    assert all(len(box.children) <= FANOUT for box in boxes(column.root))
    assert max(len(leaves(child)) for child in column.root.children) == FANOUT**2
    # One flat box would have been sent count * (count + 1) / 2 children (over 500,000 here).
    assert sum(column.children_sent) <= (FANOUT + 2) * count
    assert column.messages <= 1.2 * count


def test_truncating_keeps_the_first_widgets_in_order() -> None:
    column = Column()
    widgets = [ipw.HTML(str(n)) for n in range(3 * FANOUT)]
    for widget in widgets:
        column.column.append(widget)
    column.column.truncate(FANOUT + 1)
    assert leaves(column.root) == widgets[: FANOUT + 1] == column.column.items
    column.column.append(widgets[-1])
    assert leaves(column.root) == [*widgets[: FANOUT + 1], widgets[-1]]

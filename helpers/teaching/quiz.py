"""Graded quizzes: multiple choice, "what does this print?", "find the bug", "put these in order".

Every option carries its own explanation, so a wrong answer is told *why* it is wrong, and the
student may try again; the score counts the questions answered right. In a notebook with widgets
each question has its own buttons; without widgets (Colab, a terminal) the quiz prints as text
and ``quiz.answer(2, "b")`` grades an answer. What a notebook saves as plain text is the same
either way, so nbval compares it.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import ipywidgets as ipw

from helpers.views.stream_view import widgets_supported

LETTERS = string.ascii_lowercase
Kind = Literal["choice", "prints", "bug"]
_HEADINGS: dict[Kind, str] = {"choice": "", "prints": "What does this print?", "bug": "Find the bug."}


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _inline_code(text: str) -> str:
    """Escaped text with its `backtick` spans shown as code."""
    return _CODE_SPAN.sub(lambda match: f"<code>{match.group(1)}</code>", html.escape(text))


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: right or not, and why."""

    right: bool
    why: str

    def __str__(self) -> str:
        return f"{'✓ Right.' if self.right else '✗ Not quite.'} {self.why}"


@dataclass(frozen=True)
class Choice:
    """One answer to pick among options; ``kind`` "prints" or "bug" shows ``code`` above them."""

    prompt: str
    options: tuple[str, ...]
    answer: int
    explanations: tuple[str, ...]  # one per option: why it is right, or why it is not
    code: str = ""
    kind: Kind = "choice"

    def __post_init__(self) -> None:
        if not 2 <= len(self.options) <= len(LETTERS) or len(self.explanations) != len(self.options):
            raise ValueError(f"{self.prompt[:40]!r}: give 2 or more options and one explanation for each.")
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"{self.prompt[:40]!r}: answer {self.answer} is not one of the options.")
        if self.kind != "choice" and not self.code:
            raise ValueError(f"{self.prompt[:40]!r}: a {self.kind!r} question needs the code it asks about.")

    def grade(self, response: str) -> Feedback:
        """Grade a letter ("b"); anything else gets a note on how to answer."""
        picked = LETTERS.find(response.strip().lower()[:1]) if response.strip() else -1
        if len(response.strip()) != 1 or not 0 <= picked < len(self.options):
            return Feedback(False, f"Answer with one letter, a to {LETTERS[len(self.options) - 1]}.")
        return Feedback(picked == self.answer, self.explanations[picked])

    def text(self) -> str:
        """The question as plain text, options lettered."""
        lines = [line for line in (_HEADINGS[self.kind], self.prompt) if line]
        if self.code:
            lines += ["", *("    " + line for line in self.code.splitlines()), ""]
        lines += [f"  ({letter}) {option}" for letter, option in zip(LETTERS, self.options, strict=False)]
        return "\n".join(lines)


@dataclass(frozen=True)
class Order:
    """Put items in order; ``shown`` is the fixed order they are listed in, so the page is the same every run."""

    prompt: str
    items: tuple[str, ...]  # in the right order
    shown: tuple[int, ...]  # a permutation of range(len(items))
    explanation: str

    def __post_init__(self) -> None:
        if sorted(self.shown) != list(range(len(self.items))) or len(self.items) < 2:
            raise ValueError(f"{self.prompt[:40]!r}: shown must list each item's position once.")
        if list(self.shown) == list(range(len(self.items))):
            raise ValueError(f"{self.prompt[:40]!r}: list the items out of order, or the question answers itself.")

    def grade(self, response: str) -> Feedback:
        """Grade the letters of the listed items in the order the student puts them ("cadb")."""
        letters = [c for c in response.lower() if c.isalpha()]
        count = len(self.items)
        if sorted(letters) != list(LETTERS[:count]):
            return Feedback(
                False, f"Give each letter a to {LETTERS[count - 1]} once, in the order you choose, e.g. {LETTERS[:count][::-1]}."
            )
        chosen = [self.shown[LETTERS.index(c)] for c in letters]
        if chosen == list(range(count)):
            return Feedback(True, self.explanation)
        first = next(n for n, item in enumerate(chosen) if item != n)
        return Feedback(False, f"The first {first} are in place; position {first + 1} should be “{self.items[first]}”. Try again.")

    def text(self) -> str:
        """The question as plain text, items lettered in their shown order."""
        listed = [f"  ({letter}) {self.items[item]}" for letter, item in zip(LETTERS, self.shown, strict=False)]
        return "\n".join(
            [f"Put in order. {self.prompt}", *listed, f"  Answer with the letters in order, e.g. {LETTERS[: len(self.items)][::-1]}."]
        )


Question = Choice | Order


@dataclass
class Quiz:
    """A lesson's quiz: show it, answer with the buttons (or ``answer``), read the score."""

    title: str
    questions: Sequence[Question]
    widgets: bool | None = None
    results: dict[int, bool] = field(default_factory=dict)  # question number (from 1) -> answered right
    _score: ipw.HTML | None = field(default=None, repr=False)

    def answer(self, number: int, response: str) -> Feedback:
        """Grade an answer to question ``number`` (from 1) and keep it for the score; prints the feedback and score."""
        feedback = self._grade(number, response)
        print(feedback)
        print(self.score_line())
        return feedback

    def _grade(self, number: int, response: str) -> Feedback:
        if not 1 <= number <= len(self.questions):
            return Feedback(False, f"There is no question {number}: this quiz has {len(self.questions)}.")
        feedback = self.questions[number - 1].grade(response)
        self.results[number] = feedback.right
        if self._score is not None:
            self._score.value = html.escape(self.score_line())
        return feedback

    def score_line(self) -> str:
        """How many questions are answered right so far."""
        return f"Score: {sum(self.results.values())} of {len(self.questions)} right."

    def text(self) -> str:
        """The whole quiz as plain text: what a notebook keeps, and what shows without widgets."""
        parts = [self.title, ""]
        for number, question in enumerate(self.questions, 1):
            parts += [f"{number}. {question.text()}", ""]
        parts.append('Answer with quiz.answer(NUMBER, "LETTERS"), or with the buttons where widgets show.')
        return "\n".join(parts)

    def widget(self) -> ipw.VBox:
        """Each question with its options, a Check button and its feedback; the score underneath."""
        self._score = ipw.HTML(html.escape(self.score_line()))
        boxes = [ipw.HTML(f"<h3>{html.escape(self.title)}</h3>")]
        boxes += [self._question_box(number, question) for number, question in enumerate(self.questions, 1)]
        box = ipw.VBox([*boxes, self._score])
        box.add_class("course-quiz")
        return box

    def _question_box(self, number: int, question: Question) -> ipw.VBox:
        heading = _HEADINGS[question.kind] if isinstance(question, Choice) else "Put in order:"
        code = f"<pre>{html.escape(question.code)}</pre>" if isinstance(question, Choice) and question.code else ""
        prompt = ipw.HTML(f"<p><b>{number}.</b> {html.escape(heading)} {_inline_code(question.prompt)}</p>{code}")
        feedback = ipw.HTML()
        if isinstance(question, Choice):
            labels = [(f"({letter}) {option}", letter) for letter, option in zip(LETTERS, question.options, strict=False)]
            picker: Any = ipw.RadioButtons(options=labels, value=None, layout=ipw.Layout(width="auto"))
        else:
            listed = "".join(
                f"<li>({letter}) {html.escape(question.items[i])}</li>" for letter, i in zip(LETTERS, question.shown, strict=False)
            )
            prompt.value += f"<ul style='list-style: none'>{listed}</ul>"
            picker = ipw.Text(placeholder=f"letters in order, e.g. {LETTERS[: len(question.items)][::-1]}")
        check = ipw.Button(description="Check")

        def on_check(_: object) -> None:
            feedback.value = html.escape(str(self._grade(number, picker.value or "")))

        check.on_click(on_check)
        return ipw.VBox([prompt, picker, ipw.HBox([check, feedback])])

    def _repr_mimebundle_(self, **_: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The widget where widgets show, else HTML; the plain text is always the quiz, and a notebook keeps it."""
        bundle: dict[str, Any] = {"text/plain": self.text()}
        use_widgets = widgets_supported() if self.widgets is None else self.widgets
        if use_widgets:
            bundle.update(self.widget()._repr_mimebundle_())
            bundle["text/plain"] = self.text()  # not the widget's repr
        else:
            bundle["text/html"] = f"<pre>{html.escape(self.text())}</pre>"
        return bundle, {"course": {"saved_as_text": True}}  # see helpers.tooling.refresh_notebooks

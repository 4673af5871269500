"""Quizzes grade each answer with the reason for it, keep a score, and save the same text with or without widgets."""

import pytest

from helpers.teaching.quiz import Choice, Order, Quiz

PRINTS = Choice(
    "The loop stops after two pieces.",
    ("two pieces, then the whole text", "two pieces only", "nothing"),
    answer=0,
    explanations=("Right: get_final_message() reads the rest first.", "It reads the rest of the stream.", "Two pieces print first."),
    code="with client.messages.stream(**request) as stream:\n    ...",
    kind="prints",
)
ORDER = Order(
    "the events of a text answer",
    ("message_start", "content_block_start", "content_block_delta", "message_stop"),
    shown=(2, 0, 3, 1),
    explanation="A message opens, then its blocks, then it stops.",
)


def test_each_option_is_graded_with_its_own_explanation():
    assert PRINTS.grade("a").right and "reads the rest first" in PRINTS.grade("a").why
    wrong = PRINTS.grade("B")
    assert not wrong.right and wrong.why == "It reads the rest of the stream."


@pytest.mark.parametrize("response", ["", "d", "ab", "7", "(a) two pieces"])
def test_an_answer_that_is_not_one_letter_says_how_to_answer(response):
    feedback = PRINTS.grade(response)
    assert not feedback.right and feedback.why == "Answer with one letter, a to c."


def test_an_order_is_graded_by_the_first_item_out_of_place():
    # shown: (a) content_block_delta (b) message_start (c) message_stop (d) content_block_start
    assert ORDER.grade("bdac").right
    wrong = ORDER.grade("bdca")
    assert not wrong.right and "The first 2 are in place; position 3 should be “content_block_delta”" in wrong.why
    assert "Give each letter a to d once" in ORDER.grade("bda").why
    assert ORDER.grade("B, D, A, C").right


@pytest.mark.parametrize(
    "make",
    [
        lambda: Choice("q", ("only one",), 0, ("x",)),
        lambda: Choice("q", ("a", "b"), 2, ("x", "y")),
        lambda: Choice("q", ("a", "b"), 0, ("x",)),
        lambda: Choice("q", ("a", "b"), 0, ("x", "y"), kind="bug"),
        lambda: Order("q", ("a", "b"), shown=(0, 1), explanation="x"),
        lambda: Order("q", ("a", "b"), shown=(0, 0), explanation="x"),
    ],
)
def test_a_question_that_cannot_be_answered_well_is_refused_when_written(make):
    with pytest.raises(ValueError):
        make()


def test_the_score_counts_questions_answered_right_and_a_retry_can_fix_one(capsys):
    quiz = Quiz("Quick quiz", [PRINTS, ORDER], widgets=False)
    quiz.answer(1, "b")
    quiz.answer(2, "bdac")
    assert capsys.readouterr().out.splitlines()[-1] == "Score: 1 of 2 right."
    quiz.answer(1, "a")
    assert capsys.readouterr().out.splitlines() == [
        "✓ Right. Right: get_final_message() reads the rest first.",
        "Score: 2 of 2 right.",
    ]
    assert not quiz.answer(3, "a").right


def test_the_saved_text_is_the_quiz_with_or_without_widgets():
    plain, marked = Quiz("Quick quiz", [PRINTS, ORDER], widgets=False)._repr_mimebundle_()
    rich, _ = Quiz("Quick quiz", [PRINTS, ORDER], widgets=True)._repr_mimebundle_()
    assert marked == {"course": {"saved_as_text": True}}
    assert plain["text/plain"] == rich["text/plain"]
    assert "1. What does this print?" in plain["text/plain"] and "  (b) two pieces only" in plain["text/plain"]
    assert "    with client.messages.stream(**request) as stream:" in plain["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in rich and "application/vnd.jupyter.widget-view+json" not in plain


def test_the_buttons_grade_and_update_the_score():
    quiz = Quiz("Quick quiz", [PRINTS, ORDER], widgets=True)
    box = quiz.widget()
    first, second = box.children[1], box.children[2]
    picker, (check, feedback) = first.children[1], first.children[2].children
    picker.value = "b"
    check.click()
    assert feedback.value.startswith("✗ Not quite.")
    picker.value = "a"
    check.click()
    assert feedback.value.startswith("✓ Right.") and box.children[-1].value == "Score: 1 of 2 right."
    text, (order_check, order_feedback) = second.children[1], second.children[2].children
    text.value = "b d a c"
    order_check.click()
    assert order_feedback.value.startswith("✓ Right.") and box.children[-1].value == "Score: 2 of 2 right."


def test_model_text_in_a_question_is_shown_as_text_not_html():
    quiz = Quiz("<b>q</b>", [Choice("<img src=x onerror=alert(1)>", ("<script>", "b"), 0, ("x", "y"))], widgets=True)
    rendered = quiz.widget().children[1].children[0].value
    assert "<img" not in rendered and "&lt;img" in rendered


def test_every_lessons_quiz_is_well_formed_and_a_third_of_it_reads_code():
    import importlib
    import pkgutil

    import helpers.teaching.quizzes as quizzes

    names = [info.name for info in pkgutil.iter_modules(quizzes.__path__)]
    assert names, "no lesson quizzes found"
    for name in names:
        quiz = importlib.import_module(f"helpers.teaching.quizzes.{name}").quiz()
        code = [q for q in quiz.questions if isinstance(q, Choice) and q.kind in ("prints", "bug")]
        assert len(code) * 3 >= len(quiz.questions), f"{name}: {len(code)} of {len(quiz.questions)} questions read code"
        assert any(isinstance(q, Order) for q in quiz.questions), f"{name}: no put-in-order question"


def test_lesson_04s_healing_question_prints_what_its_right_answer_says():
    import contextlib
    import io

    from helpers.teaching.quizzes import lesson04
    from helpers.views.markdown_blocks import MarkdownBlocks

    question = next(q for q in lesson04.quiz().questions if isinstance(q, Choice) and q.code == lesson04.HEALED)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(question.code, {"MarkdownBlocks": MarkdownBlocks})
    assert " and ".join(printed.getvalue().splitlines()) == question.options[question.answer]

"""The tools of lesson 03: definitions in the API's JSON-schema form, and small local implementations.

The implementations are deterministic (a fixed weather table, exact arithmetic), so every run
gives the same results, offline or live. ``call_tool`` runs the tool a ``tool_use`` block asks
for; building the ``tool_result`` block from its output, the tool loop, every request and every
stream stay in the lesson. ``run_tool`` builds that block the way the recordings were made, for
the checks.
"""

from __future__ import annotations

import ast
import json
import operator
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

WEATHER_TOOL: dict[str, Any] = {
    "name": "get_weather",
    "description": "Get the current weather in a city: temperature, conditions, wind and humidity.",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and country, e.g. Paris, France"},
            "unit": {
                "type": "string",
                "enum": ["celsius", "fahrenheit"],
                "description": "The temperature unit; celsius if not given",
            },
        },
        "required": ["location"],
    },
}

CALCULATOR_TOOL: dict[str, Any] = {
    "name": "calculate",
    "description": "Evaluate an arithmetic expression with + - * / ** and parentheses, e.g. (24 - 18) * 9 / 5.",
    "input_schema": {
        "type": "object",
        "properties": {"expression": {"type": "string", "description": "The expression to evaluate"}},
        "required": ["expression"],
    },
}

TOOLS: list[dict[str, Any]] = [WEATHER_TOOL, CALCULATOR_TOOL]
"""Both tool definitions, as the ``tools`` argument of a request takes them."""


class ToolFailure(Exception):
    """A tool could not do what it was asked; the message is what the model is told."""


@dataclass(frozen=True)
class Weather:
    """One row of the weather table, in degrees Celsius."""

    temperature_c: int
    conditions: str
    wind_kmh: int
    humidity: int


WEATHER_TABLE: dict[str, Weather] = {
    "Paris, France": Weather(18, "partly cloudy", 14, 62),
    "Tokyo, Japan": Weather(24, "sunny", 9, 55),
    "London, UK": Weather(12, "light rain", 21, 81),
    "Sydney, Australia": Weather(21, "clear", 17, 48),
    "New York, USA": Weather(16, "overcast", 12, 70),
}
"""The whole "weather service": fixed values, so answers never change."""


def _city(location: str) -> str:
    return location.split(",")[0].strip().casefold()


def get_weather(location: str, unit: str = "celsius") -> dict[str, Any]:
    """The current weather in ``location`` from the fixed table; ToolFailure for a city it lacks."""
    if unit not in ("celsius", "fahrenheit"):
        raise ToolFailure(f"Unknown unit {unit!r}: use celsius or fahrenheit.")
    found = next((name for name in WEATHER_TABLE if _city(name) == _city(location)), None)
    if found is None:
        known = "; ".join(WEATHER_TABLE)
        raise ToolFailure(f"No weather data for {location!r}. Cities with data: {known}.")
    row = WEATHER_TABLE[found]
    temperature = row.temperature_c if unit == "celsius" else round(row.temperature_c * 9 / 5 + 32)
    details = {key: value for key, value in asdict(row).items() if key != "temperature_c"}
    return {"location": found, "temperature": temperature, "unit": unit, **details}


_OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise ToolFailure("Exponents above 64 are not allowed.")
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand))
    raise ToolFailure("Only numbers, + - * / ** and parentheses are allowed.")


def calculate(expression: str) -> dict[str, Any]:
    """The value of an arithmetic expression, without ``eval``; ToolFailure for anything else."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise ToolFailure(f"{expression!r} is not an arithmetic expression.") from None
    try:
        value = _evaluate(tree.body)
    except ZeroDivisionError:
        raise ToolFailure(f"{expression!r} divides by zero.") from None
    result = round(value, 10)
    return {"expression": expression, "result": int(result) if float(result).is_integer() else result}


IMPLEMENTATIONS: dict[str, Callable[..., dict[str, Any]]] = {"get_weather": get_weather, "calculate": calculate}


def _fields(block: Any) -> tuple[str, str, Any]:
    """``(id, name, input)`` of a tool_use block, from the SDK's object or a plain dict."""
    if isinstance(block, dict):
        return block["id"], block["name"], block.get("input")
    return block.id, block.name, block.input


def call_tool(block: Any) -> dict[str, Any]:
    """Run the tool one ``tool_use`` block asks for and return its output; ToolFailure when it cannot.

    Only the running: wrapping the output in a ``tool_result`` block is the lesson's (and the
    student's) job. An unknown tool, or arguments the function cannot take, is a ToolFailure
    too, with a message for the model.
    """
    _, name, tool_input = _fields(block)
    implementation = IMPLEMENTATIONS.get(name)
    if implementation is None:
        raise ToolFailure(f"There is no tool named {name!r}. Tools: {', '.join(IMPLEMENTATIONS)}.")
    if not isinstance(tool_input, dict):
        raise ToolFailure(f"The input must be a JSON object, got {tool_input!r}.")
    try:
        return implementation(**tool_input)
    except TypeError:  # arguments the function does not take, or a required one missing
        code = implementation.__code__
        raise ToolFailure(f"{name} takes {', '.join(code.co_varnames[: code.co_argcount])}; got {json.dumps(tool_input)}.") from None


def run_tool(block: Any) -> dict[str, Any]:
    """The ``tool_result`` block answering one ``tool_use`` block (its id, JSON text content).

    The form the exercise recordings were made with, so the checks can compare against it; a
    failure gives ``is_error: True`` and the ToolFailure's message instead of an exception.
    """
    tool_use_id = _fields(block)[0]
    try:
        output = call_tool(block)
    except ToolFailure as failure:
        return {"type": "tool_result", "tool_use_id": tool_use_id, "content": str(failure), "is_error": True}
    return {"type": "tool_result", "tool_use_id": tool_use_id, "content": json.dumps(output)}


def tool_uses(content: Iterable[Any]) -> list[Any]:
    """The ``tool_use`` blocks of a message's content, in the order the model wrote them."""
    return [block for block in content if (block["type"] if isinstance(block, dict) else block.type) == "tool_use"]


def describe_call(block: Any) -> str:
    """A tool call as one line of Python-like text: ``get_weather(location='Paris, France')``."""
    _, name, tool_input = _fields(block)
    arguments = ", ".join(f"{key}={value!r}" for key, value in (tool_input or {}).items())
    return f"{name}({arguments})"

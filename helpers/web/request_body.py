"""What ``POST /api/stream`` accepts: a conversation, checked before anything is sent to the model.

A pure function from the raw body to the messages, so every rejection (its status, the field it
names, its message) is testable without a server. The page sends only ``messages``; the server
chooses the model and ``max_tokens`` itself, so a request cannot ask for a bigger bill.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from anthropic.types import AssistantMessageParam, MessageParam, UserMessageParam

ROLES = ("user", "assistant")


class BadRequest(Exception):
    """A request the relay refuses, with the HTTP status and the field at fault."""

    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message

    def body(self) -> dict[str, Any]:
        """The JSON error the browser gets: type, field and message, never a traceback."""
        kind = {400: "malformed_json", 403: "cross_site", 413: "too_large", 415: "not_json", 422: "invalid_request"}.get(
            self.status, "bad_request"
        )
        return {"error": {"type": kind, "field": self.field, "message": self.message}}


def check_same_site(content_type: str, origin: str | None, own_origin: str) -> None:
    """Refuse a request another web site could make the reader's browser send, spending the key.

    A page elsewhere can POST ``text/plain`` or a form to this server without asking first; only
    ``application/json`` makes the browser ask (a CORS preflight, which this server never grants).
    A browser names the page that sent a request in ``Origin``: it must be this server's own.
    """
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise BadRequest(415, "content-type", "Send the conversation as JSON, with Content-Type: application/json.")
    if origin is not None and origin.rstrip("/").lower() != own_origin.lower():
        raise BadRequest(403, "origin", f"This server answers its own page only; a request from {origin} is refused.")


@dataclass(frozen=True)
class Limits:
    """How much a request may carry: characters over all messages, and how many messages."""

    max_chars: int = 8_000
    max_messages: int = 40


def parse_conversation(raw: bytes, limits: Limits) -> list[MessageParam]:
    """The conversation in ``raw`` as ``[{"role", "content"}, ...]``, or ``BadRequest`` saying what is wrong."""
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(400, "body", f'The body is not valid JSON ({err}). Send {{"messages": [...]}}.') from None
    if not isinstance(body, dict):
        raise BadRequest(422, "body", 'The body must be a JSON object such as {"messages": [{"role": "user", "content": "Hi"}]}.')
    for key in body:
        if key != "messages":
            raise BadRequest(422, key, f"Unknown field {key!r}: send only 'messages'; the server chooses the model and max_tokens.")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest(422, "messages", "'messages' is missing or empty: send a list of {role, content} objects, the user's last.")
    if len(messages) > limits.max_messages:
        raise BadRequest(413, "messages", f"The conversation has {len(messages)} messages; the server takes at most {limits.max_messages}.")
    checked = [_message(item, n) for n, item in enumerate(messages)]
    size = sum(len(item["content"]) for item in messages)  # every content is a string: _message checked it
    for n, message in enumerate(checked):
        expected = ROLES[n % 2]
        if message["role"] != expected:
            raise BadRequest(422, f"messages[{n}].role", f"messages[{n}].role must be {expected!r}: turns alternate, the user's first.")
    if checked[-1]["role"] != "user":
        raise BadRequest(422, f"messages[{len(checked) - 1}].role", "The last message must be the user's: it is what the model answers.")
    if size > limits.max_chars:
        raise BadRequest(413, "messages", f"The conversation is {size:,} characters long; this server takes at most {limits.max_chars:,}.")
    return checked


def _message(item: Any, n: int) -> MessageParam:
    where = f"messages[{n}]"
    if not isinstance(item, dict):
        raise BadRequest(422, where, f"{where} must be an object with 'role' and 'content'.")
    for key in item:
        if key not in ("role", "content"):
            raise BadRequest(422, f"{where}.{key}", f"Unknown field {where}.{key}: a message has only 'role' and 'content'.")
    role, content = item.get("role"), item.get("content")
    if role not in ROLES:
        raise BadRequest(422, f"{where}.role", f"{where}.role must be 'user' or 'assistant', got {role!r}.")
    if not isinstance(content, str) or not content.strip():
        raise BadRequest(422, f"{where}.content", f"{where}.content must be a non-empty string.")
    return UserMessageParam(role="user", content=content) if role == "user" else AssistantMessageParam(role="assistant", content=content)

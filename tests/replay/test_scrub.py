import httpx2
from loopback_server import stream_body

from helpers.replay.recording_file import Chunk
from helpers.replay.scrub import find_secrets, redact, redact_chunks, redact_json, scrub_headers

KEY = "sk-ant-api03-abcDEF123456-xyz"


def test_scrub_headers_keeps_replayable_headers_lower_cased():
    kept, secrets = scrub_headers(
        {
            "Request-Id": "req_011",
            "Content-Type": "text/event-stream",
            "Content-Length": "99",
            "Content-Encoding": "gzip",
            "Transfer-Encoding": "chunked",
            "Connection": "keep-alive",
            "Keep-Alive": "timeout=5",
            "Retry-After-Ms": "5",
        }
    )
    assert kept == {"request-id": "req_011", "content-type": "text/event-stream", "retry-after-ms": "5"}
    assert secrets == []


def test_scrub_headers_removes_secrets_and_returns_their_values():
    kept, secrets = scrub_headers(
        [
            ("Authorization", f"Bearer {KEY}"),
            ("x-api-key", "key-value-0001"),
            ("Cookie", "session=abcdefgh1"),
            ("anthropic-organization-id", "org-uuid-1234"),
            ("anthropic-workspace-id", "wrkspc-uuid-9876"),
            ("anthropic-user-profile-id", "profile-uuid-5555"),
            ("x-custom-organization-name", "Acme Organization"),
            ("request-id", "req_1"),
        ]
    )
    assert kept == {"request-id": "req_1"}
    assert set(secrets) == {  # the parts a body could echo: the token, the cookie's value, the ids
        KEY,
        "key-value-0001",
        "abcdefgh1",
        "org-uuid-1234",
        "wrkspc-uuid-9876",
        "profile-uuid-5555",
        "Acme Organization",
    }


def test_scrub_headers_sees_each_repeated_header_of_an_httpx2_response():
    headers = httpx2.Headers([("set-cookie", "a=first-cookie-1"), ("set-cookie", "b=second-cookie-2"), ("vary", "a"), ("vary", "b")])
    kept, secrets = scrub_headers(headers)
    assert secrets == ["first-cookie-1", "second-cookie-2"]
    assert kept == {"vary": "a, b"}


def test_redact_replaces_every_occurrence_and_ignores_short_values():
    data = f"key={KEY}; again {KEY}; short=abc".encode()
    assert redact(data, [KEY, "abc", ""]) == b"key=[redacted]; again [redacted]; short=abc"


def test_redact_cuts_the_whole_authorization_value_before_its_token():
    data = f"header: Bearer {KEY}".encode()
    assert redact(data, [KEY, f"Bearer {KEY}"]) == b"header: [redacted]"


def test_redact_json_redacts_inside_nested_strings_only():
    body = {"messages": [{"role": "user", "content": f"my key is {KEY}"}], "max_tokens": 10, KEY: True}
    assert redact_json(body, [KEY]) == {
        "messages": [{"role": "user", "content": "my key is [redacted]"}],
        "max_tokens": 10,
        "[redacted]": True,
    }


def test_redact_chunks_merges_only_the_chunks_a_secret_straddles():
    half = len(KEY) // 2
    chunks = [
        Chunk(0.1, b"start "),
        Chunk(0.2, f"echo {KEY[:half]}".encode()),
        Chunk(0.3, f"{KEY[half:]} end".encode()),
        Chunk(0.4, b" tail"),
    ]
    assert redact_chunks(chunks, [KEY]) == [
        Chunk(0.1, b"start "),
        Chunk(0.3, b"echo [redacted] end"),
        Chunk(0.4, b" tail"),
    ]


def test_redact_chunks_without_secrets_changes_nothing():
    chunks = [Chunk(0.1, b"a"), Chunk(0.2, b"b")]
    assert redact_chunks(chunks, []) == chunks


def test_find_secrets_flags_keys_tokens_and_api_key_lines():
    text = "\n".join(
        [
            f'"content": "use {KEY} here"',
            '"authorization": "Bearer abcdefghijklmnop1234"',
            "x-api-key: key0123456789abc",
            '"X-Api-Key": "key0123456789abc"',
        ]
    )
    assert find_secrets(text) == [
        KEY,
        "Bearer abcdefghijklmnop1234",
        "x-api-key: key0123456789abc",
        'X-Api-Key": "key0123456789abc',
    ]


def test_find_secrets_leaves_the_content_of_a_recorded_stream_alone():
    signature = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds" + "+/Aa0Z9x" * 30 + "=="
    text = "\n".join(
        [
            stream_body("claude-sonnet-4-6").decode("utf-8"),
            '{"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "request-id": "req_011CSHoEeqs5C35K2UUqR7Fy"}',
            '{"type": "tool_use", "id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6"}',
            f'{{"type": "signature_delta", "signature": "{signature}"}}',
            '"authorization": "Bearer [redacted]", "x-api-key": "[redacted]"',
            "curl -H 'x-api-key: $ANTHROPIC_API_KEY' and a sk-ant-... placeholder",
            "The bearer of bad news; Bearer authentication uses a token.",
        ]
    )
    assert find_secrets(text) == []


def test_a_cookie_value_echoed_bare_in_a_body_is_redacted():
    _, secrets = scrub_headers(
        [("set-cookie", "session=COOKIE-4f1c9a2b; Path=/; HttpOnly"), ("cookie", "a=first-value-1; b=second-value-2")]
    )
    body = b'{"echo": "COOKIE-4f1c9a2b", "also": "second-value-2", "path": "Path=/; HttpOnly"}'
    assert redact(body, secrets) == b'{"echo": "[redacted]", "also": "[redacted]", "path": "Path=/; HttpOnly"}'


def test_a_key_echoed_in_overlapping_pieces_cannot_be_rebuilt():
    first, second = KEY[:20], KEY[12:]  # each shorter than the key, together all of it
    body = f"The key starts {first} and ends {second}.".encode()
    redacted = redact(body, [KEY])
    assert redacted == b"The key starts [redacted] and ends [redacted]."
    for start in range(len(KEY) - 7):
        assert KEY[start : start + 8].encode() not in redacted


def test_a_piece_split_across_chunks_is_redacted_and_a_name_with_spaces_only_whole():
    piece = KEY[5:18].encode()
    chunks = [Chunk(0.1, b"before " + piece[:6]), Chunk(0.2, piece[6:] + b" after Organization")]
    merged = redact_chunks(chunks, [KEY, "Acme Organization"])
    assert b"".join(chunk.data for chunk in merged) == b"before [redacted] after Organization"
    assert [chunk.at for chunk in merged] == [0.2]


def test_gateway_credentials_and_quoted_cookies_are_secrets_and_plain_words_stay_whole():
    _, secrets = scrub_headers(
        [
            ("cf-aig-authorization", "Bearer cfg-token-1234567"),
            ("x-portkey-api-key", "pk-0987654321"),
            ("cookie", 'sid="abcd1234xy"; consent=accepted'),
        ]
    )
    assert {"cfg-token-1234567", "pk-0987654321", "abcd1234xy", "accepted"} <= set(secrets)
    body = b'{"sid": "abcd1234xy", "note": "the terms were accepted; part abcd1234 too"}'
    assert redact(body, secrets) == b'{"sid": "[redacted]", "note": "the terms were [redacted]; part [redacted] too"}'
    assert redact(b"an accepted answer, acceptedly", ["accepted"]) == b"an [redacted] answer, [redacted]ly"
    assert redact(b"one acceptance", ["accepted"]) == b"one acceptance"  # whole only: no piece of a plain word

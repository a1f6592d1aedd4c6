"""A real ASGI chat backend for Guardian's tests, served by uvicorn as the incident's FastAPI/Starlette backend was.

It speaks the protocol of the Java test backend (testing/ChatBackend.java):
  {"type":"ping","session":S}  -> {"type":"pong","session":S}
  {"type":"chat","session":S}  -> agent_started, agent_thinking, tool_executing, tool_completed, agent_completed,
                                  each {"type":EVENT,"session":S}, in that order
  {"type":"keepalive"}         -> nothing (an application-level keepalive)
  anything else                -> {"type":"unknown"}; text that is not a JSON object -> {"type":"error",...}

The WebSocket ping cadence is uvicorn's, not this app's: with uvicorn's websockets implementation, the server sends
a PING frame every --ws-ping-interval seconds and closes the connection with 1011 when a PONG does not come within
--ws-ping-timeout. Run, from this directory:

  python3 -m uvicorn chat_backend:app --host 127.0.0.1 --port 8080 --ws websockets \
      --ws-ping-interval 45 --ws-ping-timeout 20 --lifespan off

GET on any path answers 200 "ok" (a plain HTTP health endpoint).
"""
import json

AGENT_EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")
SUBPROTOCOL = "chat.v1"


async def app(scope, receive, send):
    if scope["type"] == "websocket":
        await chat(scope, receive, send)
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": b"ok\n"})


async def chat(scope, receive, send):
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    accept = {"type": "websocket.accept"}
    if SUBPROTOCOL in scope.get("subprotocols", ()):
        accept["subprotocol"] = SUBPROTOCOL
    await send(accept)
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        for reply in replies(message.get("text")):
            await send({"type": "websocket.send", "text": json.dumps(reply, separators=(",", ":"))})


def replies(text):
    """The frames answering one text frame (a binary frame arrives as text None)."""
    try:
        incoming = json.loads(text) if text is not None else None
    except ValueError:
        incoming = None
    if not isinstance(incoming, dict):
        return [{"type": "error", "detail": "not json"}]
    session = incoming.get("session", "")
    kind = incoming.get("type")
    if kind == "ping":
        return [{"type": "pong", "session": session}]
    if kind == "chat":
        return [{"type": event, "session": session} for event in AGENT_EVENTS]
    if kind == "keepalive":
        return []
    return [{"type": "unknown"}]

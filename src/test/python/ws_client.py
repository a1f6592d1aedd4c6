"""A scripted WebSocket client on Python's `websockets` (Debian's python3-websockets), driven by JUnit: commands
arrive as JSON lines on stdin, events leave as JSON lines on stdout (each with `t`, milliseconds since start).

    /usr/bin/python3 ws_client.py <url> '<options JSON>'

options: {"protocols": ["a", "b"], "headers": {...}}
commands: {"op": "text", "data": "..."} {"op": "binary", "hex": "0102"} {"op": "fragments", "parts": [...],
          "binary": false} {"op": "close", "code": 4000, "reason": "bye"}
events: open (protocol), message (type, data or hex), close (code, reason), unexpected-response (status, body),
        error (message)
"""
import asyncio
import json
import sys
import time

import websockets

STARTED = time.monotonic()


def emit(**event):
    event = {"t": int((time.monotonic() - STARTED) * 1000), **event}
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


async def commands(ws):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        c = json.loads(line)
        op = c["op"]
        if op == "text":
            await ws.send(c["data"])
        elif op == "binary":
            await ws.send(bytes.fromhex(c["hex"]))
        elif op == "fragments":
            parts = [bytes.fromhex(p) for p in c["parts"]] if c.get("binary") else c["parts"]
            await ws.send(parts)  # an iterable is sent as one fragmented message
        elif op == "close":
            await ws.close(code=c.get("code", 1000), reason=c.get("reason", ""))
            return


async def main(url, options):
    try:
        ws = await websockets.connect(url, subprotocols=options.get("protocols") or None,
                                      extra_headers=options.get("headers") or {}, compression=None,
                                      ping_interval=None, max_size=16 * 1024 * 1024)
    except websockets.exceptions.InvalidStatusCode as e:
        emit(event="unexpected-response", status=e.status_code,
             retryAfter=e.headers.get("Retry-After") if hasattr(e, "headers") else None)
        return
    except Exception as e:  # noqa: BLE001 - reported to the test
        emit(event="error", message=str(e))
        return
    emit(event="open", protocol=ws.subprotocol)
    sender = asyncio.ensure_future(commands(ws))
    try:
        async for message in ws:
            if isinstance(message, bytes):
                emit(event="message", type="binary", hex=message.hex())
            else:
                emit(event="message", type="text", data=message)
    except websockets.exceptions.ConnectionClosed:
        pass
    await ws.wait_closed()
    emit(event="close", code=ws.close_code, reason=ws.close_reason)
    sender.cancel()
    # stdin may still be blocked in a reader thread: leave without waiting for it
    sys.stdout.flush()
    import os
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}))

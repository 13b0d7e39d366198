"""Graceful shutdown (app/core/shutdown.py): the drain between the stop signal and uvicorn's shutdown."""

import asyncio
import os
import signal
import time
from collections.abc import Callable, Iterator
from types import FrameType

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app.core.shutdown import CloseWhileDraining, Drain


@pytest.fixture
def draining(app: FastAPI) -> Iterator[None]:
    drain: Drain = app.state.drain
    drain.draining = True
    try:
        yield
    finally:
        drain.draining = False


async def test_ready_is_503_while_draining(client: httpx.AsyncClient, draining: None) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["status"] == "draining"
    assert response.json()["database"] == "ok"


async def test_every_response_closes_its_connection_while_draining(client: httpx.AsyncClient, draining: None) -> None:
    for path in ("/health/live", "/health/ready", "/users", "/users/999999"):
        response = await client.get(path)
        assert response.headers["Connection"] == "close", path
    # Liveness is unaffected: a draining service must not be restarted.
    assert (await client.get("/health/live")).status_code == 200


async def test_connections_are_kept_when_not_draining(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert "Connection" not in response.headers


class ServerHandler:
    """Stands in for uvicorn's stop-signal handler: records the signals passed on to it."""

    def __init__(self) -> None:
        self.signals: list[int] = []

    def __call__(self, sig: int, frame: FrameType | None) -> None:
        self.signals.append(sig)


@pytest.fixture
def server_handler() -> Iterator[ServerHandler]:
    """SIGTERM handled by a server, as while uvicorn serves."""
    handler = ServerHandler()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield handler
    finally:
        signal.signal(signal.SIGTERM, previous)


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait for the event loop to run the signal's callbacks (bounded, so a bug fails instead of hanging)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_first_signal_starts_the_drain_and_a_second_passes_on(server_handler: ServerHandler) -> None:
    drain = Drain(seconds=3600)
    async with drain.holding_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        await eventually(lambda: drain.draining)
        assert server_handler.signals == []  # held back: the server keeps serving
        os.kill(os.getpid(), signal.SIGTERM)
        await eventually(lambda: server_handler.signals == [signal.SIGTERM])
    assert signal.getsignal(signal.SIGTERM) is server_handler


async def test_signal_is_passed_on_when_the_drain_ends(server_handler: ServerHandler) -> None:
    drain = Drain(seconds=0.1)
    async with drain.holding_signals():
        os.kill(os.getpid(), signal.SIGTERM)
        await eventually(lambda: server_handler.signals == [signal.SIGTERM])
        assert drain.draining


async def test_signals_left_alone_without_a_drain_or_a_server(server_handler: ServerHandler) -> None:
    async with Drain(seconds=0).holding_signals():
        assert signal.getsignal(signal.SIGTERM) is server_handler
    # Python's own Ctrl-C (KeyboardInterrupt) is not a server's handler: it keeps working as usual.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        async with Drain(seconds=3600).holding_signals():
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


async def test_requests_arriving_extend_the_drain_up_to_twice_its_length(server_handler: ServerHandler) -> None:
    async def no_content(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    drain = Drain(seconds=0.5)
    transport = httpx.ASGITransport(app=CloseWhileDraining(no_content, drain))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client, drain.holding_signals():
        signalled = time.monotonic()
        os.kill(os.getpid(), signal.SIGTERM)
        await eventually(lambda: drain.draining)
        # Requests never stop arriving: only the deadline, twice the drain's length, ends it.
        while not server_handler.signals:
            assert (await client.get("/")).headers["Connection"] == "close"
            assert time.monotonic() - signalled < 30, "the drain never ended"
            await asyncio.sleep(0.02)
    assert server_handler.signals == [signal.SIGTERM]
    assert time.monotonic() - signalled >= 2 * drain.seconds

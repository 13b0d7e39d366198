"""A small async load generator: what each request got, and how long it took.

A request whose connection is dropped, refused or timed out on the client is recorded as an
error (status None): to the service's clients that is a failure, unlike a 503 with Retry-After.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

CLIENT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Outcome:
    started: float  # monotonic
    latency: float
    status: int | None
    retry_after: bool
    error: str | None = None


@dataclass
class Record:
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, started: float, response: httpx.Response | None, error: BaseException | None = None) -> None:
        latency = time.monotonic() - started
        if response is None:
            self.outcomes.append(Outcome(started, latency, None, False, f"{type(error).__name__}: {error}"))
        else:
            self.outcomes.append(Outcome(started, latency, response.status_code, "retry-after" in response.headers))

    @property
    def statuses(self) -> Counter[int | None]:
        return Counter(o.status for o in self.outcomes)

    @property
    def worst_latency(self) -> float:
        return max((o.latency for o in self.outcomes), default=0.0)

    def after(self, moment: float) -> "Record":
        return Record([o for o in self.outcomes if o.started >= moment])

    def summary(self) -> str:
        errors = Counter(o.error for o in self.outcomes if o.error)
        return (
            f"{len(self.outcomes)} requests, statuses {dict(sorted(self.statuses.items(), key=str))}, "
            f"worst {self.worst_latency:.2f}s, errors {dict(errors.most_common(3))}"
        )


async def timed(
    record: Record, client: httpx.AsyncClient, method: str, url: str, **kwargs: object
) -> httpx.Response | None:
    started = time.monotonic()
    try:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        record.add(started, None, error)
        return None
    record.add(started, response)
    return response


async def steady(
    client: httpx.AsyncClient,
    record: Record,
    request: Callable[[httpx.AsyncClient, Record], Awaitable[object]],
    workers: int,
    until: asyncio.Event,
) -> None:
    """`workers` clients each sending `request` back to back until `until` is set."""

    async def worker() -> None:
        while not until.is_set():
            await request(client, record)

    await asyncio.gather(*(worker() for _ in range(workers)))


def client(base_url: str, connections: int = 64, timeout: float = CLIENT_TIMEOUT) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits)

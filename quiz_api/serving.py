"""When a request arrived: uvicorn's HTTP protocol, noting it in the ASGI scope.

Over capacity (more requests than the CPU answers), the event loop takes new connections from the
kernel's listen queue only as fast as it answers them, and the wait happens there, out of the
application's sight. Measured (bench/burst_bench.py --register, 2,000 learners registering and
starting within 10 s, on two cores shared with other work): 1,200 connections waited in the
listen queue and answers took up to 15 s, while every request took under 0.5 s once the
application saw it and the group-commit writer's queue stayed short. So the arrival is taken
from the kernel: TCP_INFO's tcpi_last_data_recv, read when the connection is accepted, is the age
of the last bytes the connection received, i.e. how long its first request has waited, when that
request is already there (FIONREAD). A connection opened ahead of need (browsers preconnect, then
send their first request seconds later) has nothing to read when accepted: its first request, like
every later one, arrives when uvicorn starts reading it. (Taking the accept time for those once
refused a phone's quiz page with 503 after a minute's idle preconnected socket.) main.App answers a request
that waited longer than its budget with 503 server_busy before any other work (shedding early
frees the CPU a full answer would cost for the requests that can still be answered in time).
"""

from __future__ import annotations

import array
import asyncio
import fcntl
import socket
import struct
import termios
import time
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ARRIVAL = "kynangso.arrival"  # scope["extensions"][ARRIVAL]["at"]: time.monotonic() when the request arrived
_TCP_INFO_LEN = 104
_LAST_DATA_RECV = 52  # offset of tcpi_last_data_recv (u32, milliseconds) in Linux's struct tcp_info


def kernel_wait(sock: Any) -> float:
    """Seconds since the connection last received data (its first request, when just accepted);
    0 where TCP_INFO is not available."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_LEN)
    except (OSError, AttributeError):
        return 0.0
    if len(info) < _LAST_DATA_RECV + 4:
        return 0.0
    return struct.unpack_from("I", info, _LAST_DATA_RECV)[0] / 1000


def bytes_waiting(sock: Any) -> int:
    """Bytes the kernel holds for the connection, not yet read (FIONREAD); 0 where unknown."""
    try:
        count = array.array("i", [0])
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, count, True)
        return count[0]
    except (OSError, AttributeError, ValueError):
        return 0


def waited(scope: dict) -> float:
    """Seconds since the request arrived, as ArrivalProtocol noted it; 0 when it did not (tests)."""
    arrival = (scope.get("extensions") or {}).get(ARRIVAL)
    return time.monotonic() - arrival["at"] if arrival else 0.0


class ArrivalProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, adding when each request arrived to its scope (`kynangso
    serve` runs it)."""

    arrived: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None and bytes_waiting(sock):  # its first request waited in the listen queue
            self.arrived = time.monotonic() - kernel_wait(sock)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        arrived, self.arrived = self.arrived, None  # only the first request waited in the listen queue
        self.scope["extensions"] = {ARRIVAL: {"at": arrived if arrived is not None else time.monotonic()}}

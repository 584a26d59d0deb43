"""serving.kernel_wait: how long a connection's first request waited in the kernel's listen queue,
the wait nothing inside the application sees (Linux TCP_INFO)."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from quiz_api.serving import bytes_waiting, kernel_wait

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="TCP_INFO's layout is Linux's")


def test_a_request_left_in_the_listen_queue_shows_its_wait():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        with socket.create_connection(listener.getsockname()) as client:
            client.sendall(b"POST /api/v1/learners HTTP/1.1\r\n\r\n")
            time.sleep(0.3)  # a busy server has not accepted it yet
            accepted, _ = listener.accept()
            with accepted:
                assert 0.25 <= kernel_wait(accepted) < 5
        with socket.create_connection(listener.getsockname()) as client:
            client.sendall(b"GET / HTTP/1.1\r\n\r\n")
            time.sleep(0.05)
            accepted, _ = listener.accept()
            with accepted:
                assert kernel_wait(accepted) < 0.25  # accepted at once: no wait to speak of


def test_something_that_is_not_a_tcp_socket_has_no_wait():
    left, right = socket.socketpair()
    with left, right:
        assert kernel_wait(left) == 0.0
    assert kernel_wait(object()) == 0.0


def test_bytes_waiting_tells_a_connection_with_a_request_from_one_opened_ahead():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        with socket.create_connection(listener.getsockname()) as client:
            accepted, _ = listener.accept()
            with accepted:
                assert bytes_waiting(accepted) == 0  # preconnected: nothing sent yet
                client.sendall(b"GET / HTTP/1.1\r\n\r\n")
                time.sleep(0.05)
                assert bytes_waiting(accepted) == 18
    assert bytes_waiting(object()) == 0


def test_a_connection_opened_ahead_of_its_first_request_does_not_count_its_idle_time():
    """Browsers open connections before they need them. Its first request, sent 1.2 s after the
    connection was accepted, arrives when it is sent: served, not refused as late (once it was)."""
    import threading

    import uvicorn

    from quiz_api.serving import ARRIVAL, ArrivalProtocol, waited

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = f"{waited(scope):.3f} {ARRIVAL in scope['extensions']}".encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, http=ArrivalProtocol, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.01)
        with socket.create_connection(sock.getsockname()) as client:
            time.sleep(1.2)
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := client.recv(4096):
                answer += chunk
            answer = answer.decode()
        wait, noted = answer.rsplit("\r\n\r\n", 1)[1].split()
        assert noted == "True" and float(wait) < 0.5, answer
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()

"""serving.kernel_wait: how long a connection's first request waited in the kernel's listen queue,
the wait nothing inside the application sees (Linux TCP_INFO)."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from quiz_api.serving import kernel_wait

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

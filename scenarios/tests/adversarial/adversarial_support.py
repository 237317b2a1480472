"""What the adversarial suites share: a `conflictlab serve` process (the
shared serve_process.SqliteServe, re-exported as ServeProcess), raw
socket exchanges, a slow-loris crowd, latency medians and the file
descriptor budget of the test process. Standard library only.

Every wait is bounded (socket timeouts, deadlines on polls); no assertion
compares a duration with an absolute time: latency under attack is compared
with the same clients' latency measured without it, in the same test.
"""

import resource
import socket
import statistics
import struct
import threading
import time

from serve_process import SqliteServe as ServeProcess  # noqa: F401 (the suites' service)

SETTLE_S = 60  # upper bound for queued work to finish on a slow, shared box


def raise_nofile(needed):
    """Raises the soft RLIMIT_NOFILE of this process (and so of the servers
    it starts, which inherit it) to at least `needed`, within the hard limit.
    Returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def event(eid, resource, **extra):
    e = {"event_id": eid, "resource_id": resource, "method": "PATCH",
         "payload": {"last": eid}}
    e.update(extra)
    return e


def parse_response(raw):
    """(status, headers dict with lower-case names, body bytes) of the first
    response in `raw`, or (None, {}, b"") when nothing came back."""
    if not raw:
        return None, {}, b""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return status, headers, body


def exchange(host, port, data, timeout=10, read_limit=1 << 22, half_close=False):
    """Sends `data` on a fresh connection (then optionally shuts down the
    sending side) and returns everything read until the server closes, the
    timeout or `read_limit`."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if half_close:
            s.shutdown(socket.SHUT_WR)
        chunks, total = [], 0
        try:
            while total < read_limit:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except (socket.timeout, ConnectionResetError):
            pass
        return b"".join(chunks)


def count_responses(data):
    """Status codes of the complete HTTP/1.1 responses in `data`, in order
    (responses framed by Content-Length)."""
    statuses = []
    at = 0
    while True:
        end = data.find(b"\r\n\r\n", at)
        if end < 0:
            break
        head = data[at:end].decode(errors="replace").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if end + 4 + length > len(data):
            break
        statuses.append(int(head[0].split(" ")[1]))
        at = end + 4 + length
    return statuses


def reset_close(sock):
    """Closes with SO_LINGER 0: the peer sees a reset, as when a client
    process dies or a middlebox drops the connection."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def median_latency(call, samples):
    """Median wall time of `samples` calls of `call()` (each must succeed)."""
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class SlowLoris:
    """`count` connections that each send a request line and then trickle
    one header byte per connection every `interval_s`, never finishing the
    header block. The trickle runs on one thread until close()."""

    def __init__(self, host, port, count, interval_s=0.5, target=b"/healthz"):
        self.sockets = []
        self.closed_by_server = 0
        for _ in range(count):
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: loris\r\nX-Loris: ")
            s.setblocking(False)
            self.sockets.append(s)
        self._stop = threading.Event()
        self._interval = interval_s
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self):
        while not self._stop.wait(self._interval):
            with self._lock:
                for s in self.sockets:
                    if s.fileno() < 0:
                        continue
                    try:
                        s.send(b"a")
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        s.close()
                        self.closed_by_server += 1

    def open_count(self):
        """Connections the server has not closed: a closed one reads EOF or
        fails; an open one has nothing to read."""
        n = 0
        with self._lock:
            for s in self.sockets:
                if s.fileno() < 0:
                    continue
                try:
                    data = s.recv(1)
                    if data:
                        n += 1  # an answer (not expected): still counted as open
                except (BlockingIOError, InterruptedError):
                    n += 1
                except OSError:
                    pass
        return n

    def close(self):
        self._stop.set()
        self._thread.join(timeout=10)
        for s in self.sockets:
            if s.fileno() >= 0:
                s.close()

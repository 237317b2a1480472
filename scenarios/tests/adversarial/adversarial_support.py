"""What the adversarial suites share: a `conflictlab serve` process, raw
socket exchanges, a slow-loris crowd, latency medians and the file
descriptor budget of the test process. Standard library only.

Every wait is bounded (socket timeouts, deadlines on polls); no assertion
compares a duration with an absolute time: latency under attack is compared
with the same clients' latency measured without it, in the same test.
"""

import http.client
import json
import queue
import re
import resource
import signal
import socket
import statistics
import struct
import subprocess
import threading
import time

from binaries import REQUEST_TIMEOUT_S, START_TIMEOUT_S, STOP_TIMEOUT_S, conflictlab_bin

SERVE_LISTENING = re.compile(r"^listening on http://([^\s]+):(\d+)$")
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


class ServeProcess:
    """A running `conflictlab serve` on 127.0.0.1 with an ephemeral port."""

    def __init__(self, target, db, policy_path, *args, env=None, listen="127.0.0.1:0"):
        cmd = [conflictlab_bin(), "serve", "--target", target, "--policy", policy_path,
               "--db", db, "--listen", listen, "--conflict-log", db + ".conflicts.log", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, env=env)
        self._lines = queue.Queue()
        self._stdout = []
        self._stderr = []
        self._readers = [threading.Thread(target=self._drain_out, daemon=True),
                         threading.Thread(target=self._drain_err, daemon=True)]
        for t in self._readers:
            t.start()
        try:
            first = self._lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            first = None
        m = SERVE_LISTENING.match(first or "")
        if not m:
            self.kill()
            raise AssertionError(f"serve did not start: {first!r}, stderr {self.stderr()!r}")
        self.host, self.port = m.group(1), int(m.group(2))

    def _drain_out(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode(errors="replace")
            self._stdout.append(line)
            self._lines.put(line.rstrip("\n"))

    def _drain_err(self):
        for raw in iter(self.proc.stderr.readline, b""):
            self._stderr.append(raw.decode(errors="replace"))

    def stdout(self):
        return "".join(self._stdout)

    def stderr(self):
        return "".join(self._stderr)

    def alive(self):
        return self.proc.poll() is None

    def request(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT_S):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def post_event(self, event=None, headers=None, raw=None):
        body = raw if raw is not None else json.dumps(event).encode()
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return self.request("POST", "/webhook", body, h)

    def metric(self, name_and_labels):
        """The value of one metric line, e.g.
        'conflictlab_service_webhooks_total{result="accepted"}'."""
        text = self.request("GET", "/metrics")[2].decode()
        for line in text.splitlines():
            if line.startswith(name_and_labels + " "):
                return float(line.split()[-1])
        raise AssertionError(f"{name_and_labels} not in /metrics")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S + 15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        for t in self._readers:
            t.join(timeout=5)
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT_S)


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

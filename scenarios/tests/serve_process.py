"""A running `conflictlab serve` for the pytest suites (service, adversarial,
scale-out): started with its arguments, found on the ephemeral port its first
stdout line names, its output drained by threads (kept for assertions), and
stopped with SIGTERM (SIGKILL after a bound). One class for every suite, so a
change to how the service starts or prints its address is made once.
Standard library only."""

import json
import queue
import re
import signal
import subprocess
import threading

from binaries import (LISTENING, REQUEST_TIMEOUT_S, START_TIMEOUT_S, STOP_TIMEOUT_S,
                      conflictlab_bin, http_call)


class ServeProcess:
    """`conflictlab serve ARGS...`; `args` must include a --listen with port 0
    (or the suite's own address)."""

    def __init__(self, args, env=None):
        self.proc = subprocess.Popen([conflictlab_bin(), "serve", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, env=env)
        self._lines = queue.Queue()
        self._stdout = []
        self._stderr = []
        self._readers = [threading.Thread(target=self._drain_out, daemon=True),
                         threading.Thread(target=self._drain_err, daemon=True)]
        for t in self._readers:
            t.start()
        first = self.next_line()
        m = LISTENING.match(first or "")
        if not m:
            self.kill()
            raise AssertionError(f"serve did not start: {first!r}, stderr {self.stderr()!r}")
        self.host, self.port = m.group(2), int(m.group(3))

    def next_line(self):
        """The next stdout line, or None after START_TIMEOUT_S without one."""
        try:
            return self._lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            return None

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

    def call(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT_S):
        """One request on a fresh connection: (status, headers, body bytes)."""
        return http_call(self.host, self.port, method, path, body, headers, timeout)

    request = call

    def post_event(self, event=None, headers=None, raw=None):
        body = raw if raw is not None else json.dumps(event).encode()
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return self.call("POST", "/webhook", body, h)

    def status(self, correlation_id):
        status, _, body = self.call("GET", "/events/" + correlation_id)
        assert status == 200, body
        return json.loads(body)

    def metrics(self):
        return self.call("GET", "/metrics")[2].decode()

    def metric(self, name_and_labels):
        """The value of one metric line, e.g.
        'conflictlab_service_webhooks_total{result="accepted"}'."""
        for line in self.metrics().splitlines():
            if line.startswith(name_and_labels + " "):
                return float(line.split()[-1])
        raise AssertionError(f"{name_and_labels} not in /metrics")

    def metric_sum(self, name):
        """The sum of a metric over all its label sets."""
        return sum(int(v) for v in re.findall("^" + re.escape(name) + r"(?:\{[^}]*\})? (\d+)$",
                                              self.metrics(), re.M))

    def stop(self):
        """SIGTERM, then SIGKILL if it has not exited in time; the exit code."""
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


def sqlite_serve_args(target, db, policy_path, *args, listen="127.0.0.1:0"):
    """The arguments of a service on the embedded SQLite queue at `db`."""
    return ["--target", target, "--policy", policy_path, "--db", db, "--listen", listen,
            "--conflict-log", db + ".conflicts.log", *args]


class SqliteServe(ServeProcess):
    """`conflictlab serve` on the embedded SQLite queue."""

    def __init__(self, target, db, policy_path, *args, env=None, listen="127.0.0.1:0"):
        super().__init__(sqlite_serve_args(target, db, policy_path, *args, listen=listen), env=env)

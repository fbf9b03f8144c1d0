"""Starts a real `dogwatch serve` (binary from $DOGWATCH_BIN) on free ports with a temporary data dir."""

import os
import pathlib
import queue
import shutil
import socket
import subprocess
import tempfile
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
API_KEY = "compat-api-key"
APP_KEY = "compat-app-key"


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir, http_port, statsd_port):
        self.data_dir = data_dir
        self.http_port = http_port
        self.statsd_port = statsd_port
        self.base = f"http://127.0.0.1:{http_port}"
        # host:port of the trace agent's endpoints, from the listening line ("traces on http://…,").
        self.apm = None
        self.otlp = None
        self.proc = None

    def start(self):
        binary = os.environ.get("DOGWATCH_BIN", str(ROOT / "target/debug/dogwatch"))
        self.proc = subprocess.Popen(
            [
                binary, "serve",
                "--addr", f"127.0.0.1:{self.http_port}",
                "--statsd-addr", f"127.0.0.1:{self.statsd_port}",
                "--apm-addr", "127.0.0.1:0",
                "--otlp-addr", "127.0.0.1:0",
                "--statsd-flush-secs", "1",
                "--data", self.data_dir,
                "--api-key", API_KEY,
                "--app-key", APP_KEY,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in self.proc.stdout], daemon=True).start()
        while True:
            try:
                line = lines.get(timeout=20)
            except queue.Empty:
                raise RuntimeError("dogwatch did not print its listening line within 20 s")
            if "listening on" in line:
                self.apm = line.split("traces on http://", 1)[1].split(",", 1)[0]
                self.otlp = line.split("OTLP on http://", 1)[1].split(",", 1)[0]
                return

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture
def server():
    data_dir = tempfile.mkdtemp(prefix="dogwatch-compat-")
    srv = Server(data_dir, free_port(), free_port(socket.SOCK_DGRAM))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

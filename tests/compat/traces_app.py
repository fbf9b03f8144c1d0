"""A Flask app for the trace tests, run under the real `ddtrace-run`: each answer is the id of the
trace its request made, so the test can read that trace back from dogwatch. `/boom` raises."""

import sys

from ddtrace import tracer
from flask import Flask

app = Flask(__name__)


@app.route("/hello")
def hello():
    return str(tracer.current_root_span().trace_id & ((1 << 64) - 1))


@app.route("/boom")
def boom():
    raise RuntimeError("<script>alert(1)</script>")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))

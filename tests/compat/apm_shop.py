"""Two Flask services for the APM tests, each run under the real `ddtrace-run`:

    apm_shop.py web PORT PRICES_PORT DB    # shop-web: /checkout calls price-api over HTTP and
                                           # queries sqlite3; /fail calls price-api, then raises
    apm_shop.py prices PORT DB             # price-api: /price queries sqlite3

`/checkout` answers the id of the trace its request made, so a test can read it back."""

import sqlite3
import sys

import requests
from ddtrace import tracer
from flask import Flask

app = Flask(__name__)
ROLE, PORT = sys.argv[1], int(sys.argv[2])
PRICES = f"http://127.0.0.1:{sys.argv[3]}" if ROLE == "web" else None
DB = sys.argv[-1]


def query(sql, *args):
    with sqlite3.connect(DB) as db:
        return db.execute(sql, args).fetchall()


if ROLE == "web":

    @app.route("/checkout")
    def checkout():
        price = requests.get(f"{PRICES}/price", timeout=5).text
        query("SELECT ?", price)
        return str(tracer.current_root_span().trace_id & ((1 << 64) - 1))

    @app.route("/fail")
    def fail():
        requests.get(f"{PRICES}/price", timeout=5)
        raise RuntimeError("<script>alert('span')</script>")

else:

    @app.route("/price")
    def price():
        return str(query("SELECT 42")[0][0])


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT)

"""A real SMTP server for the tests (aiosmtpd from the test venv): writes each accepted message to
<dir>/<uuid>.json (sender, recipients, raw content, arrival time) before it answers 250, and prints
"ready" once it accepts connections. Usage: python smtp_sink.py DIR PORT. Used by the server's
integration tests (crates/dogwatch-server/tests/it/support/smtp.rs) and the browser tests."""

import json
import os
import sys
import time
import uuid

from aiosmtpd.controller import Controller

out, port = sys.argv[1], int(sys.argv[2])


class Handler:
    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(out, uuid.uuid4().hex + ".json")
        with open(name + ".tmp", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "content": envelope.content.decode("utf-8", "replace"),
                    "at": time.time(),
                },
                f,
            )
        os.rename(name + ".tmp", name)
        return "250 Message accepted for delivery"


controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)

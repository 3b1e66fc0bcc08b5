"""A local SMTP server (aiosmtpd) in a process of its own that notes when each message
arrives: ``python -m bench.smtp_sink PORT``. It prints "ready" once it listens, and the
arrival times (JSON) once its standard input closes.

Its own process, so that the server's work never waits on the benchmark's (a mail
server is never inside the sender's process either).
"""

import json
import logging
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.arrivals.append(time.perf_counter())
        return "250 OK"


def main() -> None:
    # aiosmtpd logs every SMTP command at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    try:
        print("ready", flush=True)
        sys.stdin.read()
    finally:
        controller.stop()
    with inbox.lock:
        print(json.dumps(inbox.arrivals), flush=True)


if __name__ == "__main__":
    main()

"""A real SMTP server for the tests and the benchmark (aiosmtpd).

Every accepted message is written to DIR as <n>.eml. Prints "READY <port>" once
listening. Modes, to make failures happen on purpose:

  --slow SECONDS   hold each DATA this long before answering; while holding,
                   a file DIR/inflight-* exists. If the client has gone when the wait is
                   over (killed mid-send), the message is not kept, as a relay
                   that had not yet answered 250 would not have queued it.
  --tempfail N     answer the first N messages with 451 (try again later).
  --reject ADDR    answer 550 (permanent) for messages to ADDR.
  --discard        count messages but write nothing (benchmark).
"""

import argparse
import asyncio
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, args):
        self.dir = args.dir
        self.slow = args.slow
        self.tempfail = args.tempfail
        self.reject = set(a.lower() for a in args.reject)
        self.discard = args.discard
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if any(r.lower() in self.reject for r in envelope.rcpt_tos):
            return "550 5.1.1 Mailbox unavailable"
        if self.tempfail > 0:
            self.tempfail -= 1
            return "451 4.3.0 Try again later"
        if self.slow > 0:
            marker = os.path.join(self.dir, f"inflight-{id(envelope)}")
            open(marker, "w").close()
            try:
                await asyncio.sleep(self.slow)
            except asyncio.CancelledError:
                # aiosmtpd cancels the handler when the client disconnects.
                print("dropped: client went away before 250", flush=True)
                raise
            try:
                os.remove(marker)
            except FileNotFoundError:
                pass
            transport = server.transport
            if transport is None or transport.is_closing():
                print("dropped: client went away before 250", flush=True)
                return "421 4.4.2 Connection dropped"
        self.count += 1
        if not self.discard:
            name = os.path.join(self.dir, f"{os.getpid()}-{self.count:06d}.eml")
            with open(name + ".tmp", "wb") as f:
                f.write(envelope.original_content)
            os.replace(name + ".tmp", name)
        return "250 2.0.0 OK"


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--slow", type=float, default=0.0)
    p.add_argument("--tempfail", type=int, default=0)
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--discard", action="store_true")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.localhost", decode_data=False,
                     data_size_limit=10 * 1024 * 1024),
        host="127.0.0.1", port=args.port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {args.port}", flush=True)
    await stop.wait()
    server.close()
    print(f"accepted {sink.count}", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

"""CLI: python3 -m fake_flickr --account sample [--port 0] [--ready-file PATH] ..."""

import argparse
import json
import os
import signal
import sys
import threading

from .account import generate_account, sample_account
from .server import FakeFlickr


def _account(spec: str):
    if spec == "sample":
        return sample_account()
    if spec.startswith(("generated:", "generate:")):
        parts = spec.split(":")
        return generate_account(int(parts[1]), seed=int(parts[2]) if len(parts) > 2 else 1)
    raise SystemExit(f"fake_flickr: unknown account '{spec}' (sample | generated:N[:SEED])")


def _write_ready(path: str, info: dict):
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(info, f)
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="fake_flickr", description="Run the fake Flickr server.")
    ap.add_argument("--account", default="sample", help="sample | generated:N[:SEED]")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ready-file", help="write the connection JSON here once listening")
    ap.add_argument("--api-latency", type=float, default=0.0, help="seconds per API call")
    ap.add_argument("--media-latency", type=float, default=0.0, help="seconds per media request")
    ap.add_argument("--no-oauth", action="store_true", help="accept unsigned REST calls")
    args = ap.parse_args(argv)

    fake = FakeFlickr(_account(args.account), host=args.host, port=args.port)
    fake.api_latency, fake.media_latency = args.api_latency, args.media_latency
    fake.require_oauth = not args.no_oauth
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    fake.start()
    info = fake.ready_info()
    if args.ready_file:
        _write_ready(args.ready_file, info)
    print(json.dumps(info), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

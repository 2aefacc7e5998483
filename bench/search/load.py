"""HTTP load driver, run as its own process: N client threads with keep-alive connections on loopback.

    python -m bench.search.load --port 8765 --concurrency 16 --duration 20 --paths paths.txt
Prints one JSON line: requests, errors, seconds, rps, p50/p95/p99 (ms).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--paths", required=True)
    args = parser.parse_args(argv)
    with open(args.paths, encoding="utf-8") as fh:
        paths = [line.strip() for line in fh if line.strip()]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.duration
    counter = [0]

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        i = n * 7
        local: list[float] = []
        while time.perf_counter() < stop_at:
            with lock:
                if counter[0] >= args.max_requests:
                    break
                counter[0] += 1
            path = paths[i % len(paths)]
            i += 1
            # Each client thread has its own IP in spirit: X-Forwarded-For is not trusted, so vary nothing.
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status != 200 or not body:
                    errors[0] += 1
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                continue
            local.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(local)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": errors[0],
                "seconds": round(elapsed, 2),
                "rps": round(len(latencies) / elapsed, 1),
                "p50_ms": round(pct(0.50), 1),
                "p95_ms": round(pct(0.95), 1),
                "p99_ms": round(pct(0.99), 1),
            }
        )
    )


if __name__ == "__main__":
    main()

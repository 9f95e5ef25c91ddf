"""gunicorn settings; every value can be overridden on the command line or with GUNICORN_CMD_ARGS.

The worker model (docs/deployment.md, "Worker model"): each process serves reads (GET, HEAD)
from a pool of `threads` and writes (picks, leaves, forms) from a small pool of its own
(WEB_WRITE_THREADS, default 1; summit/write_pool.py), so a rush of picks queues behind itself
and never in front of the readers of the day and breakout pages.
"""

import multiprocessing
import os
import resource

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# One process per core and one more to use a core while another waits for the database; reads
# run in threads, so processes no longer have to cover waiting requests.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "summit.write_pool.WritePoolWorker"
threads = int(os.environ.get("WEB_THREADS", 4))
# Connections a process holds at once: a write waiting for the write pool holds one, not a
# thread. Beyond this they wait in the listen queue (backlog), where a reader queues behind them.
worker_connections = int(os.environ.get("WEB_CONNECTIONS", 2000))
backlog = 2048
# gthread-style workers report to the master from their main loop, so `timeout` catches a
# process that hangs, not a slow request (a request stuck in the database ends with its
# connection); graceful_timeout is how long a stopping worker finishes its queue.
timeout = 30
graceful_timeout = 20
keepalive = 5
# No recycling after N requests: a process recycled mid-rush would drop the writes queued in it.
# Memory stays flat without it (97 MB per worker after 350,000 requests, docs/benchmarks.md).
max_requests = 0
accesslog = "-"
errorlog = "-"

# Every held connection is a file descriptor: lift the soft limit to what worker_connections
# needs, and hold fewer connections where the hard limit is lower, or accept() would fail with
# EMFILE in the middle of a rush.
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if _hard != resource.RLIM_INFINITY:
    worker_connections = min(worker_connections, _hard - 256)
if _soft != resource.RLIM_INFINITY and _soft < worker_connections + 256:
    resource.setrlimit(resource.RLIMIT_NOFILE, (worker_connections + 256, _hard))

"""A gunicorn worker that keeps pages answering while a rush of writes drains (issue 16).

gunicorn's sync workers serve one request at a time each, and its threaded worker (gthread) one
queue of requests per process, first come first served: when 2,000 participants pick at the
same instant, a reader of the day page waits behind all of them (in the listen queue, or in the
thread pool's queue), seconds for a page that takes milliseconds to serve.

This worker is gthread with two thread pools. Before a request is queued, the main loop peeks at
its first byte (without reading it): GET, HEAD and OPTIONS go to the read pool (gunicorn's
``threads``), every other method to the write pool (``WEB_WRITE_THREADS`` threads, default 1).
Writes queue among themselves and at most that many run at once in a process, so a reader always
finds a thread of its own. A queued write holds a connection, not a thread; ``worker_connections``
bounds how many a process holds.

Two options favour the readers further when a rush keeps the cores busy, at the cost of a slower
drain (docs/benchmarks.md, "Reads during a rush"): ``WEB_WRITE_NICE`` runs the write threads at
that nice value, ``WEB_SWITCH_INTERVAL`` shortens how long a thread waits for the GIL (seconds;
Python's default is 0.005). Both are off by default.

A connection whose first byte has not arrived yet waits in the main loop's poller (no thread),
as gthread already does with slow clients. With TLS terminated by gunicorn itself the bytes
cannot be peeked: every request then goes to the read pool, as in plain gthread.
"""

import contextlib
import os
import selectors
import socket
import sys
import threading
import time
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

# The first byte of GET, HEAD and OPTIONS; no unsafe method (POST, PUT, PATCH, DELETE) starts so.
READ_METHOD_INITIALS = frozenset(b"GHO")


def write_threads():
    return max(1, int(os.environ.get("WEB_WRITE_THREADS") or 1))


def _lower_priority():
    # On Linux a nice value belongs to a thread: the write threads yield the CPU to the readers
    # (of this process and the others) when both want it, and have it all when no reader does.
    nice = int(os.environ.get("WEB_WRITE_NICE") or 0)
    # A system that refuses it leaves the writes at the readers' priority.
    with contextlib.suppress(OSError):
        if nice:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class WritePoolWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.wpool = None

    def init_process(self):
        # A read takes the GIL back after every query and cache call; while a write computes in the
        # same process, each of those waits up to this long.
        if os.environ.get("WEB_SWITCH_INTERVAL"):
            sys.setswitchinterval(float(os.environ["WEB_SWITCH_INTERVAL"]))
        # Before super(): the base class ends its init_process by running the main loop.
        self.wpool = futures.ThreadPoolExecutor(
            max_workers=write_threads(), thread_name_prefix="write", initializer=_lower_priority
        )
        super().init_process()

    def run(self):
        super().run()
        self.wpool.shutdown(wait=False)

    def handle_quit(self, sig, frame):
        self.wpool.shutdown(wait=False)
        super().handle_quit(sig, frame)

    def enqueue_req(self, conn):
        pool = self._pool_for(conn)
        if pool is None:
            self._wait_for_data(conn)
            return
        future = pool.submit(self.handle, conn)
        future.add_done_callback(lambda done: self.method_queue.defer(self.finish_request, conn, done))

    def _pool_for(self, conn):
        """The pool for the connection's next request, or None while none of it has arrived."""
        if self.cfg.is_ssl or conn.is_http2:
            return self.tpool
        # A kept-alive connection may hold the start of its next request already read.
        buffered = conn.parser.unreader.buf.getvalue()[:1] if conn.parser is not None else b""
        if buffered:
            first = buffered
        else:
            try:
                first = conn.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            except BlockingIOError:
                return None
            except OSError:
                return self.tpool  # a broken connection: handle() closes it
            # A connection the client closed (b"") is ended by handle() as well.
            conn.data_ready = bool(first)
        if not first or first[0] in READ_METHOD_INITIALS:
            return self.tpool
        return self.wpool

    def _wait_for_data(self, conn):
        # As gthread defers a connection that sent nothing yet: in the poller, with the keepalive
        # timeout (the same for every pending connection, so that list stays in timeout order).
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + self.cfg.keepalive
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))

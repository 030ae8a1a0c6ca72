"""Bytes between the grader and the fork server, and between a child and the server.

Frames on the control socket are `<u32 header length><u64 blob length><JSON header><blob>`: no
pickle, so a forged frame can at worst carry wrong data. A child's answer pipe carries one
`<kind byte><u64 length><body>` record (see ANSWER). Learner data held by the server lives in
a `Buffer`, never in its heap.
"""
from __future__ import annotations

import json
import mmap
import os
import socket
import struct

FRAME = struct.Struct("<IQ")
MAX_HEADER = 64 << 20

# What the runner writes to its answer pipe: one kind byte, a length, then the body.
ANSWER = struct.Struct("<cQ")
RESULT, MEMORY, RAISED, SETUP = b"R", b"M", b"X", b"S"


def send_frame(sock: socket.socket, header: dict, parts=()) -> None:
    """Send a header and, as its blob, the concatenated `parts` (bytes or memoryviews, not copied)."""
    head = json.dumps(header).encode()
    sock.sendall(FRAME.pack(len(head), sum(memoryview(p).nbytes for p in parts)) + head)
    for part in parts:
        sock.sendall(part)


def _recv_into(sock: socket.socket, view: memoryview) -> None:
    got = 0
    while got < len(view):
        n = sock.recv_into(view[got:])
        if n == 0:
            raise EOFError("the other end closed the connection")
        got += n


def recv_frame(sock: socket.socket, blob_buffer=None):
    """(header, blob): the blob in bytes, or in the Buffer that `blob_buffer(size)` returns."""
    sizes = bytearray(FRAME.size)
    _recv_into(sock, memoryview(sizes))
    head_len, blob_len = FRAME.unpack(sizes)
    if head_len > MAX_HEADER:
        raise EOFError("oversized frame header")
    head = bytearray(head_len)
    _recv_into(sock, memoryview(head))
    if blob_buffer is not None:
        blob = blob_buffer(blob_len)
        try:
            _recv_into(sock, blob.view)
        except BaseException:
            blob.close()
            raise
        return json.loads(head), blob
    data = bytearray(blob_len)
    _recv_into(sock, memoryview(data))
    return json.loads(head), bytes(data)


def write_all(fd: int, data) -> None:
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view[:1 << 20]):]


class Buffer:
    """Anonymous memory for learner data in the server (a request, an answer, captured output).

    Not the server's heap: freed heap memory keeps its contents, and every later child would
    inherit a copy, so one submission could read another's source or answers out of its own
    memory. A Buffer is unmapped when closed and, with `inherit=False`, never copied into a child
    at all (MADV_DONTFORK), even while its run is still going."""

    def __init__(self, size: int, inherit: bool = False):
        self.map = mmap.mmap(-1, max(size, 1), flags=mmap.MAP_PRIVATE)
        if not inherit:
            self.map.madvise(mmap.MADV_DONTFORK)
        self._whole = memoryview(self.map)
        self.view = self._whole[:size]

    def close(self) -> None:
        self.map.madvise(mmap.MADV_DONTNEED)   # private anonymous pages read back as zeros now
        self.view.release()
        self._whole.release()
        try:
            self.map.close()
        except BufferError:                     # a view is still alive: unmapped when it goes
            pass

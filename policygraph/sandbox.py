"""
Operating-system limits for a process that runs other people's queries: no network, bounded memory.

The SPARQL engine can be asked to fetch from other addresses (SERVICE), and no reading of the
query text can be proven to catch every spelling of that. So a query worker gives up the ability
itself: a seccomp filter makes ``socket()`` fail with EPERM for every family but local (AF_UNIX)
sockets, which the worker's pipe to the server uses. The kernel enforces it for the worker and
every thread the engine starts later; a query that tries SERVICE fails instead of connecting.
The memory ceiling is ``RLIMIT_AS``, also enforced by the kernel: an allocation past it fails and
the worker ends, and the pool starts another.

Both are Linux facilities (x86-64 and arm64 here). Elsewhere ``forbid_network`` returns False and the
server relies on its check of the parsed query alone, and says so in its log.
"""
from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys

__all__ = ["forbid_network", "limit_memory", "default_memory_limit"]

_ARCH = {  # machine → (AUDIT_ARCH_*, socket, io_uring_setup, seccomp syscall numbers)
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_EPERM = 0x00050000 | 1
_AF_UNIX = 1
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1


def _filter(arch: int, nr_socket: int, nr_io_uring: int) -> bytes:
    """
    The BPF program: socket(family != AF_UNIX) and io_uring_setup → EPERM; everything else allowed.

    io_uring is closed too because it can open sockets without the socket() system call.
    """
    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    return b"".join([
        op(_BPF_LD_W_ABS, 4),                 # seccomp_data.arch
        op(_BPF_JEQ_K, arch, 0, 6),           # another ABI: allow (the worker runs native code only)
        op(_BPF_LD_W_ABS, 0),                 # seccomp_data.nr
        op(_BPF_JEQ_K, nr_io_uring, 3, 0),
        op(_BPF_JEQ_K, nr_socket, 0, 3),
        op(_BPF_LD_W_ABS, 16),                # seccomp_data.args[0], the address family
        op(_BPF_JEQ_K, _AF_UNIX, 1, 0),
        op(_BPF_RET_K, _RET_EPERM),
        op(_BPF_RET_K, _RET_ALLOW),
    ])


def forbid_network() -> bool:
    """
    Make this process (and its threads, present and future) unable to open network sockets.

    Returns True when the kernel accepted the filter; False where seccomp is not available.
    It cannot be undone, so call it only in a process made for running queries.
    """
    arch = _ARCH.get(platform.machine())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    audit_arch, nr_socket, nr_io_uring, nr_seccomp = arch
    program = _filter(audit_arch, nr_socket, nr_io_uring)
    count = len(program) // 8
    buffer = ctypes.create_string_buffer(program)
    fprog = struct.pack("HxxxxxxP" if struct.calcsize("P") == 8 else "HxxP", count, ctypes.addressof(buffer))
    fprog_buffer = ctypes.create_string_buffer(fprog)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    libc.syscall.restype = ctypes.c_long
    done = libc.syscall(ctypes.c_long(nr_seccomp), ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
                        ctypes.c_long(_SECCOMP_FILTER_FLAG_TSYNC), fprog_buffer)
    return done == 0


def default_memory_limit(workers: int) -> int:
    """
    Bytes of address space one query worker may use by default: a share of the machine's memory.

    Half of physical memory divided among the workers, at least 1 GiB and at most 8 GiB, so that
    the workers together cannot take the machine down and a normal query never meets the limit.
    """
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 8 << 30
    share = physical // 2 // max(1, workers)
    return max(1 << 30, min(8 << 30, share))


def limit_memory(limit_bytes: int | None) -> bool:
    """Cap this process's address space at ``limit_bytes`` (None or 0: no cap). True when the cap is set."""
    if not limit_bytes:
        return False
    try:
        import resource
    except ImportError:
        return False
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    except (ValueError, OSError):
        return False
    return True

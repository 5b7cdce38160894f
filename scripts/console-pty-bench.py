#!/usr/bin/env python3
"""Times the interactive console through a real pseudo-terminal, as a person meets it.

usage: console-pty-bench.py RUNS COMMAND LAUNCHER [ARGS...]
Prints two figures: milliseconds from starting LAUNCHER to its first prompt, then the median (and
min/max) milliseconds from typing COMMAND + Enter to the next prompt, over RUNS commands typed into
the same open console. Environment (BERTH_HOME...) is passed through.
"""
import fcntl, os, pty, select, statistics, struct, sys, termios, time

PROMPT = b"berth> "

def read_until(fd, marker, timeout):
    buf = b""
    deadline = time.monotonic() + timeout
    while marker not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit("console-pty-bench: no %r within %d s; the screen so far:\n%s" % (marker, timeout, buf.decode(errors="replace")))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                raise SystemExit("console-pty-bench: the console ended; the screen so far:\n" + buf.decode(errors="replace"))
            if not chunk:
                raise SystemExit("console-pty-bench: the console ended; the screen so far:\n" + buf.decode(errors="replace"))
            buf += chunk
    return buf

def main():
    runs, command, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    # A terminal of 40x120: with the pty's default 0x0 JLine cannot lay out its prompt.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    read_until(fd, PROMPT, 60)
    print("first prompt: %.0f ms" % ((time.monotonic() - start) * 1000))
    times = []
    for _ in range(runs):
        t = time.monotonic()
        os.write(fd, command.encode() + b"\r")
        out = read_until(fd, PROMPT, 60)
        times.append((time.monotonic() - t) * 1000)
    if b"error:" in out:
        raise SystemExit("console-pty-bench: %s failed:\n%s" % (command, out.decode(errors="replace")))
    print("'%s' in the open console: median %.1f ms (min %.1f, max %.1f, %d runs)" % (
        command, statistics.median(times), min(times), max(times), runs))
    os.write(fd, b"exit\r")
    os.waitpid(pid, 0)

main()

/*
 * Raw system calls for the child (DESIGN.md rule 1). glibc's wrappers write errno, which under
 * CLONE_VM is the parent thread's TLS, and its set*id wrappers broadcast to threads the child
 * does not have. Every call here returns the kernel's result: >= 0, or -errno.
 */
#ifndef BERTH_SYS_H
#define BERTH_SYS_H

#include <sys/syscall.h>

#if defined(__x86_64__)
static inline long berth_sys6(long n, long a, long b, long c, long d, long e, long f)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#elif defined(__aarch64__)
static inline long berth_sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
}
#else
#error "berth: raw syscalls are only written for x86_64 and aarch64"
#endif

#define SYS0(n) berth_sys6((n), 0, 0, 0, 0, 0, 0)
#define SYS1(n, a) berth_sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define SYS2(n, a, b) berth_sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SYS3(n, a, b, c) berth_sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SYS4(n, a, b, c, d) berth_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SYS5(n, a, b, c, d, e) berth_sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#endif

/**
 * OCI {@code linux.seccomp}, as runc with libseccomp applies it, compiled in Java to a classic
 * BPF program the launcher's C child installs with seccomp(2).
 *
 * <ul>
 * <li>{@link io.berth.runtime.seccomp.SeccompProfile#problems} — what is refused and why
 *     (SpecValidator calls it); SCMP_ACT_NOTIFY and listenerPath are "not supported yet".</li>
 * <li>{@link io.berth.runtime.seccomp.SeccompCompiler#forSpec} / {@code compile} — the program
 *     ({@link io.berth.runtime.seccomp.SeccompProgram}: struct sock_filter[] and seccomp(2) flags).
 *     Layout: arch check (native plus the listed x86/x32; anything else is killed), then per ABI a
 *     binary search on the syscall number, rules with argument conditions tried in profile
 *     order, else the default action.</li>
 * <li>{@link io.berth.runtime.seccomp.Arch} — the syscall tables, generated from the kernel's
 *     UAPI headers by {@code scripts/gen-syscall-tables.sh} (x86_64, x86, x32, aarch64).</li>
 * </ul>
 *
 * Installing: {@code ProcessSetup.prepare(..., terminal, SeccompCompiler.forSpec(spec))} puts a
 * {@link io.berth.runtime.linux.ChildOp.Seccomp} where runc would: with no_new_privs after the
 * start gate right before execve, without it before the identity change (CAP_SYS_ADMIN needed).
 */
package io.berth.runtime.seccomp;

package io.vipd.config;

/**
 * One health check as configured ({@code check.NAME.*}); VIPs name the checks that must pass on a node for it to
 * own them ({@code vip.NAME.checks}), so one check can serve several VIPs. One record per kind ({@link TcpCheck},
 * {@link HttpCheck}, {@link ExecCheck}), each with only the fields its kind has; what every kind has is here.
 */
public sealed interface CheckSpec permits TcpCheck, HttpCheck, ExecCheck {
    /** The operator's name for it (the key segment in {@code check.NAME.type}). */
    String name();

    /** How often it runs. */
    long intervalMs();

    /** How long one run may take before it counts as a failure. */
    long timeoutMs();

    /** Consecutive successes that make a failing check pass. */
    int rise();

    /** Consecutive failures that make a passing check fail. */
    int fall();

    /** A short description for logs and status, e.g. "tcp 127.0.0.1:80". */
    String describe();
}

package io.vipd.config;

import java.net.URI;
import java.util.List;

/**
 * One health check as configured ({@code check.NAME.*}); VIPs name the checks that must pass on a node for it to
 * own them ({@code vip.NAME.checks}), so one check can serve several VIPs.
 *
 * @param host      tcp: where to connect
 * @param port      tcp: port
 * @param url       http: what to GET
 * @param statusMin http: lowest status code that counts as healthy
 * @param statusMax http: highest
 * @param command   exec: program and arguments (run without a shell unless {@code shell})
 * @param shell     exec: run {@code command} joined by spaces through {@code /bin/sh -c}
 * @param rise      consecutive successes that make a failing check pass
 * @param fall      consecutive failures that make a passing check fail
 */
public record CheckSpec(String name, Type type, String host, int port, URI url, int statusMin, int statusMax,
                        List<String> command, boolean shell, long intervalMs, long timeoutMs, int rise, int fall) {
    public enum Type { TCP, HTTP, EXEC }

    public CheckSpec {
        command = List.copyOf(command);
    }

    /** A short description for logs and status, e.g. "tcp 127.0.0.1:80". */
    public String describe() {
        return switch (type) {
            case TCP -> "tcp " + host + ":" + port;
            case HTTP -> "http " + url;
            case EXEC -> "exec " + String.join(" ", command);
        };
    }
}

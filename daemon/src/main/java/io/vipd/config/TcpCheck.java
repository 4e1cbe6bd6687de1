package io.vipd.config;

import java.util.Objects;

/**
 * {@code check.NAME.type = tcp}: healthy when a connection to {@code host:port} is established.
 *
 * @param host where to connect (as written: an address or a name)
 * @param port 1..65535
 */
public record TcpCheck(String name, String host, int port, long intervalMs, long timeoutMs, int rise, int fall)
        implements CheckSpec {
    public TcpCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
    }

    @Override
    public String describe() {
        return "tcp " + host + ":" + port;
    }
}

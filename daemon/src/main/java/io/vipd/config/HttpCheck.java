package io.vipd.config;

import java.net.URI;
import java.util.Objects;

/**
 * {@code check.NAME.type = http}: healthy when a GET of {@code url} answers with a status in
 * [{@code statusMin}, {@code statusMax}].
 *
 * @param url       what to GET: an http:// URL with a host
 * @param statusMin lowest status code that counts as healthy
 * @param statusMax highest
 */
public record HttpCheck(String name, URI url, int statusMin, int statusMax, long intervalMs, long timeoutMs,
                        int rise, int fall) implements CheckSpec {
    public HttpCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
    }

    @Override
    public String describe() {
        return "http " + url;
    }
}

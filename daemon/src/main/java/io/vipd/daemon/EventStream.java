package io.vipd.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vipd.cluster.OwnershipEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code vipctl watch} streams: events as this node applies or sees them, one JSON object per line. Publishing
 * never blocks: each subscriber gets the line and decides (the control connection drops a client that reads too
 * slowly). Any thread.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Consumer<String>> subscribers = new CopyOnWriteArrayList<>();
    private final LongSupplier wallMillis;

    EventStream(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    /** Hands every event from now on to {@code lines}, until the returned handle is closed. */
    AutoCloseable subscribe(Consumer<String> lines) {
        subscribers.add(lines);
        return () -> subscribers.remove(lines);
    }

    boolean watched() {
        return !subscribers.isEmpty();
    }

    /** An ownership change the log decided (the history's event). */
    void ownership(OwnershipEvent e) {
        Map<String, Object> m = event("ownership", Instant.ofEpochMilli(e.wallMillis()).toString());
        m.put("vip", e.vip());
        m.put("change", e.change());
        m.put("from", e.from());
        m.put("to", e.to());
        m.put("epoch", e.epoch());
        m.put("reason", e.reason());
        publish(m);
    }

    /** Something this node saw: a lease lapse, a check result, a conflict, a membership change. */
    void noted(String kind, Map<String, Object> fields) {
        Map<String, Object> m = event(kind, Instant.ofEpochMilli(wallMillis.getAsLong()).toString());
        m.putAll(fields);
        publish(m);
    }

    private static Map<String, Object> event(String kind, String time) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", time);
        m.put("event", kind);
        return m;
    }

    private void publish(Map<String, Object> event) {
        if (subscribers.isEmpty()) {
            return;
        }
        String line;
        try {
            line = JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            LOG.warn("cannot write event {}: {}", event, e.getMessage());
            return;
        }
        for (Consumer<String> s : subscribers) {
            s.accept(line);
        }
    }
}

package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.cluster.OwnershipEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lines vipctl watch gets. */
class EventStreamTest {
    @Test
    void eachSubscriberGetsEachEventAsOneJsonLineUntilItUnsubscribes() throws Exception {
        EventStream stream = new EventStream(() -> 1_765_000_000_000L);
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        AutoCloseable subA = stream.subscribe(a::add);
        stream.subscribe(b::add);
        stream.ownership(new OwnershipEvent(4, 1_765_000_000_040L, "web", OwnershipEvent.HANDED_OVER, "n1", "n2", 3,
                "moved"));
        subA.close();
        stream.noted("lease", Map.of("state", "lapsed"));
        assertEquals(List.of("{\"time\":\"2025-12-06T05:46:40.040Z\",\"event\":\"ownership\",\"vip\":\"web\","
                + "\"change\":\"handed over\",\"from\":\"n1\",\"to\":\"n2\",\"epoch\":3,\"reason\":\"moved\"}"), a);
        assertEquals(2, b.size());
        assertEquals("{\"time\":\"2025-12-06T05:46:40Z\",\"event\":\"lease\",\"state\":\"lapsed\"}", b.get(1));
        assertTrue(stream.watched());
    }

    @Test
    void withoutSubscribersNothingIsWritten() {
        EventStream stream = new EventStream(() -> 0);
        assertFalse(stream.watched());
        stream.noted("reload", Map.of("result", "ok")); // no subscriber: returns without serializing
    }
}

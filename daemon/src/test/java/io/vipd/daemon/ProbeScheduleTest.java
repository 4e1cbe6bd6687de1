package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.VipSpec;
import io.vipd.config.Watch;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProbeScheduleTest {
    static List<VipSpec> vips(int n) throws Exception {
        List<VipSpec> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new VipSpec("v" + i, (Inet4Address) InetAddress.getByName("198.18." + (1 + i / 250) + "."
                    + (1 + i % 250)), 24, "eth0", List.of()));
        }
        return out;
    }

    @Test
    void aNodeProbesAtMostAHundredTimesASecondAndSilenceWaitsThreeOfTheLongerIntervals() {
        Watch watch = Watch.DEFAULT;
        assertEquals(1000, watch.probeIntervalMs(3));
        assertEquals(1000, watch.probeIntervalMs(100));
        assertEquals(10_000, watch.probeIntervalMs(1000));
        assertEquals(3000, watch.silentAfterMs(3));
        assertEquals(30_000, watch.silentAfterMs(1000));
        assertEquals(0, new Watch(0, 3000).probeIntervalMs(1000), "probing off stays off");
    }

    @Test
    void vipsSeenTogetherAreProbedAtOnceThenSpreadOverTheInterval() throws Exception {
        List<VipSpec> vips = vips(1000);
        ProbeSchedule schedule = new ProbeSchedule(new SplittableRandom(7));
        int interval = Watch.DEFAULT.probeIntervalMs(vips.size());
        long ms = 1_000_000L;
        assertEquals(1000, schedule.due(vips, interval, 0).size(), "each VIP's first probe at once: binds wait for it");
        int[] perSecond = new int[10];
        java.util.Set<java.net.InetAddress> probed = new java.util.HashSet<>();
        for (long t = 20; t <= 10_000; t += 20) {
            List<java.util.Map.Entry<String, java.net.InetAddress>> due = schedule.due(vips, interval, t * ms);
            perSecond[(int) Math.min(9, (t - 1) / 1000)] += due.size();
            due.forEach(p -> probed.add(p.getValue()));
        }
        assertEquals(1000, probed.size(), "every VIP probed again within the 10 s interval");
        for (int s : perSecond) {
            assertTrue(s >= 50 && s <= 160, "spread: about 100 a second, not a burst: " + java.util.Arrays.toString(perSecond));
        }
    }
}

package io.vipd.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The failover breakdown reads the daemons' log lines as the daemons write them. */
class FailoverTimelineTest {
    @TempDir
    Path dir;

    static long wall(String hhmmss) {
        ZoneId zone = ZoneId.systemDefault();
        return LocalTime.parse(hhmmss).atDate(LocalDate.of(2026, 12, 6)).atZone(zone).toInstant().toEpochMilli();
    }

    @Test
    void readsTheLeadersDecisionAndTheNewOwnersStepsAfterTheFault() throws Exception {
        Path leader = dir.resolve("n1.log");
        Path owner = dir.resolve("n2.log");
        Files.writeString(leader, String.join("\n",
                "21:36:16.000 INFO  Placement: placing VIP web on n2 (epoch 1): least loaded", // before the fault
                "21:36:17.201 INFO  Placement: placing VIP web on n2 (epoch 2): least loaded; previous owner n3"
                        + " stopped renewing; n3's last renewal applied 661 ms ago", ""));
        Files.writeString(owner, String.join("\n",
                "21:36:17.209 INFO  AppliedEvents: VIP db: owner n3 -> n2 (epoch 4): least loaded",
                "21:36:17.210 INFO  AppliedEvents: VIP web: owner n3 -> n2 (epoch 2): least loaded",
                "21:36:17.213 INFO  HostActuator: acquired VIP web 198.18.0.100/24 on eth0 (epoch 2)",
                "21:36:17.2\u0000\u0000 cut by a kill", ""));
        FailoverTimeline t = FailoverTimeline.read(List.of(leader, owner), owner, "web", "n2", wall("21:36:16.500"));
        assertEquals(new FailoverTimeline(701, 710, 713), t);
        // n1 (whose log has none of it) did not get web: every step missing
        Path other = Files.writeString(dir.resolve("n3.log"), "21:36:17.300 INFO  vipd: started\n");
        assertEquals(new FailoverTimeline(-1, -1, -1),
                FailoverTimeline.read(List.of(leader, owner, other), other, "web", "n1", wall("21:36:16.500")));
    }

    @Test
    void aLineJustAfterMidnightBelongsToTheNextDay() {
        long nearMidnight = wall("23:59:59.900");
        assertEquals(nearMidnight + 200, FailoverTimeline.wallMillis("00:00:00.100 INFO  x", nearMidnight));
        assertEquals(-1, FailoverTimeline.wallMillis("not a time at all", nearMidnight));
    }
}

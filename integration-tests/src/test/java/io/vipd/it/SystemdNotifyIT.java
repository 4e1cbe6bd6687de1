package io.vipd.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.testbed.NotifyReceiver;
import io.vipd.testbed.Testbed;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daemon's side of systemd's Type=notify, against a receiver standing in for systemd: READY=1 only once the
 * node has joined (a majority committed its renewal), STATUS= lines saying what it waits for, WATCHDOG=1 when
 * WATCHDOG_USEC is set, STOPPING=1 on SIGTERM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SystemdNotifyIT {
    @RegisterExtension
    final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web").manualStart();
    private Testbed bed; // set by the extension
    private NotifyReceiver n1;
    private NotifyReceiver n2;

    /** Runs before the extension closes the testbed. */
    @AfterAll
    void stop() {
        if (n1 != null) {
            n1.close();
        }
        if (n2 != null) {
            n2.close();
        }
    }

    @Test
    void readyOnlyAfterJoiningAMajority() throws Exception {
        n1 = new NotifyReceiver(bed.workDir().resolve("notify-n1"));
        n2 = new NotifyReceiver(bed.workDir().resolve("notify-n2"));

        // Alone, n1 cannot have a renewal confirmed (1 of 3 is no majority): it must not claim to be ready.
        bed.startDaemon(1, Map.of("NOTIFY_SOCKET", n1.path().toString(), "WATCHDOG_USEC", "1000000"));
        Testbed.waitUntil("n1 reports that it is joining", 30_000,
                () -> String.valueOf(n1.last("STATUS")).startsWith("joining cluster"));
        Thread.sleep(3000);
        assertFalse(n1.received("READY=1"), "a lone node of three said READY=1: " + n1.messages());
        Testbed.waitUntil("watchdog pings every 0.5 s", 5_000,
                () -> n1.messages().stream().filter("WATCHDOG=1"::equals).count() >= 3);

        bed.startDaemon(2, Map.of("NOTIFY_SOCKET", n2.path().toString()));
        Testbed.waitUntil("n1 and n2 report READY=1 once two of three form a majority", 60_000,
                () -> n1.received("READY=1") && n2.received("READY=1"));
        Testbed.waitUntil("one of them reports holding web", 30_000,
                () -> String.valueOf(n1.last("STATUS")).contains("holding web")
                        || String.valueOf(n2.last("STATUS")).contains("holding web"));
        assertTrue(String.valueOf(n1.last("STATUS")).startsWith("member of vipd, leader "),
                "n1's status after joining: " + n1.last("STATUS"));
        assertFalse(n2.received("WATCHDOG=1"), "no WATCHDOG_USEC, no watchdog pings: " + n2.messages());

        bed.terminate(2);
        assertTrue(n2.received("STOPPING=1"), "SIGTERM should report STOPPING=1: " + n2.messages());
    }
}

package io.vipd.it;

import io.vipd.testbed.Testbed;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the tail of every daemon's log when a namespace test fails: the testbed deletes them afterwards. */
final class DaemonLogsOnFailure implements TestWatcher {
    interface HasTestbed {
        Testbed testbed();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        Optional<Object> instance = context.getTestInstance();
        if (instance.isEmpty() || !(instance.get() instanceof HasTestbed h) || h.testbed() == null) {
            return;
        }
        Testbed bed = h.testbed();
        for (int i = 1; i <= bed.hostCount(); i++) {
            String[] lines = bed.log(i).split("\n");
            System.out.println("---- last lines of " + bed.node(i) + "'s log ----");
            for (int k = Math.max(0, lines.length - 40); k < lines.length; k++) {
                System.out.println(lines[k]);
            }
        }
    }
}

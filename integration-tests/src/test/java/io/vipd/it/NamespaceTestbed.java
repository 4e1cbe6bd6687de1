package io.vipd.it;

import io.vipd.testbed.Testbed;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The namespace testbed of one test class, as a JUnit extension. Before the class's {@code @BeforeAll} methods it
 * skips the class when not run as root, builds one {@link Testbed}, sets every {@code Testbed} field of the test
 * instance (its superclasses' included) and, unless told not to, starts every daemon. After the class's
 * {@code @AfterAll} methods it closes the testbed, whatever failed before. When a test fails it prints the tail of
 * every daemon's log (the testbed deletes the logs at close); so it does when the class's own set-up or tear-down
 * fails. Register it on an instance field of a {@code @TestInstance(PER_CLASS)} class:
 *
 * <pre>
 * &#64;TestInstance(TestInstance.Lifecycle.PER_CLASS)
 * class SomeIT {
 *     &#64;RegisterExtension
 *     final NamespaceTestbed testbed = NamespaceTestbed.hosts(3).vips("web", "db");
 *     private Testbed bed; // set by the extension
 * }
 * </pre>
 *
 * A class that has to prepare something before its daemons start (an address, certificates, a service, another
 * configuration) says {@link #manualStart()} and starts them in its {@code @BeforeAll} method.
 */
final class NamespaceTestbed implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, TestWatcher {
    static final String NOT_ROOT = "namespace tests need root (ip netns, raw sockets): skipped";
    private static final int LOG_LINES = 40;

    private final int hosts;
    private List<String> vips = List.of();
    private Callable<String> extraConfig = () -> "";
    private Set<Integer> routed = Set.of();
    private boolean startDaemons = true;
    private Testbed bed;

    private NamespaceTestbed(int hosts) {
        this.hosts = hosts;
    }

    /** A testbed of {@code hosts} hosts, no VIP, no extra configuration, daemons started. */
    static NamespaceTestbed hosts(int hosts) {
        return new NamespaceTestbed(hosts);
    }

    /** The VIPs, in order: VIP i gets 198.18.0.(100 + i). */
    NamespaceTestbed vips(String... names) {
        return vips(List.of(names));
    }

    NamespaceTestbed vips(List<String> names) {
        this.vips = List.copyOf(names);
        return this;
    }

    /** Lines appended to every node's vipd.conf. */
    NamespaceTestbed extraConfig(String lines) {
        return extraConfig(() -> lines);
    }

    /**
     * Lines appended to every node's vipd.conf, computed when the testbed is built (after the root check, before
     * any {@code @BeforeAll} method): for lines that name files the class makes first.
     */
    NamespaceTestbed extraConfig(Callable<String> lines) {
        this.extraConfig = lines;
        return this;
    }

    /** Puts host i on a subnet of its own, reached through a router namespace (a witness elsewhere). */
    NamespaceTestbed routed(int i) {
        Set<Integer> next = new java.util.TreeSet<>(routed);
        next.add(i);
        this.routed = Set.copyOf(next);
        return this;
    }

    /** Builds the testbed without starting any daemon: the class starts them itself. */
    NamespaceTestbed manualStart() {
        this.startDaemons = false;
        return this;
    }

    /** The class's testbed; null before it is built and after it is closed. */
    Testbed testbed() {
        return bed;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Assumptions.assumeTrue(Testbed.isRoot(), NOT_ROOT);
        Object instance = context.getTestInstance().orElseThrow(() -> new IllegalStateException(
                "NamespaceTestbed on an instance field needs @TestInstance(TestInstance.Lifecycle.PER_CLASS)"));
        bed = new Testbed(hosts, vips, Testbed.vipdJarFromBuild(), extraConfig.call(), routed);
        inject(instance);
        if (startDaemons) {
            bed.startAll();
        }
    }

    /** Sets every non-static {@code Testbed} field of the test instance, its superclasses' included. */
    private void inject(Object instance) throws IllegalAccessException {
        for (Class<?> c = instance.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.getType() == Testbed.class && !Modifier.isStatic(f.getModifiers())) {
                    f.setAccessible(true);
                    f.set(instance, bed);
                }
            }
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (bed == null) { // the class-level callbacks never ran: registered under the per-method lifecycle
            throw new IllegalStateException(
                    "NamespaceTestbed on an instance field needs @TestInstance(TestInstance.Lifecycle.PER_CLASS)");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (bed == null) {
            return;
        }
        try {
            if (context.getExecutionException().isPresent()) {
                printLogs();
            }
        } finally {
            bed.close();
            bed = null;
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (bed != null) {
            printLogs();
        }
    }

    private void printLogs() {
        for (int i = 1; i <= bed.hostCount(); i++) {
            String[] lines = bed.log(i).split("\n");
            System.out.println("---- last lines of " + bed.node(i) + "'s log ----");
            for (int k = Math.max(0, lines.length - LOG_LINES); k < lines.length; k++) {
                System.out.println(lines[k]);
            }
        }
    }
}

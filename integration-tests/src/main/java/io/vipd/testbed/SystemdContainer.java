package io.vipd.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real systemd, booted as PID 1 of a container (systemd-nspawn) over a {@link ThrowawayRoot}, in a testbed host's
 * network namespace: the way to run the installed package's unit as systemd runs it, with readiness, the watchdog,
 * restarts and the hardening in force. It boots to basic.target only, so the machine's other enabled services stay
 * off. Commands run inside with nsenter into all of the container's namespaces.
 */
public final class SystemdContainer implements AutoCloseable {
    private final Process nspawn;
    private final long leader;

    private SystemdContainer(Process nspawn, long leader) {
        this.nspawn = nspawn;
        this.leader = leader;
    }

    /** Kills nspawn (and so the container) if the JVM ends before {@link #close} ran. */
    private static void killAtExit(Process nspawn) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (nspawn.isAlive()) {
                Testbed.killTree(nspawn);
            }
        }, "systemd-container-cleanup"));
    }

    /** Boots systemd in {@code root}, joined to network namespace {@code netns}; waits (60 s at most) until it runs. */
    public static SystemdContainer boot(ThrowawayRoot root, String netns, Path log) throws IOException {
        // nspawn mounts /dev, /proc, /sys and /run itself and refuses a populated /dev: the root's bind mounts
        // (there for chrooted commands) go first; the shell then execs nspawn, so the process is nspawn.
        String dir = root.directory();
        Process nspawn = root.startBeside(List.of("sh", "-c", "umount -R " + dir + "/dev " + dir + "/proc " + dir
                + "/sys " + dir + "/run && exec systemd-nspawn -q -D " + dir + " --boot --register=no --keep-unit"
                + " -M vipd-test --network-namespace-path=/run/netns/" + netns
                + " --capability=CAP_NET_ADMIN,CAP_NET_RAW -- --unit=basic.target"), log);
        killAtExit(nspawn);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String state = "";
        while (System.nanoTime() - deadline < 0 && nspawn.isAlive()) {
            // nsenter execs sh, which execs systemd-nspawn: its child is the container's PID 1
            Optional<ProcessHandle> init = nspawn.toHandle().children().findFirst();
            if (init.isPresent()) {
                SystemdContainer c = new SystemdContainer(nspawn, init.get().pid());
                state = c.run("systemctl is-system-running", 10_000).output().trim();
                if (state.equals("running") || state.equals("degraded")) {
                    return c;
                }
            }
            sleep(200);
        }
        Testbed.killTree(nspawn);
        throw new IOException("systemd did not boot in the container (last state '" + state + "'): "
                + Files.readString(log));
    }

    /** Runs {@code script} with /bin/sh inside the container, as root; its exit status and output. */
    public Shell.Result run(String script, long timeoutMs) throws IOException {
        return Shell.run(List.of("nsenter", "-t", Long.toString(leader), "-a", "--", "/bin/sh", "-c", script),
                timeoutMs);
    }

    /** One property of a unit ({@code systemctl show -p NAME --value}). */
    public String property(String unit, String name) throws IOException {
        return run("systemctl show " + unit + " -p " + name + " --value", 10_000).output().trim();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Halts the container (SIGTERM to nspawn: systemd shuts down), killing it if that takes over 15 s. */
    @Override
    public void close() {
        nspawn.destroy();
        try {
            if (!nspawn.waitFor(15, TimeUnit.SECONDS)) {
                Testbed.killTree(nspawn);
            }
        } catch (InterruptedException e) {
            Testbed.killTree(nspawn);
            Thread.currentThread().interrupt();
        }
    }
}

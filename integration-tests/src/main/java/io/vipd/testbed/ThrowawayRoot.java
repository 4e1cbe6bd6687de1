package io.vipd.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A copy-on-write view of this machine's root filesystem in which packages can really be installed and removed,
 * maintainer scripts and all, without changing the machine: an overlay (the host's / read-only below, a tmpfs on
 * top) in a private mount namespace, with its own network namespace (only lo, until a test adds interfaces there).
 * Commands run in it with nsenter + chroot. Everything goes away when the holder process is killed: nothing is
 * mounted in the host's namespace and no interface of the host's is touched.
 */
public final class ThrowawayRoot implements AutoCloseable {
    private final Path base;
    private final Process holder;
    private final long nsPid;
    private final List<Process> started = new ArrayList<>();

    private ThrowawayRoot(Path base, Process holder, long nsPid) {
        this.base = base;
        this.holder = holder;
        this.nsPid = nsPid;
    }

    public static ThrowawayRoot create() throws IOException {
        Path base = Files.createTempDirectory("vipd-root-");
        String setup = String.join("\n",
                "set -e",
                "mount --make-rprivate /",
                "mount -t tmpfs -o size=1g,mode=0755 tmpfs " + base,
                "mkdir " + base + "/upper " + base + "/work " + base + "/root",
                "mount -t overlay overlay -o lowerdir=/,upperdir=" + base + "/upper,workdir=" + base + "/work "
                        + base + "/root",
                "mount --rbind /proc " + base + "/root/proc",
                "mount --rbind /dev " + base + "/root/dev",
                "mount --rbind /sys " + base + "/root/sys",
                "mount -t tmpfs -o mode=0755 tmpfs " + base + "/root/run",
                "mount -t tmpfs -o mode=1777 tmpfs " + base + "/root/tmp",
                "echo ready $$",
                "exec sleep 3600");
        // --kill-child: if the test JVM dies, unshare dies and takes the namespaces' only process with it.
        Process holder = new ProcessBuilder("unshare", "--mount", "--net", "--fork", "--kill-child", "sh", "-c", setup)
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            if (line.startsWith("ready ")) {
                ThrowawayRoot root = new ThrowawayRoot(base, holder, Long.parseLong(line.substring(6).trim()));
                // if the JVM ends before close() (a test run interrupted), the namespaces still go
                Runtime.getRuntime().addShutdownHook(new Thread(root::close, "throwaway-root-cleanup"));
                root.run("ip link set lo up");
                return root;
            }
            seen.add(line);
        }
        Testbed.killTree(holder);
        Files.deleteIfExists(base);
        throw new IOException("could not set up a throwaway root: " + String.join("\n", seen));
    }

    /** Runs {@code script} with /bin/sh inside the root (as root), bounded in time; output and exit status. */
    public Shell.Result run(String script) throws IOException {
        return run(script, 180_000);
    }

    public Shell.Result run(String script, long timeoutMs) throws IOException {
        Path log = Files.createTempFile("vipd-root-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(command(script)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                    Testbed.killTree(p);
                    throw new IOException("timed out after " + timeoutMs + " ms in the throwaway root: " + script
                            + "\n" + Files.readString(log));
                }
            } catch (InterruptedException e) {
                Testbed.killTree(p);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + script);
            }
            return new Shell.Result(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Runs a script that must succeed; returns its output. */
    public String ok(String script) throws IOException {
        Shell.Result r = run(script);
        if (r.exit() != 0) {
            throw new IOException("failed (exit " + r.exit() + ") in the throwaway root: " + script + "\n"
                    + r.output());
        }
        return r.output();
    }

    /** Starts {@code script} inside the root without waiting (the caller kills it, or {@link #close()} does). */
    public synchronized Process start(String script, Path log) throws IOException {
        Process p = new ProcessBuilder(command(script)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        started.add(p);
        return p;
    }

    private List<String> command(String script) {
        // nsenter and chroot exec: the returned process is the script's shell (or what it execs).
        return List.of("nsenter", "-t", Long.toString(nsPid), "-m", "-n", "--", "chroot", base + "/root",
                "/bin/sh", "-c", script);
    }

    /**
     * Starts {@code command} in the root's mount namespace but outside the chroot (a program that wants the root's
     * directory, such as systemd-nspawn); killed at {@link #close()}.
     */
    public synchronized Process startBeside(List<String> command, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(nsPid), "-m", "--"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        started.add(p);
        return p;
    }

    /** The root's directory, as a program started {@link #startBeside} it sees it. */
    public String directory() {
        return base + "/root";
    }

    /** A path inside the root, as this (outside) process can reach it. */
    public Path outside(String insidePath) {
        return Path.of("/proc/" + nsPid + "/root" + base + "/root" + insidePath);
    }

    /** Copies a file from this machine into the root. */
    public void copyIn(Path file, String insidePath) throws IOException {
        Files.copy(file, outside(insidePath), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public synchronized void close() {
        // Processes that entered the namespaces keep them alive: they go first, by pid.
        started.forEach(Testbed::killTree);
        Testbed.killTree(holder);
        // The tmpfs lived only in the dead namespace; the mount point directory is all that is left here.
        try (Stream<Path> s = Files.walk(base)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory; nothing else to clean
        }
    }
}

package io.vipd.testbed;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What an idle 3-node cluster costs, per daemon: start to the first answer, CPU, resident memory and bytes written
 * to storage (extrapolated to an hour) over a quiet window; with {@code --jfr}, where each node spends its CPU (a Java
 * Flight Recorder profile of the window: the methods most often on top of a sampled stack, vipd's own first).
 *
 * Then the same for keepalived (the peer, {@code --peer ADVERT_INT}, default 0.1; {@code --peer none} skips it) on a
 * fresh testbed: each VIP its own VRRP instance, CPU and memory of each host's keepalived processes together.
 *
 * <p>Usage: {@code ResourceBenchmark [--seconds S] [--vips N] [--config "key = value\n..."] [--jfr] [--peer A]}.
 * Needs root.
 */
public final class ResourceBenchmark {
    private ResourceBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = 30;
        int vipCount = 1;
        String extra = "";
        boolean jfr = false;
        String peer = "0.1";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--vips" -> vipCount = Integer.parseInt(args[++i]);
                case "--config" -> extra = args[++i].replace("\\n", "\n");
                case "--jfr" -> jfr = true;
                case "--peer" -> peer = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> vips = new ArrayList<>();
        for (int v = 0; v < vipCount; v++) {
            vips.add("v" + v);
        }
        try (Testbed bed = new Testbed(3, vips, Testbed.vipdJarFromBuild(), extra)) {
            long start = System.nanoTime();
            bed.startAll();
            Inet4Address first = bed.vip("v0");
            Testbed.waitUntil("v0 answered", 60_000, () -> bed.answeringHost("v0") != 0);
            System.out.printf("start (all three daemons at once) to the first ARP answer for %s: %d ms%n",
                    first.getHostAddress(), (System.nanoTime() - start) / 1_000_000L);
            Thread.sleep(3_000);
            if (jfr) {
                for (int i = 1; i <= 3; i++) {
                    jcmd(bed.pid(i), "JFR.start", "name=idle", "settings=profile", "filename="
                            + bed.workDir().resolve(bed.node(i) + ".jfr"));
                }
            }
            long[] cpu = new long[4];
            long[] written = new long[4];
            for (int i = 1; i <= 3; i++) {
                cpu[i] = ProcessResources.cpuTicks(bed.pid(i));
                written[i] = ProcessResources.writeBytes(bed.pid(i));
            }
            java.util.Map<String, Long> threadsBefore = ProcessResources.threadTicks(bed.pid(1));
            long disk = ProcessResources.diskBytesWritten();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double window = (System.nanoTime() - t0) / 1e9;
            System.out.printf("idle window of %.0f s, per daemon:%n", window);
            double diskMibPerHour = (ProcessResources.diskBytesWritten() - disk) / window * 3600 / (1024.0 * 1024.0);
            double total = 0;
            for (int i = 1; i <= 3; i++) {
                double cpuPercent = (ProcessResources.cpuTicks(bed.pid(i)) - cpu[i]) / 100.0 / window * 100;
                total += cpuPercent;
                double writtenMibPerHour = (ProcessResources.writeBytes(bed.pid(i)) - written[i]) / window * 3600
                        / (1024.0 * 1024.0);
                System.out.printf("  %s: CPU %.1f %% of a core, RSS %d MiB, writes %.1f MiB per hour (its log lines "
                        + "and data directory; /proc/PID/io)%n", bed.node(i), cpuPercent,
                        ProcessResources.rssKib(bed.pid(i)) / 1024, writtenMibPerHour);
            }
            System.out.printf("  mean CPU %.1f %% of a core per daemon; the machine's disks were written %.0f MiB per "
                    + "hour (all three daemons, and anything else running)%n", total / 3, diskMibPerHour);
            java.util.Map<String, Long> threadsAfter = ProcessResources.threadTicks(bed.pid(1));
            System.out.println("  n1's CPU by thread (Linux names, 15 characters; digits as #), % of a core:");
            threadsAfter.entrySet().stream()
                    .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0)
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(15)
                    .forEach(e -> System.out.printf("    %-16s %5.1f%n", e.getKey(), e.getValue() / window));
            if (jfr) {
                int leader = bed.leader();
                for (int i = 1; i <= 3; i++) {
                    jcmd(bed.pid(i), "JFR.stop", "name=idle");
                    System.out.printf("%s%s:%n", bed.node(i), i == leader ? " (the Raft leader)" : "");
                    printHotMethods(bed.workDir().resolve(bed.node(i) + ".jfr"));
                }
            }
        }
        if (!peer.equals("none")) {
            keepalived(peer, vips, seconds);
        }
    }

    /** The same figures for keepalived with {@code advertInt}: every process of each host's keepalived counted. */
    private static void keepalived(String advertInt, List<String> vips, int seconds) throws Exception {
        KeepalivedSubject subject = new KeepalivedSubject(advertInt);
        try (Testbed bed = new Testbed(3, vips, Testbed.vipdJarFromBuild(), subject.config())) {
            long start = System.nanoTime();
            for (int i = 1; i <= 3; i++) {
                subject.start(bed, i);
            }
            Testbed.waitUntil(vips.get(0) + " answered", 60_000, () -> bed.answeringHost(vips.get(0)) != 0);
            System.out.printf("keepalived advert_int %s: start to the first ARP answer for %s: %d ms%n", advertInt,
                    bed.vip(vips.get(0)).getHostAddress(), (System.nanoTime() - start) / 1_000_000L);
            Thread.sleep(3_000);
            long[] cpu = new long[4];
            for (int i = 1; i <= 3; i++) {
                for (long pid : subject.pids(i)) {
                    cpu[i] += ProcessResources.cpuTicks(pid);
                }
            }
            long disk = ProcessResources.diskBytesWritten();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double window = (System.nanoTime() - t0) / 1e9;
            double diskMibPerHour = (ProcessResources.diskBytesWritten() - disk) / window * 3600 / (1024.0 * 1024.0);
            System.out.printf("idle window of %.0f s, per host (keepalived and its VRRP child together):%n", window);
            for (int i = 1; i <= 3; i++) {
                long ticks = 0;
                long rss = 0;
                for (long pid : subject.pids(i)) {
                    ticks += ProcessResources.cpuTicks(pid);
                    rss += ProcessResources.rssKib(pid);
                }
                System.out.printf("  %s: CPU %.1f %% of a core, RSS %d MiB%n", bed.node(i),
                        (ticks - cpu[i]) / 100.0 / window * 100, rss / 1024);
            }
            System.out.printf("  the machine's disks were written %.0f MiB per hour%n", diskMibPerHour);
            for (int i = 1; i <= 3; i++) {
                subject.kill(bed, i);
            }
        }
    }

    private static void jcmd(long pid, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                .toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        Shell.Result r = Shell.run(cmd, 30_000);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.output());
        }
    }

    /** The top frames of a node's CPU samples, and the first vipd frame of each sample. */
    private static void printHotMethods(Path recording) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jfr").toString(), "print",
                "--events", "jdk.ExecutionSample", "--stack-depth", "64", recording.toString())
                .redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        p.waitFor(60, TimeUnit.SECONDS);
        Map<String, Integer> top = new TreeMap<>();
        Map<String, Integer> ownFrame = new TreeMap<>();
        int samples = 0;
        boolean inStack = false;
        boolean firstFrame = false;
        boolean ownSeen = false;
        for (String line : lines) {
            String t = line.trim();
            if (t.startsWith("stackTrace = [")) {
                inStack = true;
                firstFrame = true;
                ownSeen = false;
                samples++;
                continue;
            }
            if (inStack && t.startsWith("]")) {
                inStack = false;
                continue;
            }
            if (inStack && !t.isEmpty() && !t.equals("...")) {
                String frame = t.replaceAll("\\s+line:.*$", "");
                if (firstFrame) {
                    top.merge(frame, 1, Integer::sum);
                    firstFrame = false;
                }
                if (!ownSeen && frame.startsWith("io.vipd.")) {
                    ownFrame.merge(frame, 1, Integer::sum);
                    ownSeen = true;
                }
            }
        }
        System.out.printf("CPU samples in the window: %d%n", samples);
        print("top of the stack", top, samples);
        print("first vipd frame on the stack (samples without one are Ratis, gRPC or the JVM alone)", ownFrame,
                samples);
    }

    private static void print(String title, Map<String, Integer> counts, int samples) {
        System.out.println("  " + title + ":");
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(15)
                .forEach(e -> System.out.printf("    %5.1f %%  %s%n", 100.0 * e.getValue() / Math.max(1, samples),
                        e.getKey()));
    }
}

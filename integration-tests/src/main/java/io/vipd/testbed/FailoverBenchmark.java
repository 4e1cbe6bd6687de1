package io.vipd.testbed;

import io.vipd.host.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Failover benchmark, vipd against keepalived on the same namespace testbed in the same run: 3 hosts, one VIP, the
 * client's ARP referee asking every 50 ms. For each system:
 * <ul>
 *   <li>K trials of owner crash: the owner's cable is pulled and every process of the system on it SIGKILLed at
 *       the same moment; measured: fault → first ARP (reply or gratuitous) from another MAC, and fault → first
 *       TCP connect from the client through the VIP;</li>
 *   <li>request rounds in which two MACs answered, during the crashes, during a 10 s partition of the owner from the
 *       other hosts (the client still reaches both sides), and during a 5 s SIGSTOP of the owner's daemon.</li>
 * </ul>
 * Usage: {@code scripts/bench --only failover [--trials K] [--systems vipd-default,vipd-fast,keepalived-1,
 * keepalived-0.1]}.
 * Timings are figures to compare, not assertions: the machine is shared and noisy.
 */
public final class FailoverBenchmark {
    private static final String VIP = "web";

    /** What one system measured. */
    private static final class Result {
        final String name;
        final List<Long> arpMs = new ArrayList<>();
        final List<Long> tcpMs = new ArrayList<>();
        /** vipd only, per trial, from the daemons' logs: fault to leader's decision, to applied, to address added. */
        final List<Long> decidedMs = new ArrayList<>();
        final List<Long> appliedMs = new ArrayList<>();
        final List<Long> boundMs = new ArrayList<>();
        /** Address added to the client's first ARP from the new owner (a few ms: the log line's own delay too). */
        final List<Long> wireMs = new ArrayList<>();
        long crashDual;
        long partitionDual;
        long pauseDual;
        final List<Long> stopGapMs = new ArrayList<>();
        final List<Long> moveGapMs = new ArrayList<>();
        long plannedDual;
        /** Mean CPU of one daemon over a steady 10 s window, % of one core (-1: not measured). */
        double idleCpuPercent = -1;
        String note = "";

        Result(String name) {
            this.name = name;
        }
    }

    public static void main(String[] args) throws Exception {
        int trials = 20;
        List<String> systems = List.of("vipd-default", "vipd-fast", "keepalived-1", "keepalived-0.1");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--trials")) {
                trials = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--systems")) {
                systems = List.of(args[++i].split(","));
            }
        }
        List<Result> results = new ArrayList<>();
        for (String system : systems) {
            BenchSubject subject = switch (system) {
                case "vipd-default" -> new VipdSubject("default");
                case "vipd-fast" -> new VipdSubject("fast");
                case "vipd-insecure" -> new VipdSubject("vipd default, no TLS", "default", "insecure = true\n");
                case "keepalived-1" -> new KeepalivedSubject("1");
                case "keepalived-0.1" -> new KeepalivedSubject("0.1");
                // vipd-PROFILE:key=value;key=value: a profile with keys overridden, to try timings
                default -> system.startsWith("vipd-") && system.contains(":")
                        ? new VipdSubject(system, system.substring(5, system.indexOf(':')),
                                system.substring(system.indexOf(':') + 1).replace(";", "\n") + "\n")
                        : null;
            };
            if (subject == null) {
                throw new IllegalArgumentException("unknown system " + system);
            }
            results.add(run(subject, trials));
        }
        report(results, trials);
    }

    private static int answering(Testbed bed, Inet4Address vip, long windowNanos) {
        List<MacAddress> macs = ArpReferee.answerers(bed.referee().since(System.nanoTime() - windowNanos), vip);
        return macs.size() == 1 ? bed.hostOf(macs.get(0)) : 0;
    }

    private static void awaitOneOwner(Testbed bed, Inet4Address vip) {
        // one MAC for a whole second, and the client gets through
        Testbed.waitUntil("one owner answers", 60_000, () -> answering(bed, vip, 1_000_000_000L) != 0
                && bed.connect(vip, 300) != null);
    }

    private static long dualRounds(Testbed bed, long from) {
        return ArpReferee.dualAnswers(bed.referee().since(from)).values().stream().mapToLong(List::size).sum();
    }

    private static Result run(BenchSubject subject, int trials) throws Exception {
        Result r = new Result(subject.name());
        System.out.println("==> " + subject.name() + ": " + trials + " crash trials, 1 partition, 1 pause");
        try (Testbed bed = new Testbed(3, List.of(VIP), Testbed.vipdJarFromBuild(), subject.config())) {
            Inet4Address vip = bed.vip(VIP);
            for (int i = 1; i <= 3; i++) {
                subject.start(bed, i);
            }
            awaitOneOwner(bed, vip);
            Thread.sleep(2_000);
            if (subject instanceof VipdSubject) {
                r.idleCpuPercent = idleCpuPercent(bed, 10_000);
                System.out.printf("    steady state: %.1f %% of a core per daemon (10 s, all three daemons)%n",
                        r.idleCpuPercent);
            }
            for (int t = 0; t < trials; t++) {
                // a returning host can make two answer for a while (keepalived: two masters): wait it out; and the
                // host crashed last must be back in the cluster, or this crash measures a cluster without a spare
                // (for vipd: a Raft group that lost its majority until the restarted daemon rejoins)
                awaitOneOwner(bed, vip);
                subject.settle(bed);
                int owner = answering(bed, vip, 300_000_000L);
                long t0 = System.nanoTime();
                long t0Wall = System.currentTimeMillis();
                bed.link(owner, false);
                subject.kill(bed, owner);
                long tcp = -1;
                long deadline = t0 + 30_000_000_000L;
                while (System.nanoTime() < deadline) {
                    String who = bed.connect(vip, 100);
                    if (who != null && !who.equals(bed.node(owner))) {
                        tcp = System.nanoTime();
                        break;
                    }
                    Thread.sleep(20);
                }
                long arp = bed.referee().since(t0).stream()
                        .filter(o -> o.vip().equals(vip) && bed.hostOf(o.mac()) != owner)
                        .mapToLong(ArpReferee.Observation::nanos).min().orElse(-1);
                if (arp > 0) {
                    r.arpMs.add((arp - t0) / 1_000_000L);
                }
                if (tcp > 0) {
                    r.tcpMs.add((tcp - t0) / 1_000_000L);
                }
                System.out.printf("    trial %2d: %s crashed; first ARP from the new owner %s ms, first TCP connect %s ms%n",
                        t + 1, bed.node(owner), arp > 0 ? (arp - t0) / 1_000_000L : "-",
                        tcp > 0 ? (tcp - t0) / 1_000_000L : "-");
                if (subject instanceof VipdSubject) {
                    breakdown(bed, r, owner, t0Wall, arp > 0 ? (arp - t0) / 1_000_000L : -1);
                }
                // the host comes back: the system restarts before the cable is plugged in, as after a reboot
                subject.start(bed, owner);
                Thread.sleep(1_500);
                bed.link(owner, true);
                awaitOneOwner(bed, vip);
                Thread.sleep(1_000);
                r.crashDual += dualRounds(bed, t0);
            }
            awaitOneOwner(bed, vip);
            int owner = answering(bed, vip, 300_000_000L);
            long p0 = System.nanoTime();
            bed.isolate(owner);
            Thread.sleep(10_000);
            bed.heal(owner);
            awaitOneOwner(bed, vip);
            Thread.sleep(2_000);
            r.partitionDual = dualRounds(bed, p0);
            awaitOneOwner(bed, vip);
            owner = answering(bed, vip, 300_000_000L);
            long s0 = System.nanoTime();
            subject.pause(bed, owner);
            Thread.sleep(5_000);
            subject.resume(bed, owner);
            awaitOneOwner(bed, vip);
            Thread.sleep(2_000);
            r.pauseDual = dualRounds(bed, s0);
            System.out.printf("    partition 10 s: %d rounds with two MACs; SIGSTOP 5 s: %d rounds with two MACs%n",
                    r.partitionDual, r.pauseDual);
            plannedChanges(subject, bed, vip, trials, r);
        } catch (AssertionError | IOException e) {
            r.note = "aborted: " + e.getMessage();
            System.out.println("    " + r.note);
        }
        return r;
    }

    /**
     * Planned changes, measured as the client sees them (last ARP answer from the old MAC to first from the new):
     * the owner stopped with SIGTERM (then started again), and, where the system has one, a planned move.
     */
    private static void plannedChanges(BenchSubject subject, Testbed bed, Inet4Address vip, int trials, Result r)
            throws Exception {
        for (int t = 0; t < trials; t++) {
            awaitOneOwner(bed, vip);
            subject.settle(bed);
            Thread.sleep(500);
            int owner = answering(bed, vip, 300_000_000L);
            long t0 = System.nanoTime();
            subject.stop(bed, owner);
            Testbed.waitUntil("another host answers", 30_000, () -> {
                int a = answering(bed, vip, 100_000_000L);
                return a != 0 && a != owner;
            });
            int next = answering(bed, vip, 100_000_000L);
            long gap = bed.handoverGapMillis(VIP, owner, next, t0);
            r.stopGapMs.add(gap);
            subject.start(bed, owner);
            Thread.sleep(1_500);
            r.plannedDual += dualRounds(bed, t0);
        }
        for (int t = 0; t < trials; t++) {
            awaitOneOwner(bed, vip);
            subject.settle(bed);
            Thread.sleep(300);
            int owner = answering(bed, vip, 300_000_000L);
            int target = owner % 3 + 1;
            long t0 = System.nanoTime();
            if (!subject.move(bed, VIP, owner % 3 + 1, target)) {
                break;
            }
            Testbed.waitUntil("the target answers", 30_000, () -> answering(bed, vip, 100_000_000L) == target);
            Thread.sleep(200);
            r.moveGapMs.add(bed.handoverGapMillis(VIP, owner, target, t0));
            r.plannedDual += dualRounds(bed, t0);
        }
        System.out.printf("    planned stop (SIGTERM) gap: %s ms; planned move gap: %s ms%n", stats(r.stopGapMs),
                r.moveGapMs.isEmpty() ? "n/a" : stats(r.moveGapMs));
    }

    /** Nearest-rank percentile {@code p} (0-1] of sorted values; -1 when there are none. */
    static long pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int idx = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    private static String stats(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        if (s.isEmpty()) {
            return "n/a";
        }
        return String.format("%5d / %5d / %5d / %5d", s.get(0), pct(s, 0.5), pct(s, 0.95), s.get(s.size() - 1));
    }

    /** CPU time (user + system, all threads) of the three daemons over {@code windowMs}, mean per daemon. */
    private static double idleCpuPercent(Testbed bed, long windowMs) throws Exception {
        long before = 0;
        for (int i = 1; i <= 3; i++) {
            before += ProcessResources.cpuTicks(bed.pid(i));
        }
        long t0 = System.nanoTime();
        Thread.sleep(windowMs);
        long after = 0;
        for (int i = 1; i <= 3; i++) {
            after += ProcessResources.cpuTicks(bed.pid(i));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return (after - before) / 100.0 / seconds / 3 * 100; // USER_HZ = 100 on Linux
    }

    /** The new owner's side of the trial, from the daemons' logs (see {@link FailoverTimeline}). */
    private static void breakdown(Testbed bed, Result r, int crashed, long faultWallMs, long firstArpMs)
            throws java.io.IOException {
        int newOwner = answering(bed, bed.vip(VIP), 300_000_000L);
        if (newOwner == 0 || newOwner == crashed) {
            return;
        }
        List<java.nio.file.Path> logs = new ArrayList<>();
        for (int i = 1; i <= bed.hostCount(); i++) {
            logs.add(bed.logPath(i));
        }
        FailoverTimeline line = FailoverTimeline.read(logs, bed.logPath(newOwner), VIP, bed.node(newOwner),
                faultWallMs);
        System.out.println("              " + line);
        if (line.decidedMs() >= 0 && line.appliedMs() >= 0 && line.boundMs() >= 0 && firstArpMs >= 0) {
            r.wireMs.add(firstArpMs - line.boundMs());
            r.decidedMs.add(line.decidedMs());
            r.appliedMs.add(line.appliedMs() - line.decidedMs());
            r.boundMs.add(line.boundMs() - line.appliedMs());
        }
    }

    private static void report(List<Result> results, int trials) {
        System.out.println();
        System.out.println("Steady-state CPU per daemon (10 s window), % of one core:");
        for (Result r : results) {
            if (r.idleCpuPercent >= 0) {
                System.out.printf("%-34s %.1f%n", r.name, r.idleCpuPercent);
            }
        }
        System.out.println();
        System.out.println("Failover after owner crash (cable pulled + SIGKILL), " + trials
                + " trials, ms: min / median / p95 / max. Dual = ARP request rounds (50 ms) answered by two MACs.");
        System.out.printf("%-34s %-27s %-27s %6s %10s %9s%n", "system", "fault -> first ARP (new MAC)",
                "fault -> first TCP connect", "crash", "partition", "SIGSTOP");
        System.out.printf("%-34s %-27s %-27s %6s %10s %9s%n", "", "", "", "dual", "10 s dual", "5 s dual");
        for (Result r : results) {
            System.out.printf("%-34s %-27s %-27s %6d %10d %9d %s%n", r.name, stats(r.arpMs), stats(r.tcpMs),
                    r.crashDual, r.partitionDual, r.pauseDual, r.note);
        }
        System.out.println();
        System.out.println("Where vipd's failover time goes (daemons' logs, ms; min / median / p95 / max): fault -> the"
                + " leader decides; decision -> the new owner applied it; applied -> address added (fence and"
                + " first gratuitous ARP follow in the same step); address added -> client hears the new MAC");
        for (Result r : results) {
            if (!r.decidedMs.isEmpty()) {
                System.out.printf("%-34s detect %-22s commit %-22s bind %-22s wire %-22s%n", r.name,
                        stats(r.decidedMs), stats(r.appliedMs), stats(r.boundMs), stats(r.wireMs));
            }
        }
        System.out.println();
        System.out.println("Planned changes, client-visible gap (last ARP answer from the old MAC to the first from the "
                + "new one; 50 ms request rounds), ms: min / median / p95 / max");
        System.out.printf("%-34s %-27s %-27s %5s%n", "system", "owner stopped (SIGTERM)", "planned move", "dual");
        for (Result r : results) {
            System.out.printf("%-34s %-27s %-27s %5d%n", r.name, stats(r.stopGapMs),
                    r.moveGapMs.isEmpty() ? "n/a (no such command)" : stats(r.moveGapMs), r.plannedDual);
        }
        System.out.println("(vipd's planned move is vipctl move; keepalived has none short of editing priorities.)");
        System.out.println();
        for (Result v : results) {
            if (!v.name.startsWith("vipd") || v.arpMs.isEmpty()) {
                continue;
            }
            for (Result k : results) {
                if (k.name.startsWith("keepalived") && !k.arpMs.isEmpty()) {
                    System.out.printf("median first-ARP ratio %s / %s = %.2f%n", v.name, k.name,
                            (double) median(v.arpMs) / median(k.arpMs));
                }
            }
        }
    }

    private static long median(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return pct(s, 0.5);
    }
}

package io.vipd.testbed;

import io.vipd.host.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * IPv6 failover beside IPv4, vipd against keepalived's VRRPv3 on the same 3-host namespace testbed in the same run: a
 * dual-stack pair, {@code web} at 198.18.0.100/24 and {@code web6} at 2001:db8::100/64, which move together (vipd:
 * a VIP group; keepalived: two VRRPv3 instances in a sync group). The client runs the ARP referee for web and the
 * NDP referee for web6 (a solicitation every 50 ms each). For each system:
 * <ul>
 *   <li>K trials of owner crash (cable pulled and every process of the system SIGKILLed at the same moment):
 *       fault → first ARP answer from another MAC for web, fault → first neighbour advertisement from another MAC
 *       for web6;</li>
 *   <li>request rounds answered by two MACs, per address family: during the crashes, a 10 s partition of the owner
 *       from the other hosts (the client reaches both sides) and a 5 s SIGSTOP of the owner's daemon.</li>
 * </ul>
 * Usage: {@code scripts/bench --only dualstack [--trials K] [--systems vipd-default,keepalived-0.1,keepalived-1]}.
 * Timings are figures to compare, not assertions: the machine is shared and noisy.
 */
public final class DualStackBenchmark {
    private static final String VIP = "web";
    private static final String VIP6_CIDR = "2001:db8::100/64";

    /** What one system measured. */
    private static final class Result {
        final String name;
        final List<Long> arpMs = new ArrayList<>();
        final List<Long> ndpMs = new ArrayList<>();
        final long[] crashDual = new long[2];
        final long[] partitionDual = new long[2];
        final long[] pauseDual = new long[2];
        String note = "";

        Result(String name) {
            this.name = name;
        }
    }

    public static void main(String[] args) throws Exception {
        int trials = 10;
        List<String> systems = List.of("vipd-default", "keepalived-0.1", "keepalived-1");
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
                case "vipd-default" -> new VipdSubject("default", "vip.web6.address = " + VIP6_CIDR
                        + "\nvip.web6.interface = eth0\ngroup.pair.vips = web, web6\n", java.util.Set.of());
                case "keepalived-0.1" -> KeepalivedSubject.dualStack("0.1", VIP6_CIDR);
                case "keepalived-1" -> KeepalivedSubject.dualStack("1", VIP6_CIDR);
                default -> throw new IllegalArgumentException("unknown system " + system);
            };
            results.add(run(subject, trials));
        }
        report(results, trials);
    }

    /** The one testbed host answering in the last {@code windowNanos}, or 0. */
    private static int alone(Testbed bed, List<ArpReferee.Observation> recent, InetAddress vip) {
        List<MacAddress> macs = ArpReferee.answerers(recent, vip);
        return macs.size() == 1 ? bed.hostOf(macs.get(0)) : 0;
    }

    private static Result run(BenchSubject subject, int trials) throws Exception {
        Result r = new Result(subject.name());
        System.out.println("==> " + subject.name() + ": " + trials + " crash trials, 1 partition, 1 pause");
        Inet6Address web6 = (Inet6Address) InetAddress.getByName(VIP6_CIDR.substring(0, VIP6_CIDR.indexOf('/')));
        try (Testbed bed = new Testbed(3, List.of(VIP), Testbed.vipdJarFromBuild(), subject.config());
             NdpReferee ndp = bed.ndpReferee(List.of(web6))) {
            Inet4Address web = bed.vip(VIP);
            IntSupplier owner = () -> {
                long window = System.nanoTime() - 1_000_000_000L;
                int v4 = alone(bed, bed.referee().since(window), web);
                return v4 != 0 && v4 == alone(bed, ndp.since(window), web6) ? v4 : 0;
            };
            Runnable awaitOneOwner = () -> Testbed.waitUntil("one owner answers both addresses for a second", 60_000,
                    () -> owner.getAsInt() != 0);
            for (int i = 1; i <= 3; i++) {
                subject.start(bed, i);
            }
            awaitOneOwner.run();
            for (int t = 0; t < trials; t++) {
                awaitOneOwner.run();
                subject.settle(bed);
                int crashed = owner.getAsInt();
                long t0 = System.nanoTime();
                bed.link(crashed, false);
                subject.kill(bed, crashed);
                Testbed.waitUntil("both addresses answered by another host", 30_000, () -> {
                    long window = System.nanoTime() - 300_000_000L;
                    int v4 = alone(bed, bed.referee().since(window), web);
                    int v6 = alone(bed, ndp.since(window), web6);
                    return v4 != 0 && v4 != crashed && v6 != 0 && v6 != crashed;
                });
                long arp = first(bed, bed.referee().since(t0), web, crashed);
                long na = first(bed, ndp.since(t0), web6, crashed);
                if (arp > 0) {
                    r.arpMs.add((arp - t0) / 1_000_000L);
                }
                if (na > 0) {
                    r.ndpMs.add((na - t0) / 1_000_000L);
                }
                System.out.printf("    trial %2d: %s crashed; first ARP (web) from the new owner %s ms, first NA "
                        + "(web6) %s ms%n", t + 1, bed.node(crashed), ms(arp, t0), ms(na, t0));
                subject.start(bed, crashed); // as after a reboot: the system starts before the cable is back
                Thread.sleep(1_500);
                bed.link(crashed, true);
                awaitOneOwner.run();
                Thread.sleep(1_000);
                add(r.crashDual, dual(bed.referee().since(t0)), dual(ndp.since(t0)));
            }
            awaitOneOwner.run();
            int cut = owner.getAsInt();
            long p0 = System.nanoTime();
            bed.isolate(cut);
            Thread.sleep(10_000);
            bed.heal(cut);
            awaitOneOwner.run();
            Thread.sleep(2_000);
            add(r.partitionDual, dual(bed.referee().since(p0)), dual(ndp.since(p0)));
            awaitOneOwner.run();
            int paused = owner.getAsInt();
            long s0 = System.nanoTime();
            subject.pause(bed, paused);
            Thread.sleep(5_000);
            subject.resume(bed, paused);
            awaitOneOwner.run();
            Thread.sleep(2_000);
            add(r.pauseDual, dual(bed.referee().since(s0)), dual(ndp.since(s0)));
            System.out.printf("    two-MAC rounds (IPv4 / IPv6): partition 10 s %d / %d, SIGSTOP 5 s %d / %d%n",
                    r.partitionDual[0], r.partitionDual[1], r.pauseDual[0], r.pauseDual[1]);
        } catch (AssertionError | java.io.IOException e) {
            r.note = "aborted: " + e.getMessage();
            System.out.println("    " + r.note);
        }
        return r;
    }

    /** When a host other than {@code crashed} first answered {@code vip}, or -1. */
    private static long first(Testbed bed, List<ArpReferee.Observation> seen, InetAddress vip, int crashed) {
        return seen.stream().filter(o -> o.vip().equals(vip) && bed.hostOf(o.mac()) != crashed)
                .mapToLong(ArpReferee.Observation::nanos).min().orElse(-1);
    }

    private static String ms(long at, long t0) {
        return at > 0 ? String.valueOf((at - t0) / 1_000_000L) : "-";
    }

    private static long dual(List<ArpReferee.Observation> seen) {
        return ArpReferee.dualAnswers(seen).values().stream().mapToLong(List::size).sum();
    }

    private static void add(long[] into, long v4, long v6) {
        into[0] += v4;
        into[1] += v6;
    }

    private static String stats(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        if (s.isEmpty()) {
            return "n/a";
        }
        return String.format("%5d / %5d / %5d", s.get(0), s.get((s.size() - 1) / 2), s.get(s.size() - 1));
    }

    private static void report(List<Result> results, int trials) {
        System.out.println();
        System.out.println("Dual-stack failover after owner crash (cable pulled + SIGKILL), " + trials + " trials, ms: "
                + "min / median / max. Dual = request rounds (50 ms) answered by two MACs, IPv4 / IPv6.");
        System.out.printf("%-34s %-21s %-21s %9s %11s %9s%n", "system", "-> first ARP (IPv4)", "-> first NA (IPv6)",
                "crash", "partition", "SIGSTOP");
        for (Result r : results) {
            System.out.printf("%-34s %-21s %-21s %9s %11s %9s %s%n", r.name, stats(r.arpMs), stats(r.ndpMs),
                    r.crashDual[0] + " / " + r.crashDual[1], r.partitionDual[0] + " / " + r.partitionDual[1],
                    r.pauseDual[0] + " / " + r.pauseDual[1], r.note);
        }
    }
}

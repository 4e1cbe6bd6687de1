package io.vipd.testbed;

import io.vipd.host.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Many VIPs, vipd against keepalived on the same 3-host namespace testbed in one run: the client's ARP referee asks
 * for every VIP every 50 ms. For each system:
 * <ul>
 *   <li>start: all three hosts at once, until every VIP is answered by exactly one MAC;</li>
 *   <li>K crashes of the host answering the most VIPs (cable pulled and SIGKILL): for each of its VIPs, fault →
 *       first ARP answer from another MAC; reported as first / median / last, and last − first (how long the
 *       takeover of all of them took);</li>
 *   <li>a reload adding one VIP on every host: reload → the VIP answered;</li>
 *   <li>request rounds in which two MACs answered one VIP, over the whole run.</li>
 * </ul>
 * keepalived carries many addresses in one VRRP instance (the first in the advert, the rest excluded from it), so
 * its VIPs move together. Usage: {@code ScaleBenchmark [--vips N] [--trials K] [--systems vipd-default,vipd-fast,
 * keepalived-0.1,keepalived-1]}. Timings are figures to compare, not assertions.
 */
public final class ScaleBenchmark {
    private static final String ADDED = "added";
    /** How far back "answered now" looks: more than one referee round. */
    private static long windowMs = 300;

    private ScaleBenchmark() {}

    private record Result(String name, long startMs, List<long[]> crashes, long reloadMs, long dualRounds,
                          String note) {}

    public static void main(String[] args) throws Exception {
        int vipCount = 200;
        int trials = 3;
        List<String> systems = List.of("vipd-default", "vipd-fast", "keepalived-0.1");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--vips" -> vipCount = Integer.parseInt(args[++i]);
                case "--trials" -> trials = Integer.parseInt(args[++i]);
                case "--systems" -> systems = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        // The referee asks for every VIP each round: at most ~4,000 requests a second (200 VIPs every 50 ms), so
        // the probe load itself does not swamp the three hosts on this 2-core machine
        int refereeMs = Math.max(50, vipCount / 4);
        System.setProperty("vipd.referee.ms", String.valueOf(refereeMs));
        windowMs = 2L * refereeMs + 200;
        System.out.printf("the client asks for each VIP every %d ms%n", refereeMs);
        List<String> vips = new ArrayList<>();
        for (int v = 0; v < vipCount; v++) {
            vips.add("v" + v);
        }
        vips.add(ADDED);
        List<Result> results = new ArrayList<>();
        for (String system : systems) {
            BenchSubject subject = switch (system) {
                case "vipd-default" -> new VipdSubject("default", "", Set.of(ADDED));
                case "vipd-fast" -> new VipdSubject("fast", "", Set.of(ADDED));
                case "keepalived-1" -> KeepalivedSubject.oneInstance("1", Set.of(ADDED));
                case "keepalived-0.1" -> KeepalivedSubject.oneInstance("0.1", Set.of(ADDED));
                default -> throw new IllegalArgumentException("unknown system " + system);
            };
            results.add(run(subject, vips, trials));
        }
        System.out.printf("%n%d VIPs, 3 hosts; ms. crash: fault -> each of the crashed host's VIPs answered by another "
                + "MAC, first / median / last (last - first)%n", vipCount);
        System.out.printf("%-36s %10s  %-44s %10s %6s%n", "system", "start", "crash of the busiest host", "reload",
                "dual");
        for (Result r : results) {
            List<String> crashes = new ArrayList<>();
            for (long[] c : r.crashes()) {
                crashes.add(c[0] + "/" + c[1] + "/" + c[2] + " (" + (c[2] - c[0]) + ")");
            }
            System.out.printf("%-36s %10d  %-44s %10d %6d %s%n", r.name(), r.startMs(), String.join(", ", crashes),
                    r.reloadMs(), r.dualRounds(), r.note());
        }
    }

    /** Host → VIPs it alone answered in the last {@code windowMs} (VIPs answered by none or two are left out). */
    private static Map<Integer, List<Inet4Address>> answering(Testbed bed, List<Inet4Address> vips, long windowMs) {
        Map<Inet4Address, Set<MacAddress>> macs = new HashMap<>();
        for (ArpReferee.Observation o : bed.referee().since(System.nanoTime() - windowMs * 1_000_000L)) {
            if (!o.gratuitous()) {
                macs.computeIfAbsent((Inet4Address) o.vip(), v -> new java.util.HashSet<>()).add(o.mac());
            }
        }
        Map<Integer, List<Inet4Address>> out = new HashMap<>();
        for (Inet4Address vip : vips) {
            Set<MacAddress> m = macs.getOrDefault(vip, Set.of());
            if (m.size() == 1) {
                out.computeIfAbsent(bed.hostOf(m.iterator().next()), h -> new ArrayList<>()).add(vip);
            }
        }
        return out;
    }

    private static int answeredCount(Map<Integer, List<Inet4Address>> byHost) {
        return byHost.values().stream().mapToInt(List::size).sum();
    }

    private static void awaitAllAnswered(Testbed bed, List<Inet4Address> vips, long timeoutMs) {
        try {
            Testbed.waitUntil("all " + vips.size() + " VIPs answered by one MAC each", timeoutMs,
                    () -> answeredCount(answering(bed, vips, windowMs)) == vips.size());
        } catch (AssertionError e) {
            Map<Integer, List<Inet4Address>> byHost = answering(bed, vips, windowMs);
            List<Inet4Address> missing = new ArrayList<>(vips);
            byHost.values().forEach(missing::removeAll);
            throw new AssertionError(e.getMessage() + ": " + missing.size() + " not, e.g. "
                    + missing.subList(0, Math.min(5, missing.size())) + " (referee: " + bed.referee().rounds()
                    + " rounds, " + bed.referee().since(System.nanoTime() - 1_000_000_000L).size()
                    + " answers in the last second)", e);
        }
    }

    private static Result run(BenchSubject subject, List<String> vipNames, int trials) throws Exception {
        System.out.println("==> " + subject.name() + ": " + (vipNames.size() - 1) + " VIPs, " + trials + " crashes");
        long startMs = -1;
        long reloadMs = -1;
        long dual = 0;
        List<long[]> crashes = new ArrayList<>();
        String note = "";
        try (Testbed bed = new Testbed(3, vipNames, Testbed.vipdJarFromBuild(), subject.config())) {
            List<Inet4Address> vips = new ArrayList<>();
            vipNames.stream().filter(v -> !v.equals(ADDED)).forEach(v -> vips.add(bed.vip(v)));
            long runStart = System.nanoTime();
            for (int i = 1; i <= 3; i++) {
                subject.start(bed, i);
            }
            awaitAllAnswered(bed, vips, 120_000);
            startMs = (System.nanoTime() - runStart) / 1_000_000L;
            System.out.printf("    start to all answered: %d ms%n", startMs);
            for (int t = 0; t < trials; t++) {
                subject.settle(bed);
                Thread.sleep(2_000);
                Map<Integer, List<Inet4Address>> byHost = answering(bed, vips, windowMs);
                int victim = byHost.entrySet().stream().max(Map.Entry.comparingByValue(
                        java.util.Comparator.comparingInt(List::size))).orElseThrow().getKey();
                List<Inet4Address> moving = byHost.get(victim);
                long t0 = System.nanoTime();
                bed.link(victim, false);
                subject.kill(bed, victim);
                Map<Inet4Address, Long> firstNew = new HashMap<>();
                long deadline = t0 + 30_000_000_000L;
                while (firstNew.size() < moving.size() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    for (ArpReferee.Observation o : bed.referee().since(t0)) {
                        if (moving.contains(o.vip()) && bed.hostOf(o.mac()) != victim) {
                            firstNew.merge((Inet4Address) o.vip(), o.nanos() - t0, Math::min);
                        }
                    }
                }
                List<Long> ms = new ArrayList<>();
                firstNew.values().forEach(n -> ms.add(n / 1_000_000L));
                Collections.sort(ms);
                if (ms.size() < moving.size()) {
                    note = (moving.size() - ms.size()) + " VIPs not answered 30 s after a crash";
                }
                long[] c = ms.isEmpty() ? new long[] {-1, -1, -1}
                        : new long[] {ms.get(0), ms.get(ms.size() / 2), ms.get(ms.size() - 1)};
                crashes.add(c);
                System.out.printf("    crash %d: %s answered %d VIPs; the others took them over in %d / %d / %d ms "
                        + "(first / median / last)%n", t + 1, bed.node(victim), moving.size(), c[0], c[1], c[2]);
                subject.start(bed, victim);
                Thread.sleep(1_500);
                bed.link(victim, true);
                awaitAllAnswered(bed, vips, 60_000);
            }
            subject.settle(bed);
            Thread.sleep(1_000);
            Inet4Address added = bed.vip(ADDED);
            long r0 = System.nanoTime();
            for (int i = 1; i <= 3; i++) {
                subject.reloadWithAllVips(bed, i);
            }
            Testbed.waitUntil("the added VIP answered", 60_000,
                    () -> !ArpReferee.answerers(bed.referee().since(r0), added).isEmpty());
            reloadMs = bed.referee().since(r0).stream().filter(o -> o.vip().equals(added))
                    .mapToLong(o -> (o.nanos() - r0) / 1_000_000L).min().orElse(-1);
            System.out.printf("    reload adding a VIP on all three hosts: answered %d ms after the first reload%n",
                    reloadMs);
            Thread.sleep(2_000);
            List<Inet4Address> all = new ArrayList<>(vips);
            all.add(added);
            awaitAllAnswered(bed, all, 30_000);
            dual = ArpReferee.dualAnswers(bed.referee().since(runStart)).values().stream()
                    .mapToLong(List::size).sum();
        } catch (AssertionError | java.io.IOException e) {
            note = "aborted: " + e.getMessage();
            System.out.println("    " + note);
        }
        return new Result(subject.name(), startMs, crashes, reloadMs, dual, note);
    }
}

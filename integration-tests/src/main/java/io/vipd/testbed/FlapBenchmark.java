package io.vipd.testbed;

import io.vipd.host.MacAddress;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Flap benchmark, vipd against keepalived on the same namespace testbed in the same run: one MAC per VIP over time,
 * not only at each instant. 3 hosts; web prefers h1, then h2, then h3, with preemption (vipd: {@code prefer} and
 * {@code preempt = on}; keepalived: priorities 150/100/50, preempting); fresh prefers h3 and is added by a reload on
 * all hosts at once. For each event the client's ARP referee (every 50 ms) records which MACs answered: the number
 * of owner changes (changes in the set of MACs that answered a request round) and of distinct MACs, and request
 * rounds answered by two.
 * The event needs: cold start 0 changes; 5 s SIGSTOP of the owner 2 (away and back, once); restart of the owner
 * (SIGTERM, start) 2; the owner cut off from the other hosts for 6 s 2; a reload adding fresh 0.
 * Usage: {@code scripts/bench --flaps [--trials K] [--systems vipd-default,keepalived-1,keepalived-0.1]}.
 */
public final class FlapBenchmark {
    private static final String WEB = "web";
    private static final String FRESH = "fresh";
    private static final String VIPD_PREFERENCES = String.join("\n",
            "vip.web.prefer = n1, n2, n3", "vip.web.preempt = on", "vip.fresh.prefer = n3, n1, n2", "");
    private static final Map<String, List<Integer>> KEEPALIVED_PREFERENCES =
            Map.of(WEB, List.of(1, 2, 3), FRESH, List.of(3, 1, 2));

    /** What the client saw in one event: the MACs in the order they answered, and rounds with two. */
    private record Seen(List<String> hosts, int distinct, long dualRounds) {
        int changes() {
            return Math.max(0, hosts.size() - 1);
        }
    }

    private FlapBenchmark() {}

    public static void main(String[] args) throws Exception {
        int trials = 3;
        List<String> systems = List.of("vipd-default", "keepalived-1", "keepalived-0.1");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--trials")) {
                trials = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--systems")) {
                systems = List.of(args[++i].split(","));
            }
        }
        Map<String, Map<String, List<Seen>>> results = new LinkedHashMap<>();
        for (String system : systems) {
            BenchSubject subject = switch (system) {
                case "vipd-default" -> new VipdSubject("default", VIPD_PREFERENCES, Set.of(FRESH));
                case "vipd-fast" -> new VipdSubject("fast", VIPD_PREFERENCES, Set.of(FRESH));
                case "keepalived-1" -> new KeepalivedSubject("1", KEEPALIVED_PREFERENCES, Set.of(FRESH));
                case "keepalived-0.1" -> new KeepalivedSubject("0.1", KEEPALIVED_PREFERENCES, Set.of(FRESH));
                default -> throw new IllegalArgumentException("unknown system " + system);
            };
            results.put(subject.name(), run(subject, trials));
        }
        report(results, trials);
    }

    /**
     * What the client saw of {@code vip} from half a second before {@code from}: per request round the set of MACs
     * that replied (as for dual answers, gratuitous ARPs do not count: a new owner announces in the round its
     * predecessor last replied in), rounds without a reply skipped, repeats merged. So two
     * MACs answering together for a while count as one change in and one out, not one per alternating reply.
     */
    private static Seen seen(Testbed bed, String vip, long from) {
        Inet4Address address = bed.vip(vip);
        List<ArpReferee.Observation> obs = bed.referee().since(from - 500_000_000L);
        Map<Long, Set<String>> byRound = new java.util.TreeMap<>();
        Set<MacAddress> macs = new LinkedHashSet<>();
        for (ArpReferee.Observation o : obs) {
            if (o.vip().equals(address) && !o.gratuitous()) {
                macs.add(o.mac());
                byRound.computeIfAbsent(o.round(), r -> new java.util.TreeSet<>())
                        .add(bed.node(bed.hostOf(o.mac())));
            }
        }
        List<String> hosts = new ArrayList<>();
        for (Set<String> answered : byRound.values()) {
            String who = String.join("+", answered);
            if (hosts.isEmpty() || !hosts.get(hosts.size() - 1).equals(who)) {
                hosts.add(who);
            }
        }
        long dual = ArpReferee.dualAnswers(obs).getOrDefault(address, List.of()).size();
        return new Seen(hosts, macs.size(), dual);
    }

    private static void print(String system, String event, String vip, Seen s) {
        System.out.printf("    %-16s %-32s %s: %s (%d owner changes, %d MACs, %d dual rounds)%n", system, event, vip,
                String.join(" -> ", s.hosts()), s.changes(), s.distinct(), s.dualRounds());
    }

    private static void awaitAnswered(Testbed bed, String vip, int host) {
        Testbed.waitUntil(vip + " answered by " + bed.node(host) + " alone", 60_000,
                () -> bed.answeringHost(vip) == host);
    }

    private static Map<String, List<Seen>> run(BenchSubject subject, int trials) throws Exception {
        Map<String, List<Seen>> out = new LinkedHashMap<>();
        String name = subject.name();
        System.out.println("==> " + name + ": cold start, then " + trials + " trials of pause, restart, partition, "
                + "then a reload");
        try (Testbed bed = new Testbed(3, List.of(WEB, FRESH), Testbed.vipdJarFromBuild(), subject.config())) {
            long t0 = System.nanoTime();
            for (int i = 1; i <= 3; i++) {
                subject.start(bed, i);
            }
            Testbed.waitUntil("web answered", 60_000, () -> bed.answeringHost(WEB) != 0);
            Thread.sleep(10_000);
            record(out, "cold start", seen(bed, WEB, t0), name, WEB);
            for (int t = 0; t < trials; t++) {
                awaitAnswered(bed, WEB, 1);
                subject.settle(bed);
                Thread.sleep(2000);
                long p0 = System.nanoTime();
                subject.pause(bed, 1);
                Thread.sleep(5000);
                subject.resume(bed, 1);
                Thread.sleep(12_000);
                record(out, "SIGSTOP 5 s of the owner", seen(bed, WEB, p0), name, WEB);

                awaitAnswered(bed, WEB, 1);
                subject.settle(bed);
                Thread.sleep(2000);
                long r0 = System.nanoTime();
                subject.stop(bed, 1);
                subject.start(bed, 1);
                Thread.sleep(15_000);
                record(out, "restart of the owner", seen(bed, WEB, r0), name, WEB);

                awaitAnswered(bed, WEB, 1);
                subject.settle(bed);
                Thread.sleep(2000);
                long i0 = System.nanoTime();
                bed.isolate(1);
                Thread.sleep(6000);
                bed.heal(1);
                Thread.sleep(12_000);
                record(out, "owner cut off 6 s, healed", seen(bed, WEB, i0), name, WEB);
            }
            subject.settle(bed);
            long l0 = System.nanoTime();
            List<CompletableFuture<Boolean>> reloads = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int h = i;
                reloads.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return subject.reloadWithAllVips(bed, h);
                    } catch (java.io.IOException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }));
            }
            for (CompletableFuture<Boolean> r : reloads) {
                r.get();
            }
            Thread.sleep(8000);
            record(out, "reload adding a VIP, all hosts", seen(bed, FRESH, l0), name, FRESH);
        } catch (AssertionError | java.io.IOException e) {
            System.out.println("    aborted: " + e.getMessage());
        }
        return out;
    }

    private static void record(Map<String, List<Seen>> out, String event, Seen s, String system, String vip) {
        out.computeIfAbsent(event, e -> new ArrayList<>()).add(s);
        print(system, event, vip, s);
    }

    private static void report(Map<String, Map<String, List<Seen>>> results, int trials) {
        System.out.println();
        System.out.println("Flaps per event (" + trials + " trials; the reload once): owner changes the client saw "
                + "(per trial), the most distinct MACs in one trial, request rounds (50 ms) answered by two MACs in all.");
        System.out.println("Needed: cold start 0, SIGSTOP 2, restart 2, partition 2, reload 0 changes; 2 MACs at most "
                + "(1 for start and reload); 0 dual rounds.");
        System.out.printf("%-34s %-32s %-16s %5s %5s%n", "system", "event", "owner changes", "MACs", "dual");
        for (Map.Entry<String, Map<String, List<Seen>>> system : results.entrySet()) {
            for (Map.Entry<String, List<Seen>> e : system.getValue().entrySet()) {
                List<String> changes = e.getValue().stream().map(s -> String.valueOf(s.changes())).toList();
                int macs = e.getValue().stream().mapToInt(Seen::distinct).max().orElse(0);
                long dual = e.getValue().stream().mapToLong(Seen::dualRounds).sum();
                System.out.printf("%-34s %-32s %-16s %5d %5d%n", system.getKey(), e.getKey(),
                        String.join(" ", changes), macs, dual);
            }
        }
    }
}

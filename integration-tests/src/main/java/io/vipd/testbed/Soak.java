package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A randomized fault soak, as Jepsen runs them: a 5-host cluster with four VIPs (one health-checked, two in a
 * group), a low snapshot threshold so the run crosses many snapshots and log purges, and a seeded schedule of
 * faults from {@link Nemesis}, up to three at once. The judges are independent of vipd: the client's ARP referee
 * (two MACs in one request round), the hosts' kernel addresses ({@link AddressSampler}: a host answering without
 * the address, an address left on a host that does not answer) and, at the end, every node's replicated table.
 * {@code scripts/soak [--faults N] [--seed S]}; {@code SoakIT} runs a short one in CI.
 */
public final class Soak {
    static final String CHECKED_VIP = "v1";
    static final int SERVICE_PORT = 9100;
    /** After a fault heals, every VIP should be answered again within this long. */
    static final long RECOVERY_BOUND_MS = 10_000;
    private static final List<String> VIPS = List.of("v0", "v1", "v2", "v3");
    private static final String CONFIG = String.join("\n",
            "raft.snapshot.entries = 100",
            "check.svc.type = tcp",
            "check.svc.target = 127.0.0.1:" + SERVICE_PORT,
            "check.svc.interval.ms = 300",
            "check.svc.timeout.ms = 250",
            "check.svc.fall = 2",
            "check.svc.rise = 2",
            "vip." + CHECKED_VIP + ".checks = svc",
            "group.g.vips = v2, v3", "");

    /** The soak's cluster: the testbed, and how a daemon is (re)started with its configuration. */
    record Cluster(Testbed bed, List<String> vipNames, Path smallDisk) {
        /** Host 5's data directory is on a small tmpfs of its own, so the disk-full fault fills only it. */
        int smallDiskHost() {
            return bed.hostCount();
        }

        Path fillerOf(int host) {
            return smallDisk.resolve("filler");
        }

        Path dataDirOf(int host) {
            return host == smallDiskHost() ? smallDisk.resolve("data") : bed.dataDir(host);
        }

        void start(int host) throws IOException {
            String config = bed.config(host);
            if (host == smallDiskHost()) {
                config = config.replace("data.dir = " + bed.dataDir(host), "data.dir = " + dataDirOf(host));
            }
            bed.startDaemon(host, Map.of(), config);
        }
    }

    /**
     * What a soak found. The run is good when it has no violation: no two MACs in a round, no reply from a host
     * without the address, every heal steady within 60 s with no stale address, the same table on every node.
     * {@code firstLogIndexOnDisk}: the lowest first log index left on the disks of hosts 1-4 (above 0: the log was
     * purged after snapshots); {@code snapshotFiles}: the most snapshots one data directory holds at the end.
     */
    public record Report(long seed, int faults, int dualRounds, int staleAfterHeal, int answeredWithoutAddress,
                         int notRecovered, int slowRecoveries, boolean tablesAgree, long dataDirMaxBytes,
                         long firstLogIndexOnDisk, int snapshotFiles, List<String> violations) {
        public boolean good() {
            return violations.isEmpty();
        }
    }

    public static void main(String[] args) throws Exception {
        int faults = 200;
        long seed = new Random().nextLong();
        List<Nemesis.Kind> kinds = List.of(Nemesis.Kind.values());
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--faults" -> faults = Integer.parseInt(args[++i]);
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--only" -> kinds = java.util.Arrays.stream(args[++i].split(","))
                            .map(k -> Nemesis.Kind.valueOf(k.trim().toUpperCase().replace('-', '_'))).toList();
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("scripts/soak: " + e.getMessage() + "\nusage: scripts/soak [--faults N] [--seed S] "
                    + "[--only KIND,...] with KIND among " + java.util.Arrays.toString(Nemesis.Kind.values())
                    .toLowerCase());
            System.exit(2);
        }
        Report r = run(faults, seed, kinds, Testbed.vipdJarFromBuild());
        System.exit(r.good() ? 0 : 1);
    }

    public static Report run(int faults, long seed, Path vipdJar) throws Exception {
        return run(faults, seed, List.of(Nemesis.Kind.values()), vipdJar);
    }

    static Report run(int faults, long seed, List<Nemesis.Kind> kinds, Path vipdJar) throws Exception {
        System.out.printf("[soak] seed %d, %d faults of %s: reproduce with scripts/soak --faults %d --seed %d%s%n",
                seed, faults, kinds.size() == Nemesis.Kind.values().length ? "every kind" : kinds, faults, seed,
                kinds.size() == Nemesis.Kind.values().length ? "" : " --only " + String.join(",",
                        kinds.stream().map(k -> k.name().toLowerCase()).toList()));
        try (Testbed bed = new Testbed(5, VIPS, vipdJar, CONFIG)) {
            Path disk = bed.workDir().resolve("small-disk");
            Files.createDirectories(disk);
            Shell.ok("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", disk.toString());
            Thread unmount = new Thread(() -> Shell.quietly("umount", "-l", disk.toString()), "soak-unmount");
            Runtime.getRuntime().addShutdownHook(unmount); // also when the soak is interrupted (Ctrl-C)
            try (AddressSampler sampler = new AddressSampler(bed, bed.vips().values())) {
                Cluster cluster = new Cluster(bed, VIPS, disk);
                return new SoakRun(cluster, sampler, new Random(seed), seed, kinds).run(faults);
            } finally {
                for (int i = 1; i <= bed.hostCount(); i++) {
                    if (bed.running(i)) {
                        bed.kill9(i); // before the small disk is unmounted; the testbed kills the rest
                    }
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(unmount);
                    unmount.run();
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting (Ctrl-C): the hook unmounts
                }
            }
        }
    }

    /** One soak: the schedule, the measurements and the verdict. */
    private static final class SoakRun {
        private final Cluster cluster;
        private final Testbed bed;
        private final AddressSampler sampler;
        private final Random random;
        private final long seed;
        private final Nemesis nemesis;
        private final Steadiness steadiness;
        private final List<String> violations = new ArrayList<>();
        private final List<Long> failoverMs = new ArrayList<>();
        private final List<Long> recoveryMs = new ArrayList<>();
        private int stale;
        private int notRecovered;
        private int slow;

        SoakRun(Cluster cluster, AddressSampler sampler, Random random, long seed, List<Nemesis.Kind> kinds) {
            this.cluster = cluster;
            this.bed = cluster.bed();
            this.sampler = sampler;
            this.random = random;
            this.seed = seed;
            this.nemesis = new Nemesis(cluster, random, kinds);
            this.steadiness = new Steadiness(bed);
        }

        Report run(int faults) throws Exception {
            for (int i = 1; i <= bed.hostCount(); i++) {
                bed.service(i, SERVICE_PORT, true);
                cluster.start(i);
            }
            if (steadiness.awaitStable(90_000) < 0) {
                throw new IllegalStateException("the cluster never became steady: " + steadiness.problems(false));
            }
            long t0 = System.nanoTime();
            DataDirSizes sizes = new DataDirSizes(cluster);
            int injected = 0;
            for (int step = 1; injected < faults; step++) {
                injected += step(step);
                sizes.sample();
            }
            List<ArpReferee.Observation> all = bed.referee().since(t0);
            Map<java.net.InetAddress, List<String>> dual = ArpReferee.dualAnswers(all);
            int dualRounds = dual.values().stream().mapToInt(List::size).sum();
            if (dualRounds > 0) {
                violations.add("several MACs answered one VIP in one request round: " + dual);
            }
            int without = 0;
            for (ArpReferee.Observation o : all) {
                if (!o.gratuitous() && !sampler.carried(bed.hostOf(o.mac()), (Inet4Address) o.vip(), o.nanos(),
                        150_000_000L)) {
                    without++;
                    violations.add(bed.node(bed.hostOf(o.mac())) + " answered " + o.vip().getHostAddress()
                            + " without carrying the address (" + sampler.describe(bed.hostOf(o.mac()),
                            (Inet4Address) o.vip(), o.nanos()) + ")");
                }
            }
            String tables = TableComparison.compare(bed);
            if (!tables.isEmpty()) {
                violations.add("the nodes' tables differ after the soak: " + tables);
            }
            long firstIndex = Long.MAX_VALUE;
            for (int i = 1; i < cluster.smallDiskHost(); i++) {
                firstIndex = Math.min(firstIndex, bed.firstLogIndexOnDisk(i));
            }
            Report r = new Report(seed, injected, dualRounds, stale, without, notRecovered, slow, tables.isEmpty(),
                    sizes.max(), firstIndex, sizes.snapshotFilesNow(), List.copyOf(violations));
            print(r, sizes, (System.nanoTime() - t0) / 1_000_000_000L);
            return r;
        }

        /**
         * One step: up to three overlapping faults, held 0.3-2.5 s (from under a lease to over three), healed;
         * returns how many were injected.
         */
        private int step(int step) throws Exception {
            int wanted = 1 + (random.nextInt(10) < 3 ? 1 : 0) + (random.nextInt(10) < 1 ? 1 : 0);
            Set<Integer> free = new TreeSet<>();
            for (int i = 1; i <= bed.hostCount(); i++) {
                free.add(i);
            }
            List<Nemesis.Active> active = new ArrayList<>();
            Map<Nemesis.Active, Map<String, Integer>> ownersAtStart = new java.util.HashMap<>();
            for (int k = 0; k < wanted * 3 && active.size() < wanted; k++) {
                Map<String, Integer> owners = answeringNow();
                Nemesis.Active a = nemesis.start(free);
                if (a == null) {
                    continue;
                }
                active.add(a);
                ownersAtStart.put(a, owners);
                if (Nemesis.hostFault(a.kind())) {
                    free.removeAll(a.hosts());
                }
                Thread.sleep(random.nextInt(500));
            }
            Thread.sleep(300 + random.nextInt(2200));
            for (Nemesis.Active a : active) {
                System.out.printf("[soak] step %d: %s%s%n", step, a, failovers(a, ownersAtStart.get(a)));
            }
            java.util.Collections.shuffle(active, random);
            for (Nemesis.Active a : active) {
                nemesis.heal(a);
                Thread.sleep(random.nextInt(300));
            }
            long healed = System.nanoTime();
            long answered = -1;
            while (System.nanoTime() - healed < 60_000_000_000L) {
                if (steadiness.everyVipAnswered()) {
                    answered = (System.nanoTime() - healed) / 1_000_000L;
                    break;
                }
                Thread.sleep(50);
            }
            long stable = steadiness.awaitStable(60_000);
            if (answered >= 0) {
                recoveryMs.add(answered);
            }
            if (answered < 0 || answered > RECOVERY_BOUND_MS) {
                slow++;
                System.out.printf("[soak] step %d: a VIP was without an owner %s after the heal%n", step,
                        answered < 0 ? "for over 60 s" : answered + " ms");
            }
            if (stable < 0) {
                List<String> problems = steadiness.problems(false);
                notRecovered++;
                stale += (int) problems.stream().filter(p -> p.endsWith("(stale)")).count();
                violations.add("step " + step + " " + active + ": not steady 60 s after the heal: " + problems);
                System.out.printf("[soak] step %d: NOT STEADY 60 s after the heal: %s%n", step, problems);
            }
            return active.size();
        }

        private Map<String, Integer> answeringNow() {
            Map<String, Integer> out = new java.util.TreeMap<>();
            bed.vips().forEach((name, vip) -> out.put(name, steadiness.answering(vip)));
            return out;
        }

        /** For a fault on hosts that answered VIPs: when another host first answered each, while it lasted. */
        private String failovers(Nemesis.Active a, Map<String, Integer> owners) {
            if (!Nemesis.hostFault(a.kind()) || owners == null) {
                return "";
            }
            StringBuilder out = new StringBuilder();
            owners.forEach((name, host) -> {
                if (a.hosts().contains(host)) {
                    Inet4Address vip = bed.vip(name);
                    long first = bed.referee().since(a.startNanos()).stream()
                            .filter(o -> !o.gratuitous() && o.vip().equals(vip) && bed.hostOf(o.mac()) != host)
                            .mapToLong(ArpReferee.Observation::nanos).min().orElse(-1);
                    if (first >= 0) {
                        long ms = (first - a.startNanos()) / 1_000_000L;
                        failoverMs.add(ms);
                        out.append("; ").append(name).append(" answered by another host after ").append(ms)
                                .append(" ms");
                    } else {
                        out.append("; ").append(name).append(" not moved while it lasted");
                    }
                }
            });
            return out.toString();
        }

        private void print(Report r, DataDirSizes sizes, long seconds) {
            System.out.printf("[soak] seed %d: %d faults in %d s%n", r.seed(), r.faults(), seconds);
            System.out.printf("[soak] rounds with two MACs for one VIP: %d%n", r.dualRounds());
            System.out.printf("[soak] replies from a host without the address: %d%n", r.answeredWithoutAddress());
            System.out.printf("[soak] stale addresses after a heal: %d; not steady 60 s after a heal: %d%n",
                    r.staleAfterHeal(), r.notRecovered());
            System.out.printf("[soak] every VIP answered again after a heal: median %d ms, max %d ms; over %d ms: %d%n",
                    percentile(recoveryMs, 50), percentile(recoveryMs, 100), RECOVERY_BOUND_MS, r.slowRecoveries());
            System.out.printf("[soak] failovers during faults: %d, median %d ms, p90 %d ms, max %d ms%n",
                    failoverMs.size(), percentile(failoverMs, 50), percentile(failoverMs, 90),
                    percentile(failoverMs, 100));
            JsonNode status = bed.status(1);
            System.out.printf("[soak] tables identical on every node: %s; applied index %s, snapshot every 100 "
                    + "entries; the logs of n1-n4 start at index %d or later (purged before)%n", r.tablesAgree(),
                    status == null ? "?" : status.path("appliedIndex").asText(), r.firstLogIndexOnDisk());
            sizes.print();
            System.out.println("[soak] address polls: " + sampler.slowPolls());
            System.out.printf("[soak] snapshots kept in the fullest data directory at the end: %d%n",
                    r.snapshotFiles());
            r.violations().forEach(v -> System.out.println("[soak] VIOLATION " + v));
            if (!r.good()) {
                System.out.printf("[soak] reproduce with the command printed first (seed %d)%n", r.seed());
            }
        }
    }

    static long percentile(List<Long> values, int p) {
        return FailoverBenchmark.pct(values.stream().sorted().toList(), p / 100.0);
    }
}

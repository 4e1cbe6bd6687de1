package io.vipd.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The soak's faults, as Jepsen's nemesis: each is started on chosen hosts and later healed. The choice of fault,
 * hosts and lengths comes from the soak's seeded random, so a seed replays the same schedule (the cluster's answers
 * to it still vary with timing). What a fault needs of the soak (how to restart a daemon with its configuration,
 * which host serves the checked VIP) comes from {@link Soak.Cluster}.
 */
final class Nemesis {
    enum Kind {
        /** kill -9; restarted at heal. */
        KILL,
        /** kill -9 and the cable pulled; cable back and restarted at heal. */
        CRASH,
        /** SIGSTOP; SIGCONT at heal. */
        PAUSE,
        /** The host cut off from every other host (the client still reaches it). */
        PARTITION,
        /** Two hosts cut off from the other three. */
        SPLIT,
        /** The host hears the others but is not heard. */
        UNHEARD,
        /** The host is heard but hears nothing from the others. */
        DEAF,
        /** 10-40 % of the host's frames dropped both ways. */
        LOSS,
        /** kill -9 of two or three daemons, restarted at once. */
        RESTART_SEVERAL,
        /** vipctl reload of an unchanged file, or of a broken one that must be refused and change nothing. */
        RELOAD,
        /** vipctl move of a VIP to a random host. */
        MOVE,
        /** vipctl drain of a host; undrain at heal. */
        DRAIN,
        /** The host's data directory fills up (the daemon exits); emptied and restarted at heal. */
        DISK_FULL,
        /** The checked VIP's service stops on its owner; started again at heal. */
        CHECK_FAIL
    }

    /** A fault in force: what, on which hosts, since when, and what the soak should measure of it. */
    record Active(Kind kind, Set<Integer> hosts, long startNanos, String detail) {
        @Override
        public String toString() {
            return kind.name().toLowerCase() + " " + hosts + (detail.isEmpty() ? "" : " " + detail);
        }
    }

    private final Soak.Cluster cluster;
    private final Testbed bed;
    private final Random random;
    private final List<Kind> kinds;

    /** @param kinds the faults to choose from (all, unless a run is narrowed to reproduce one) */
    Nemesis(Soak.Cluster cluster, Random random, List<Kind> kinds) {
        this.cluster = cluster;
        this.bed = cluster.bed();
        this.random = random;
        this.kinds = List.copyOf(kinds);
    }

    /** A fault kind, hosts for it among {@code free} (null if it cannot be placed now), and its start. */
    Active start(Set<Integer> free) throws IOException, InterruptedException {
        int disk = cluster.smallDiskHost();
        if (!bed.running(disk) && free.contains(disk) && bed.exitStatus(disk, 0) == 70) {
            // a daemon that met its full disk (exit 70) can exit after the heal's wait: it is started again before
            // the next fault. Any other exit is left for the steadiness check to report.
            System.out.printf("[soak] %s exited 70 after its full disk's heal; started again%n", bed.node(disk));
            cluster.start(disk);
        }
        Kind kind = kinds.get(random.nextInt(kinds.size()));
        List<Integer> candidates = new ArrayList<>(free);
        java.util.Collections.shuffle(candidates, random);
        int needed = kind == Kind.SPLIT ? 2 : kind == Kind.RESTART_SEVERAL ? 2 + random.nextInt(2) : 1;
        if (kind == Kind.DISK_FULL) {
            candidates.retainAll(List.of(cluster.smallDiskHost()));
        } else if (kind == Kind.CHECK_FAIL) {
            int owner = bed.answeringHost(Soak.CHECKED_VIP);
            candidates.retainAll(List.of(owner));
        }
        if (candidates.size() < needed) {
            return null;
        }
        Set<Integer> hosts = new TreeSet<>(candidates.subList(0, needed));
        int h = hosts.iterator().next();
        long t0 = System.nanoTime();
        String detail = "";
        switch (kind) {
            case KILL -> bed.kill9(h);
            case CRASH -> {
                bed.kill9(h);
                bed.link(h, false);
            }
            case PAUSE -> bed.pause(h);
            case PARTITION -> bed.isolate(h);
            case SPLIT -> {
                Set<Integer> others = others(hosts);
                for (int a : hosts) {
                    bed.faults().cut(a, others, true, true);
                }
            }
            case UNHEARD -> bed.faults().cut(h, others(hosts), false, true);
            case DEAF -> bed.faults().cut(h, others(hosts), true, false);
            case LOSS -> {
                int percent = 10 + random.nextInt(31);
                bed.loss(h, percent);
                detail = percent + " %";
            }
            case RESTART_SEVERAL -> {
                for (int x : hosts) {
                    bed.kill9(x);
                }
                for (int x : hosts) {
                    cluster.start(x);
                }
            }
            case RELOAD -> detail = reload(h);
            case MOVE -> {
                String vip = cluster.vipNames().get(random.nextInt(cluster.vipNames().size()));
                int owner = bed.answeringHost(vip);
                int target = 1 + random.nextInt(bed.hostCount() - 1);
                target = owner != 0 && target >= owner ? target + 1 : target; // another host than its owner
                Shell.Result r = bed.vipctl(h, "move", vip, bed.node(target));
                detail = vip + " to " + bed.node(target) + " (" + (r.exit() == 0 ? "done" : "refused: "
                        + firstLine(r.output())) + ")";
            }
            case DRAIN -> {
                Shell.Result r = bed.vipctl(h, "drain");
                detail = r.exit() == 0 ? "" : "(refused: " + firstLine(r.output()) + ")";
            }
            case DISK_FULL -> detail = fill(cluster.fillerOf(h));
            case CHECK_FAIL -> bed.service(h, Soak.SERVICE_PORT, false);
        }
        return new Active(kind, hosts, t0, detail);
    }

    /** Ends the fault: the hosts are whole again (daemons running, links up, filters gone, disk emptied). */
    void heal(Active a) throws IOException {
        for (int h : a.hosts()) {
            switch (a.kind()) {
                case KILL -> cluster.start(h);
                case CRASH -> {
                    bed.link(h, true);
                    cluster.start(h);
                }
                case PAUSE -> bed.resume(h);
                case PARTITION, SPLIT, UNHEARD, DEAF, LOSS -> bed.heal(h);
                case DRAIN -> bed.vipctl(h, "undrain");
                case DISK_FULL -> {
                    Files.deleteIfExists(cluster.fillerOf(h));
                    // A daemon that met the full disk exits (70) once its log stayed unwritten for 5 s, even if the
                    // disk has room again by then: wait until 10 s after the fill for that, then start it again
                    long waitMs = Math.max(0, 10_000 - (System.nanoTime() - a.startNanos()) / 1_000_000L);
                    int status = bed.exitStatus(h, waitMs);
                    if (status >= 0) {
                        System.out.printf("[soak] %s exited %d on its full disk; started again%n", bed.node(h),
                                status);
                        cluster.start(h);
                    }
                }
                case CHECK_FAIL -> bed.service(h, Soak.SERVICE_PORT, true);
                case RESTART_SEVERAL, RELOAD, MOVE -> { }
            }
        }
    }

    /** Whether the fault is on the daemons or the network of its hosts (not an operator's command). */
    static boolean hostFault(Kind k) {
        return k != Kind.RELOAD && k != Kind.MOVE && k != Kind.RESTART_SEVERAL;
    }

    private Set<Integer> others(Set<Integer> hosts) {
        Set<Integer> out = new TreeSet<>();
        for (int i = 1; i <= bed.hostCount(); i++) {
            if (!hosts.contains(i)) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * A reload of the unchanged file (nothing may move), or, one time in three, of a broken file that must be
     * refused with a non-zero exit: then the good file is put back.
     */
    private String reload(int h) throws IOException {
        Path file = bed.configPath(h);
        String good = Files.readString(file);
        if (random.nextInt(3) == 0) {
            Files.writeString(file, good + "vip.v0.interface = \n");
            Shell.Result r = bed.vipctl(h, "reload");
            Files.writeString(file, good);
            if (r.exit() == 0) {
                throw new IllegalStateException("a broken configuration was accepted by " + bed.node(h) + ": "
                        + r.output());
            }
            return "(broken file, refused: " + firstLine(r.output()) + ")";
        }
        Shell.Result r = bed.vipctl(h, "reload");
        return r.exit() == 0 ? "(unchanged file)" : "(unchanged file, failed: " + firstLine(r.output()) + ")";
    }

    /** Fills the file system of {@code filler} with it; the daemon that writes there next meets a full disk. */
    private static String fill(Path filler) throws IOException {
        Shell.run(List.of("dd", "if=/dev/zero", "of=" + filler, "bs=1M", "status=none"), 60_000);
        return "(" + (Files.exists(filler) ? Files.size(filler) / (1024 * 1024) : 0) + " MiB written)";
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}

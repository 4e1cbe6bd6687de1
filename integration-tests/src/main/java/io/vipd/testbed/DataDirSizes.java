package io.vipd.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The data directories' sizes over a soak (Raft log, snapshots, metadata; not the disk-full filler), sampled after
 * each step: with a low snapshot threshold the log is purged again and again, so the size stays bounded.
 */
final class DataDirSizes {
    private final Soak.Cluster cluster;
    /** Per sample: the largest data directory, in bytes. */
    private final List<Long> largest = new ArrayList<>();

    DataDirSizes(Soak.Cluster cluster) {
        this.cluster = cluster;
    }

    void sample() {
        long max = 0;
        for (int i = 1; i <= cluster.bed().hostCount(); i++) {
            max = Math.max(max, size(cluster.dataDirOf(i)));
        }
        largest.add(max);
    }

    /** The largest data directory seen in the whole run, in bytes. */
    long max() {
        return largest.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** The most snapshot files (not counting their .md5) any data directory holds now. */
    int snapshotFilesNow() {
        int most = 0;
        for (int i = 1; i <= cluster.bed().hostCount(); i++) {
            Path dir = cluster.dataDirOf(i);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                most = Math.max(most, (int) files.map(f -> f.getFileName().toString())
                        .filter(n -> n.startsWith("snapshot.") && !n.endsWith(".md5")).count());
            } catch (IOException | UncheckedIOException e) {
                // purged while walked: this directory is not counted
            }
        }
        return most;
    }

    void print() {
        StringBuilder series = new StringBuilder();
        int every = Math.max(1, largest.size() / 12);
        for (int i = 0; i < largest.size(); i += every) {
            series.append(' ').append(largest.get(i) / 1024).append(" KiB");
        }
        System.out.printf("[soak] largest data directory after each %d step(s):%s; max %d KiB%n", every, series,
                max() / 1024);
    }

    private static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // purged while we looked
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // a directory vanished while walked (purge): this sample counts it as empty
        }
    }
}

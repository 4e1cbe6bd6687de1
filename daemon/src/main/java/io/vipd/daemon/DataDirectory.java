package io.vipd.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * This node's data directory (Raft log and snapshots): checked before Ratis touches it, and a failure explained
 * afterwards, each as one line naming the directory or file and the fix. Ratis's own errors are stack traces whose
 * cause is several levels down; an operator needs the cause and what to do.
 */
public final class DataDirectory {
    /** Exit status for a problem only the operator can fix (EX_CONFIG): systemd does not restart-loop on it. */
    public static final int EXIT_OPERATOR = 78;
    /** Exit status for a damaged Raft log (EX_DATAERR): restarting cannot help either. */
    public static final int EXIT_DAMAGED = 65;
    /**
     * Free space needed to start: the Raft log preallocates 1 MB per open segment, a snapshot is written beside the
     * old one, and the segment header and metadata files need a little more.
     */
    static final long MIN_FREE_BYTES = 4L * 1024 * 1024;

    /** A problem with the data directory: the exit status to end with and the one line to print. */
    public record Problem(int exitCode, String message) {}

    private final Path dir;

    public DataDirectory(Path dir) {
        this.dir = dir;
    }

    /** Where Ratis keeps its storage. */
    public Path raftDir() {
        return dir.resolve("raft");
    }

    /**
     * Before start: the directory exists (created if need be), is a writable directory and has room.
     */
    public Optional<Problem> checkBeforeStart() {
        Path raft = raftDir();
        try {
            Files.createDirectories(raft);
        } catch (IOException e) {
            return Optional.of(unusable("cannot be created", e));
        }
        if (!Files.isDirectory(raft)) {
            return Optional.of(new Problem(EXIT_OPERATOR, "vipd: data directory " + raft + " is not a directory; "
                    + "fix: move it away or set data.dir to another path"));
        }
        return writableWithRoom(raft);
    }

    /**
     * Writes and syncs a probe file, because a read-only mount or a full disk shows only when something is written,
     * then checks the free space.
     */
    private Optional<Problem> writableWithRoom(Path raft) {
        Path probe = raft.resolve(".vipd-write-probe");
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(new byte[4096]));
            ch.force(true);
        } catch (IOException e) {
            return Optional.of(unusable("is not writable", e));
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // a probe that cannot be deleted was reported as not writable already
            }
        }
        long free = usableBytes(raft);
        if (free >= 0 && free < MIN_FREE_BYTES) {
            return Optional.of(full(free));
        }
        return Optional.empty();
    }

    /**
     * Why the Raft server could not start or stopped, if it lies in the data directory: a damaged log segment (named,
     * found in the cause chain of Ratis's exception), a directory that vanished, became read-only or is full.
     */
    public Optional<Problem> explain(Throwable failure) {
        Throwable root = failure;
        boolean readingLog = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            root = t;
            readingLog |= String.valueOf(t.getMessage()).contains("initRaftLog");
            if (io.vipd.cluster.ClusterNode.reportsDamagedLog(t)
                    || String.valueOf(t.getMessage()).contains("corrupted")) {
                return Optional.of(damaged(damagedFile(failure), t.getMessage()));
            }
        }
        Optional<Path> scanned = scanForDamage();
        if (readingLog && scanned.isPresent()) {
            // Ratis could not read its log, and a segment fails its checksums or format: that is the cause.
            return Optional.of(damaged(scanned.get().toString(), root.getMessage()));
        }
        Optional<Problem> now = diagnose();
        if (now.isPresent()) {
            return now;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("No space left on device")) {
                return Optional.of(full(usableBytes(raftDir())));
            }
            if (t instanceof AccessDeniedException || m.contains("Read-only file system")
                    || m.contains("Permission denied")) {
                return Optional.of(unusable("is not writable", t));
            }
        }
        return Optional.empty();
    }

    /** The state of the directory now (after the Raft server stopped): gone, unwritable or full. */
    public Optional<Problem> diagnose() {
        Path raft = raftDir();
        if (!Files.isDirectory(raft)) {
            return Optional.of(new Problem(1, "vipd: data directory " + raft + " has vanished (deleted or unmounted "
                    + "while vipd ran)"));
        }
        return writableWithRoom(raft);
    }

    private Problem unusable(String what, Throwable e) {
        String reason = e instanceof NoSuchFileException ? "a parent directory does not exist"
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason()
                : String.valueOf(e.getMessage());
        if (reason.contains("No space left on device")) {
            return full(usableBytes(raftDir()));
        }
        return new Problem(EXIT_OPERATOR, "vipd: data directory " + raftDir() + " " + what + " (" + reason
                + "); fix: make it writable by the user vipd runs as, or set data.dir to a writable directory");
    }

    private Problem full(long free) {
        return new Problem(EXIT_OPERATOR, "vipd: data directory " + raftDir() + " is full ("
                + (free < 0 ? "no space left" : free / 1024 + " KiB free") + "; vipd needs at least "
                + MIN_FREE_BYTES / (1024 * 1024) + " MiB for its Raft log); fix: free space on that file system, "
                + "then start vipd again");
    }

    private Problem damaged(String file, String detail) {
        return new Problem(EXIT_DAMAGED, "vipd: Raft log file " + file + " is damaged (" + detail + "); fix: stop "
                + "vipd, move " + raftDir() + " aside (mv " + raftDir() + " " + raftDir() + ".damaged), start vipd: "
                + "it rejoins with the leader's snapshot (the other members hold every committed entry)");
    }

    /** The damaged log segment, found by checking each one's checksums; the Raft directory if none is found. */
    private String damagedFile(Throwable failure) {
        return scanForDamage().map(Path::toString).orElse(raftDir().toString());
    }

    private Optional<Path> scanForDamage() {
        try {
            return RaftLogScan.firstDamaged(raftDir());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long usableBytes(Path p) {
        try {
            return Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}

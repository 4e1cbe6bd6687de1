package io.vipd.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.JavaUtils;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

/**
 * The Ratis state machine holding the {@link VipTable}. It applies committed entries only and does no I/O besides
 * its own snapshots: acting on the host is the daemon's job, driven by the {@link Listener}.
 */
public final class VipStateMachine extends BaseStateMachine {
    /** Told of every applied entry, on Ratis's apply thread; must return quickly. */
    public interface Listener {
        void applied(long index, Command command, VipTable before, VipTable after);

        /** The table was replaced wholesale (snapshot loaded). */
        void reset(long index, VipTable table);
    }

    /**
     * The read-only queries vipd sends through Ratis: lease renewals (answered by the leader) and leader checks
     * (answered by followers). Neither touches the log.
     */
    public interface Queries {
        /** Confirms {@code node}'s renewal; completes with the encoded {@link RenewReply}, or exceptionally. */
        CompletableFuture<byte[]> renew(String node);

        /** Whether this node is in {@code term}, following {@code leader}. */
        boolean follows(long term, String leader);
    }

    private volatile Queries queries;

    /** Where read-only queries go; until set, they fail. */
    public void answerQueriesWith(Queries queries) {
        this.queries = queries;
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        byte[] data = request.getContent().toByteArray();
        Queries q = queries;
        try {
            if (q == null) {
                throw new IOException("this node is still starting");
            }
            if (LeaderCheck.is(data)) {
                LeaderCheck check = LeaderCheck.decode(data);
                return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                        new byte[] {(byte) (q.follows(check.term(), check.leader()) ? 1 : 0)})));
            }
            if (!(Command.decode(data) instanceof Command.Renew r)) {
                throw new IOException("vipd answers only renewals and leader checks as queries");
            }
            return q.renew(r.node()).thenApply(reply -> Message.valueOf(ByteString.copyFrom(reply)));
        } catch (IOException e) {
            return JavaUtils.completeExceptionally(e);
        }
    }

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Listener listener;
    private volatile VipTable table = VipTable.EMPTY;

    public VipStateMachine(Listener listener) {
        this.listener = listener;
    }

    public VipTable table() {
        return table;
    }

    /** The applied table together with the log index it reflects (-1 before anything was applied). */
    public record View(long index, VipTable table) {}

    public synchronized View view() {
        TermIndex last = getLastAppliedTermIndex();
        return new View(last == null ? -1 : last.getIndex(), table);
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        // Ratis checks this life cycle: a snapshot from the leader is only published while the machine is PAUSED.
        getLifeCycle().startAndTransition(() -> {
            super.initialize(server, groupId, raftStorage);
            storage.init(raftStorage);
            loadLatestSnapshot();
        }, IOException.class);
    }

    /**
     * Called by Ratis right before it publishes a snapshot installed from the leader (a node that was away across
     * a log purge, or whose data directory was replaced): nothing may be applied until {@link #reinitialize()}.
     */
    @Override
    public synchronized void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** Loads the snapshot Ratis just installed from the leader, then runs again. */
    @Override
    public synchronized void reinitialize() throws IOException {
        loadLatestSnapshot();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    /**
     * The latest snapshot, kept here. Ratis asks for it on every append and heartbeat (its log appenders), and
     * {@link SimpleStateMachineStorage} scans its directory on each call while there is no snapshot yet: measured,
     * about 190 directory listings a second on an idle 3-node cluster. A snapshot appears only where this is set:
     * at start, when one is installed from the leader ({@link #reinitialize}), and when one is taken.
     */
    private volatile SnapshotInfo latestSnapshot;

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        latestSnapshot = snapshot;
        if (snapshot == null) {
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        VipTable loaded;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath())))) {
            loaded = VipTableSnapshot.read(in);
        }
        TermIndex last = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file);
        synchronized (this) {
            table = loaded;
            // A snapshot from the leader is newer than anything applied here; one found at start-up is the base.
            TermIndex applied = getLastAppliedTermIndex();
            if (applied == null || last.compareTo(applied) >= 0) {
                updateLastAppliedTermIndex(last);
            } else {
                setLastAppliedTermIndex(last);
            }
        }
        listener.reset(last.getIndex(), loaded);
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public long takeSnapshot() throws IOException {
        VipTable snapshotTable;
        TermIndex applied;
        synchronized (this) {
            snapshotTable = table;
            applied = getLastAppliedTermIndex();
        }
        if (applied == null) {
            return INVALID_INDEX;
        }
        File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        try {
            try (DataOutputStream out = new DataOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(file.toPath())))) {
                VipTableSnapshot.write(snapshotTable, out);
            }
            SingleFileSnapshotInfo taken = new SingleFileSnapshotInfo(
                    new FileInfo(file.toPath(), MD5FileUtil.computeAndSaveMd5ForFile(file)), applied);
            storage.updateLatestSnapshot(taken);
            latestSnapshot = taken;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file.toPath()); // a partial snapshot must never be loaded
            snapshotFailures++;
            lastSnapshotFailure = e.toString();
            throw e;
        }
        snapshotFailures = 0;
        return applied.getIndex();
    }

    private volatile int snapshotFailures;
    private volatile String lastSnapshotFailure;

    /**
     * Why snapshots keep failing (three or more in a row), or null. Ratis retries a failed snapshot at once and
     * forever, without stopping its server: a full or read-only disk shows here first.
     */
    public String snapshotFailure() {
        return snapshotFailures >= 3 ? snapshotFailures + " snapshots in a row failed: " + lastSnapshotFailure : null;
    }

    private static final long INVALID_INDEX = -1;

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext trx = super.startTransaction(request);
        try {
            Command.decode(request.getMessage().getContent().toByteArray());
        } catch (IOException e) {
            trx.setException(new IllegalArgumentException("malformed vipd command: " + e.getMessage()));
        }
        return trx;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex termIndex = TermIndex.valueOf(entry);
        Command command;
        try {
            command = Command.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
        } catch (IOException e) {
            // Cannot happen for entries that passed startTransaction; skip rather than diverge.
            updateLastAppliedTermIndex(termIndex);
            return JavaUtils.completeExceptionally(e);
        }
        VipTable before;
        VipTable after;
        synchronized (this) {
            before = table;
            after = before.apply(command).table();
            table = after;
            updateLastAppliedTermIndex(termIndex);
        }
        listener.applied(termIndex.getIndex(), command, before, after);
        byte[] reply = command instanceof Command.Renew r
                ? new RenewReply(termIndex.getIndex(), after.ownedBy(r.node())).encode()
                : new byte[] {(byte) (before == after ? 0 : 1)};
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }
}

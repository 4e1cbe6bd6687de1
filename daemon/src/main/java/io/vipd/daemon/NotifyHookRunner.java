package io.vipd.daemon;

import io.vipd.config.NotifyHooks;
import io.vipd.config.VipSpec;
import io.vipd.health.ChildProcesses;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the notify hooks, like keepalived's notify scripts: {@code COMMAND... VIP ADDRESS/PREFIX STATE EPOCH} with
 * STATE one of MASTER (this node started answering for the VIP), BACKUP (it stopped) or FAULT (the VIP's checks
 * started failing here). Asynchronous: failover never waits for a hook. Serialized per VIP, in event order, so a
 * hook never sees BACKUP before the MASTER it follows. Each run is bounded by the timeout (then killed with its
 * children); its output is discarded (a hook that prints gigabytes fills nothing) and a failure is logged.
 */
public final class NotifyHookRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyHookRunner.class);

    public enum State { MASTER, BACKUP, FAULT }

    private volatile NotifyHooks hooks;
    private final ExecutorService pool;
    private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();

    public NotifyHookRunner(NotifyHooks hooks) {
        this.hooks = hooks;
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vipd-notify");
            t.setDaemon(true);
            return t;
        });
    }

    /** A reload: later events run the new hooks (queued ones run as they were queued). */
    public void setHooks(NotifyHooks next) {
        this.hooks = next;
    }

    /** Queues the hooks for one event; returns at once. The future completes when they have run. */
    public synchronized CompletableFuture<Void> fire(VipSpec vip, State state, long epoch) {
        List<List<String>> commands = new ArrayList<>();
        List<String> specific = switch (state) {
            case MASTER -> hooks.acquire();
            case BACKUP -> hooks.release();
            case FAULT -> hooks.fault();
        };
        if (!specific.isEmpty()) {
            commands.add(specific);
        }
        if (!hooks.any().isEmpty()) {
            commands.add(hooks.any());
        }
        return queue(vip, commands, List.of(vip.name(), vip.cidr(), state.name(), Long.toString(epoch)));
    }

    /**
     * Queues {@code notify.conflict} for a MAC heard answering for {@code vip} that is not its owner's:
     * {@code COMMAND... VIP ADDRESS/PREFIX CONFLICT EPOCH MAC}.
     */
    public synchronized CompletableFuture<Void> fireConflict(VipSpec vip, long epoch, String mac) {
        List<List<String>> commands = hooks.conflict().isEmpty() ? List.of() : List.of(hooks.conflict());
        return queue(vip, commands, List.of(vip.name(), vip.cidr(), "CONFLICT", Long.toString(epoch), mac));
    }

    private CompletableFuture<Void> queue(VipSpec vip, List<List<String>> commands, List<String> args) {
        CompletableFuture<Void> previous = tails.getOrDefault(vip.name(), CompletableFuture.completedFuture(null));
        if (commands.isEmpty()) {
            return previous;
        }
        CompletableFuture<Void> next = previous.thenRunAsync(() -> commands.forEach(c -> run(c, args)), pool);
        tails.put(vip.name(), next);
        return next;
    }

    private void run(List<String> command, List<String> args) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(args);
        String what = String.join(" ", argv);
        try {
            ProcessBuilder pb = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            ChildProcesses.scrub(pb.environment());
            Process p = pb.start();
            if (!p.waitFor(hooks.timeoutMs(), TimeUnit.MILLISECONDS)) {
                ChildProcesses.killTree(p);
                LOG.error("notify hook {} timed out after {} ms (killed)", what, hooks.timeoutMs());
            } else if (p.exitValue() != 0) {
                LOG.error("notify hook {} failed: exit status {}", what, p.exitValue());
            } else {
                LOG.info("notify hook {} ran", what);
            }
        } catch (IOException e) {
            LOG.error("notify hook {} could not run: {}", what, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets queued hooks (the BACKUP of a shutdown, say) finish for up to one timeout, then stops. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(Math.min(hooks.timeoutMs(), 5000), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

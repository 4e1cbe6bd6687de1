package io.vipd.daemon;

import io.vipd.cluster.ClusterNode;
import io.vipd.cluster.VipStateMachine;
import io.vipd.config.VipdConfig;
import io.vipd.control.ControlAccess;
import io.vipd.control.ControlServer;
import io.vipd.control.UnixAccounts;
import io.vipd.health.HealthMonitor;
import io.vipd.host.LinuxNeighbourTap;
import io.vipd.host.Fence;
import io.vipd.host.HostNetwork;
import io.vipd.host.LibC;
import io.vipd.host.NftablesFence;
import io.vipd.host.SystemdNotify;
import io.vipd.security.PeerTls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: {@link #start} opens its parts in order (fence, host actuator, agent, hooks, health checks,
 * control socket, Raft server, reload, Raft watch); {@link #stop} closes them in the mirror order, VIPs first handed
 * to the cluster. A failed start closes what it had opened and says why in one line.
 */
final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger("vipd");
    /** Exit status when the Raft server stopped under a running daemon; systemd restarts it (Restart=on-failure). */
    static final int EXIT_RAFT_STOPPED = 70;
    /** Exit status after SIGTERM (128 + 15), as the JVM would end with; systemd's SuccessExitStatus=143 accepts it. */
    static final int EXIT_TERMINATED = 143;

    /** Why the daemon could not start, and the exit status that says so. */
    static final class StartFailure extends Exception {
        private final int exitCode;

        StartFailure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }
    }

    private final HostNetwork network;
    private final Fence fence;
    private final HostActuator actuator;
    private final OwnershipAgent agent;
    private final NotifyHookRunner hooks;
    private final DataDirectory dataDir;
    private final ControlServer control;
    private final ClusterNode cluster;
    private final Reloader reloader;
    /** The metrics listener, or null when {@code metrics.listen} is not set. */
    private final io.vipd.metrics.MetricsServer metrics;
    private final RaftServerWatch watch;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The status the stop ends the process with: SIGTERM's unless the Raft server stopped by itself. */
    private volatile int exitStatus = EXIT_TERMINATED;

    private Daemon(HostNetwork network, Fence fence, HostActuator actuator, OwnershipAgent agent,
                   NotifyHookRunner hooks, DataDirectory dataDir, ControlServer control, ClusterNode cluster,
                   Reloader reloader, io.vipd.metrics.MetricsServer metrics) {
        this.network = network;
        this.fence = fence;
        this.actuator = actuator;
        this.agent = agent;
        this.hooks = hooks;
        this.dataDir = dataDir;
        this.control = control;
        this.cluster = cluster;
        this.reloader = reloader;
        this.metrics = metrics;
        this.watch = new RaftServerWatch(cluster::sample, shuttingDown::get, System::nanoTime, this::raftStopped);
    }

    /**
     * Starts the daemon on {@code network} (opened and checked by the caller, and closed here on failure).
     *
     * @param tls this node's Raft TLS, or null when the configuration is insecure
     */
    static Daemon start(Path configFile, VipdConfig c, HostNetwork network, PeerTls tls) throws StartFailure {
        Fence fence;
        try {
            fence = network instanceof io.vipd.host.WitnessHost witness ? witness : new NftablesFence();
        } catch (IOException | RuntimeException e) {
            network.close();
            throw new StartFailure("vipd: cannot open nftables netlink (needs CAP_NET_ADMIN): " + e.getMessage(), 1);
        }
        HostActuator actuator = new HostActuator(network, fence, c.vips(), c.announce(), System::nanoTime);
        OwnershipAgent agent = new OwnershipAgent(c, actuator);
        if (!c.self().witness()) { // a witness watches no VIP segment: it need not be on one
            agent.watch(network, new LinuxNeighbourTap(agent::heard, System::nanoTime));
        }
        NotifyHookRunner hooks = new NotifyHookRunner(c.hooks());
        agent.onConflict(hooks::fireConflict);
        actuator.onEvents((spec, holding, epoch) -> hooks.fire(spec,
                holding ? NotifyHookRunner.State.MASTER : NotifyHookRunner.State.BACKUP, epoch));
        agent.onFault((spec, epoch) -> hooks.fire(spec, NotifyHookRunner.State.FAULT, epoch));
        HealthMonitor health = HealthMonitor.of(c, agent::healthChanged);
        DataDirectory dataDir = new DataDirectory(c.dataDir());
        Optional<DataDirectory.Problem> storage = dataDir.checkBeforeStart();
        if (storage.isPresent()) {
            fence.close();
            network.close();
            throw new StartFailure(storage.get().message(), storage.get().exitCode());
        }
        ControlServer control = null;
        ClusterNode cluster = null;
        io.vipd.metrics.MetricsServer metricsServer = null;
        DaemonControl daemonControl = new DaemonControl(agent, tls);
        try {
            actuator.installAndRemoveStale();
            control = ControlServer.start(c.controlSocket(), daemonControl,
                    ControlAccess.forThisProcess(c.controlGroup(), UnixAccounts.system()));
            VipStateMachine stateMachine = new VipStateMachine(agent);
            cluster = new ClusterNode(c, stateMachine, tls);
            cluster.serveRenewalsWith(agent.renewalDesk());
            cluster.start();
            SystemdNotify.fromEnvironment().ifPresent(n -> {
                agent.notifyServiceManager(n::send);
                VipdMain.watchdogPeriodMs().ifPresent(agent::startWatchdog);
            });
            if (tls != null) {
                agent.onMembershipChange(tls::membership); // the TLS trust follows the group's members
            }
            agent.start(cluster, stateMachine);
            health.start();
            Reloader reloader = new Reloader(configFile, c, agent, hooks, health, tls);
            daemonControl.reloaderReady(reloader);
            reloader.onResult(agent.observers()::reloaded);
            if (c.metricsListen() != null) {
                io.vipd.metrics.VipdMetrics metrics = new io.vipd.metrics.VipdMetrics(daemonControl::status,
                        agent::metricsProgress, System::nanoTime);
                agent.observers().metrics(metrics);
                metricsServer = io.vipd.metrics.MetricsServer.start(c.metricsListen().host(),
                        c.metricsListen().port(), metrics);
            }
            Daemon daemon = new Daemon(network, fence, actuator, agent, hooks, dataDir, control, cluster, reloader,
                    metricsServer);
            LOG.info("node {} joined the Raft group at {} ({} ms after the process started); control socket {}",
                    c.nodeId(), c.self().address(), msSinceProcessStart(), c.controlSocket());
            return daemon;
        } catch (IOException | RuntimeException e) {
            Optional<DataDirectory.Problem> problem = dataDir.explain(e);
            LOG.debug("start-up failure", e);
            actuator.releaseAll("start-up failed");
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (IOException | RuntimeException closing) {
                    LOG.debug("closing the Raft server after a failed start", closing);
                }
            }
            if (control != null) {
                control.close();
            }
            if (metricsServer != null) {
                metricsServer.close();
            }
            fence.close();
            network.close();
            throw new StartFailure(problem.map(DataDirectory.Problem::message)
                    .orElse("vipd: cannot start: " + e.getMessage()), problem.map(DataDirectory.Problem::exitCode)
                    .orElse(1));
        }
    }

    Reloader reloader() {
        return reloader;
    }

    /**
     * Nothing can be renewed any more: let go of everything now (the lease would lapse anyway), say why in one line,
     * and exit non-zero so the service manager starts a fresh daemon that rejoins.
     */
    private void raftStopped(String what) {
        if (!agent.isMember()) {
            // Ratis shuts a removed member's server down when it asks the group for votes. A restart would only
            // repeat that: exit with the status systemd does not restart (RestartPreventExitStatus=78).
            LOG.error("{}: this node is no longer a member of the group (removed by a membership change); releasing "
                    + "all VIPs and exiting (status {}). Stop vipd here, or add the node back with 'vipctl member "
                    + "add' on a member", what, DataDirectory.EXIT_OPERATOR);
            actuator.releaseAll("removed from the group");
            exitStatus = DataDirectory.EXIT_OPERATOR;
            new Thread(() -> System.exit(DataDirectory.EXIT_OPERATOR), "vipd-exit").start();
            return;
        }
        String why = dataDir.diagnose().map(DataDirectory.Problem::message).orElse(what);
        LOG.error("{}: {}; releasing all VIPs and exiting (status {}) so the service manager restarts vipd", what,
                why.equals(what) ? "see the Raft server's last error above" : why, EXIT_RAFT_STOPPED);
        actuator.releaseAll("Raft server stopped");
        exitStatus = EXIT_RAFT_STOPPED;
        new Thread(() -> System.exit(EXIT_RAFT_STOPPED), "vipd-exit").start();
    }

    /** Blocks until {@link #stop} has run. */
    void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The stop (SIGTERM, or the Raft server stopping): closes in the mirror order of {@link #start}, the VIPs handed
     * to the cluster first, then ends the process.
     */
    void stop() {
        shuttingDown.set(true);
        watch.close();
        long stopStart = System.nanoTime();
        LOG.info("stopping: releasing VIPs");
        reloader.health().close();
        agent.shutdown(1000);
        long handedOver = System.nanoTime();
        startClosingRaftServer(cluster); // not waited for: the process ends with LibC.exitNow below
        control.close();
        if (metrics != null) {
            metrics.close();
        }
        hooks.close();
        fence.close();
        network.close();
        LOG.info("stopped in {} ms (VIPs handed over after {} ms)", (System.nanoTime() - stopStart) / 1_000_000L,
                (handedOver - stopStart) / 1_000_000L);
        stopped.countDown();
        // Everything of vipd's is released, closed and logged. The JVM's own exit would now wait up to 300 ms for
        // threads blocked in native code (Ratis's gRPC event loops, still closing): end the process here.
        System.out.flush();
        System.err.flush();
        LibC.exitNow(exitStatus);
    }

    /**
     * Starts closing the Raft server on a thread of its own, and does not wait for it. Ratis takes about a second to
     * close (its gRPC server and clients, the log worker); by then this node has released its VIPs and told the
     * group, and every entry it acknowledged is on disk: what the process's end cuts short is what a crash would
     * cut short, which Raft tolerates.
     */
    private static void startClosingRaftServer(ClusterNode clusterNode) {
        Thread closer = new Thread(() -> {
            try {
                clusterNode.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("error closing the Raft server: {}", e.toString());
            }
        }, "vipd-raft-close");
        closer.setDaemon(true);
        closer.start();
    }

    /** Milliseconds since this process started (as the kernel recorded it), or -1 if unknown; for start-up timing. */
    private static long msSinceProcessStart() {
        return ProcessHandle.current().info().startInstant()
                .map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis()).orElse(-1L);
    }
}

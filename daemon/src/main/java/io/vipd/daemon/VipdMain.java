package io.vipd.daemon;

import io.vipd.config.AddressText;
import io.vipd.Version;
import io.vipd.config.ConfigException;
import io.vipd.config.ConfigLoader;
import io.vipd.config.VipdConfig;
import io.vipd.host.HostNetwork;
import io.vipd.host.NftablesFence;
import io.vipd.host.LinuxHostNetwork;
import io.vipd.host.NetInterface;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vipd}: the daemon. */
@Command(name = "vipd", mixinStandardHelpOptions = true, versionProvider = VipdMain.VersionProvider.class,
        description = "Virtual-IP failover daemon: one Raft group decides which single host owns each VIP.",
        exitCodeListHeading = "%nExit codes:%n",
        footerHeading = "%nUnder systemd:%n",
        footer = {"With Type=notify, vipd reports READY=1 once it has joined the cluster (the Raft leader, confirmed by a "
                + "majority, answered its first renewal), STATUS= lines as that changes, and WATCHDOG=1 when WatchdogSec is set.",
                "SIGTERM releases this host's VIPs and hands them to the cluster before exiting."},
        exitCodeList = {"0:stopped cleanly, or --check-config / --cleanup found no problem",
                "1:could not start (see the message)",
                "65:the Raft log in data.dir is damaged (the message names the file and the fix)",
                "70:the Raft server stopped while running (the daemon released its VIPs; systemd restarts it)",
                "78:configuration error (EX_CONFIG), or data.dir unusable: missing, not writable, full"})
public final class VipdMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("vipd");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "configuration file (default: ${DEFAULT-VALUE})")
    Path config = ConfigLoader.DEFAULT_PATH;

    @Option(names = "--check-config", paramLabel = "FILE",
            description = "validate FILE (including that its interfaces exist on this host) and exit")
    Path checkConfig;

    @Option(names = "--cleanup",
            description = "remove this host's VIP addresses (those in --config) and vipd's nftables tables, then "
                    + "exit; run by package removal. Refused while a vipd daemon answers on the control socket.")
    boolean cleanup;

    public static void main(String[] args) {
        // gRPC logs through java.util.logging; keep its start-up chatter out of the journal.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        int code = new CommandLine(new VipdMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() {
        if (checkConfig != null) {
            return check(checkConfig);
        }
        if (cleanup) {
            return cleanup(config);
        }
        return run();
    }

    private static Set<String> interfaceNames(HostNetwork network) throws IOException {
        return network.interfaces().stream().map(NetInterface::name).collect(Collectors.toSet());
    }

    /** The host as vipd acts on it: netlink and raw sockets, or, on a witness, nothing at all. */
    private static HostNetwork openHost(VipdConfig c) throws IOException {
        return c.self().witness() ? new io.vipd.host.WitnessHost() : new LinuxHostNetwork();
    }

    /** Checks that the VIPs' interfaces exist on this host; a witness needs none of them. */
    private static void checkInterfaces(ConfigLoader loader, VipdConfig c, HostNetwork network)
            throws ConfigException, IOException {
        if (!c.self().witness()) {
            loader.checkHost(c, interfaceNames(network));
        }
    }

    private int check(Path file) {
        ConfigLoader loader = new ConfigLoader();
        try {
            VipdConfig c = loader.load(file);
            // Warnings do not change the exit status: the file is valid.
            c.warnings().forEach(w -> System.err.println("warning: " + w));
            try (HostNetwork network = openHost(c)) {
                checkInterfaces(loader, c, network);
            } catch (IOException e) {
                System.err.println(file + ": cannot list this host's interfaces to check them: " + e.getMessage());
                return 1;
            }
            io.vipd.security.TlsMaterial tls = loader.checkTls(c, io.vipd.security.TlsMaterial.loader(
                    java.time.Clock.systemUTC()));
            System.out.println(file + ": OK (node " + c.nodeId() + ", " + c.peers().size() + " peers, "
                    + c.vips().size() + " VIPs, " + (tls == null ? "INSECURE: Raft traffic without TLS"
                    : "TLS certificate valid until " + tls.certificateExpires()) + ")");
            return 0;
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return ConfigException.EXIT_CODE;
        }
    }

    /**
     * Package removal: leaves no VIP address and no vipd firewall table behind. A daemon that is still running would
     * re-add what this removes, so this refuses while one answers.
     */
    private int cleanup(Path file) {
        VipdConfig c = null;
        try {
            c = new ConfigLoader().load(file);
        } catch (ConfigException e) {
            System.err.println("vipd --cleanup: " + e.getMessage().lines().findFirst().orElse("")
                    + " (removing only vipd's nftables tables; VIP addresses a stopped vipd added expire by "
                    + "themselves within 3 s)");
        }
        Path socket = c != null ? c.controlSocket() : ConfigLoader.DEFAULT_CONTROL_SOCKET;
        if (io.vipd.control.ControlClient.answers(socket)) {
            System.err.println("vipd --cleanup: a vipd daemon is running (control socket " + socket
                    + " answers); stop it first");
            return 1;
        }
        int failures = 0;
        if (c != null) {
            try (HostNetwork network = new LinuxHostNetwork()) {
                for (io.vipd.host.HostAddress a : network.addresses()) {
                    for (io.vipd.config.VipSpec v : c.vips()) {
                        if (v.address().equals(a.address())) {
                            network.removeAddress(a.iface(), a.address(), a.prefix());
                            System.out.println("removed VIP " + v.name() + " " + AddressText.of(a.address()) + "/"
                                    + a.prefix() + " from " + a.iface());
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("vipd --cleanup: cannot remove VIP addresses: " + e.getMessage());
                failures++;
            }
        }
        try (NftablesFence fence = new NftablesFence()) {
            fence.remove();
            System.out.println("removed nftables tables 'arp vipd' and 'ip vipd'");
        } catch (IOException | RuntimeException e) {
            System.err.println("vipd --cleanup: cannot remove nftables tables: " + e.getMessage());
            failures++;
        }
        return failures == 0 ? 0 : 1;
    }

    private int run() {
        ConfigLoader loader = new ConfigLoader();
        VipdConfig c;
        HostNetwork network;
        try {
            c = loader.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return ConfigException.EXIT_CODE;
        }
        c.warnings().forEach(w -> LOG.warn("{}", w));
        try {
            network = openHost(c);
        } catch (IOException | RuntimeException e) {
            System.err.println("vipd: cannot open netlink (needs CAP_NET_ADMIN and CAP_NET_RAW): " + e.getMessage());
            return 1;
        }
        try {
            checkInterfaces(loader, c, network);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            network.close();
            return ConfigException.EXIT_CODE;
        } catch (IOException e) {
            System.err.println("vipd: cannot list interfaces: " + e.getMessage());
            network.close();
            return 1;
        }

        io.vipd.security.PeerTls peerTls;
        try {
            peerTls = TlsStartup.start(loader, c, java.time.Clock.systemUTC());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            network.close();
            return ConfigException.EXIT_CODE;
        }

        LOG.info("vipd {} starting: node {}{} of cluster {} ({} peers, {} VIPs), config {}", Version.get(), c.nodeId(),
                c.self().witness() ? " (a witness: votes, holds no VIP, touches nothing on this host)" : "",
                c.clusterName(), c.peers().size(), c.vips().size(), c.source());
        Daemon daemon;
        try {
            daemon = Daemon.start(config, c, network, peerTls);
        } catch (Daemon.StartFailure f) {
            System.err.println(f.getMessage());
            return f.exitCode();
        }
        installReloadSignal(daemon.reloader());
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::stop, "vipd-shutdown"));
        daemon.awaitStopped();
        return 0;
    }

    /** SIGHUP reloads the configuration (the unit's ExecReload uses vipctl reload, which also reports errors). */
    @SuppressWarnings("restriction")
    private static void installReloadSignal(Reloader reloader) {
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> new Thread(() -> {
                try {
                    reloader.reload(io.vipd.control.Caller.signal("SIGHUP"));
                } catch (IllegalArgumentException e) {
                    // a rejected file: the reloader logged it, with the file, line and key
                } catch (Exception e) {
                    LOG.error("reload (SIGHUP) failed: {}", e.toString());
                }
            }, "vipd-reload").start());
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // The JVM keeps a signal ignored when it was ignored at exec (nohup, some supervisors).
                LOG.warn("SIGHUP is ignored in this process (started under nohup?); reload with vipctl reload");
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP reload unavailable: {}", e.getMessage());
        }
    }

    /** Half of systemd's WatchdogSec (WATCHDOG_USEC), if the watchdog is on and meant for this process. */
    static java.util.OptionalLong watchdogPeriodMs() {
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return java.util.OptionalLong.empty();
        }
        try {
            return java.util.OptionalLong.of(Math.max(1, Long.parseLong(usec) / 2000));
        } catch (NumberFormatException e) {
            LOG.warn("ignoring malformed WATCHDOG_USEC={}", usec);
            return java.util.OptionalLong.empty();
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vipd " + Version.get()};
        }
    }
}

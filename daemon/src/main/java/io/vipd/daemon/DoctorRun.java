package io.vipd.daemon;

import io.vipd.cluster.VipTable;
import io.vipd.config.VipSpec;
import io.vipd.config.VipdConfig;
import io.vipd.control.DoctorReport;
import io.vipd.host.ProcFs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One {@code vipctl doctor}: probes each VIP three times over a second while recording every MAC that answers (on
 * the agent thread, through the {@link ConflictWatch}), then takes a consistent snapshot of the table and this
 * host, reads /proc, and lets {@link Doctor} judge. Runs on the control connection's thread; one at a time.
 */
final class DoctorRun {
    static final long PROBE_SPACING_MS = 300;
    static final long LISTEN_AFTER_LAST_MS = 400;
    /** Stray addresses removed this recently are reported. */
    static final long STRAY_WINDOW_NANOS = 600_000_000_000L;

    private final Supplier<VipdConfig> config;
    private final Supplier<VipTable> table;
    private final Supplier<HostWatch> watch;
    private final HostActuator host;
    private final ExecutorService agentThread;
    private final ProcFs proc;
    private final Pause pause;
    private final Supplier<String> leader;
    private final Supplier<List<LiveMembership.Difference>> membership;

    DoctorRun(Supplier<VipdConfig> config, Supplier<VipTable> table, Supplier<HostWatch> watch, HostActuator host,
              ExecutorService agentThread, ProcFs proc, Pause pause, Supplier<String> leader,
              Supplier<List<LiveMembership.Difference>> membership) {
        this.membership = membership;
        this.config = config;
        this.table = table;
        this.watch = watch;
        this.host = host;
        this.agentThread = agentThread;
        this.proc = proc;
        this.pause = pause;
        this.leader = leader;
    }

    synchronized DoctorReport run(List<String> requested) throws Exception {
        VipdConfig c = config.get();
        List<String> vips = new ArrayList<>();
        for (String name : requested.isEmpty() ? c.vips().stream().map(VipSpec::name).toList() : requested) {
            if (c.vip(name).isEmpty()) {
                throw new IllegalArgumentException("unknown VIP '" + name + "' (configured: " + String.join(", ",
                        c.vips().stream().map(VipSpec::name).toList()) + ")");
            }
            vips.add(name);
        }
        if (c.self().witness()) {
            throw new IllegalStateException(c.nodeId() + " is a witness (witnesses): it is on no VIP segment and "
                    + "hears no ARP; run vipctl doctor on a VIP host");
        }
        HostWatch w = watch.get();
        if (w == null || table.get() == null) {
            throw new IllegalStateException("still starting; try again in a moment");
        }
        Map<String, Set<String>> heard = new ConcurrentHashMap<>();
        Map<String, String> probeErrors = new ConcurrentHashMap<>();
        Runnable probe = () -> vips.forEach(name -> {
            String error = w.probeNow(c.vip(name).orElseThrow());
            if (error != null) {
                probeErrors.put(name, error);
            }
        });
        onAgent(() -> {
            w.conflicts().record(claim -> {
                if (vips.contains(claim.vip().name())) {
                    heard.computeIfAbsent(claim.vip().name(), k -> new TreeSet<>()).add(claim.mac().toString());
                }
            });
            probe.run();
            return null;
        });
        try {
            for (int round = 1; round < 3; round++) {
                pause.sleep(PROBE_SPACING_MS);
                onAgent(() -> {
                    probe.run();
                    return null;
                });
            }
            pause.sleep(LISTEN_AFTER_LAST_MS);
        } finally {
            onAgent(() -> {
                w.conflicts().record(null);
                return null;
            });
        }
        Snapshot s = onAgent(() -> new Snapshot(table.get(), host.heldSpecs().keySet(),
                w.strayRemovedWithin(STRAY_WINDOW_NANOS), w.addressedInterfaces(), w.nftTables()));
        Map<String, Integer> arpIgnore = new TreeMap<>();
        vips.forEach(name -> {
            String iface = c.vip(name).orElseThrow().iface();
            arpIgnore.put(iface, proc.arpIgnore(iface));
        });
        ProcFs.Managers managers = proc.otherVipManagers(ProcessHandle.current().pid());
        DoctorReport report = Doctor.examine(new Doctor.Inputs(c, s.table(), vips, heard, s.held(), probeErrors,
                s.stray(), arpIgnore, s.addressedInterfaces(), managers.found(), leader.get(), s.nftTables()));
        List<LiveMembership.Difference> differences = membership.get();
        if (!differences.isEmpty()) {
            // the membership's findings come first among problems and last among warnings, as the others do
            List<DoctorReport.Finding> findings = new ArrayList<>();
            differences.stream().filter(LiveMembership.Difference::problem).forEach(d -> findings.add(
                    new DoctorReport.Finding(DoctorReport.PROBLEM, null, d.what(), d.fix())));
            findings.addAll(report.findings());
            differences.stream().filter(d -> !d.problem()).forEach(d -> findings.add(
                    new DoctorReport.Finding(DoctorReport.WARNING, null, "membership: " + d.what(), d.fix())));
            report = new DoctorReport(report.node(), findings, report.checked(), report.notChecked());
        }
        if (managers.unreadable() != 0) {
            List<String> notChecked = new ArrayList<>(report.notChecked());
            notChecked.add(managers.unreadable() < 0 ? "other programs on this host: /proc unreadable"
                    : managers.unreadable() + " processes could not be inspected for other VIP managers");
            report = new DoctorReport(report.node(), report.findings(), report.checked(), notChecked);
        }
        return report;
    }

    private record Snapshot(VipTable table, Set<String> held, List<String> stray, int addressedInterfaces,
                            List<String> nftTables) {}

    private <T> T onAgent(java.util.concurrent.Callable<T> task) throws Exception {
        return agentThread.submit(task).get(2, TimeUnit.SECONDS);
    }
}

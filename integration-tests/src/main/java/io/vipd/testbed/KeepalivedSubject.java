package io.vipd.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * keepalived (Debian's package) on a testbed, one VRRP instance per VIP. Either all hosts BACKUP with equal priority
 * and {@code nopreempt} (the fairest match for vipd without preferences, which never takes a VIP back), or, given a
 * preference order per VIP, priorities falling along it with preemption on (keepalived's default), the match for
 * vipd's {@code prefer} with {@code preempt = on}.
 */
public final class KeepalivedSubject implements BenchSubject {
    private final String advertInt;
    private final Map<String, List<Integer>> preferredHosts;
    private final Set<String> withheld;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    /** All VIPs in one VRRP instance (how keepalived carries many addresses), instead of one instance each. */
    private boolean oneInstance;
    /** An IPv6 VIP (CIDR) beside the testbed's IPv4 one, in its own VRRPv3 instance synced with it; or null. */
    private String ipv6Vip;

    /**
     * @param preferredHosts per VIP, hosts in order of preference (empty: equal priorities, nopreempt)
     * @param withheld       VIPs left out of the configuration until {@link #reloadWithAllVips}
     */
    public KeepalivedSubject(String advertInt, Map<String, List<Integer>> preferredHosts, Set<String> withheld) {
        this.advertInt = advertInt;
        this.preferredHosts = Map.copyOf(preferredHosts);
        this.withheld = Set.copyOf(withheld);
    }

    public KeepalivedSubject(String advertInt) {
        this(advertInt, Map.of(), Set.of());
    }

    /** keepalived with every VIP in one VRRP instance: the first in the advert, the rest "excluded" from it. */
    public static KeepalivedSubject oneInstance(String advertInt, Set<String> withheld) {
        KeepalivedSubject k = new KeepalivedSubject(advertInt, Map.of(), withheld);
        k.oneInstance = true;
        return k;
    }

    /**
     * keepalived carrying a dual-stack pair: the testbed's IPv4 VIP and {@code ipv6Cidr}, one VRRPv3 instance each
     * (an instance is of one address family), kept on one master by a {@code vrrp_sync_group}: how keepalived
     * moves an IPv4 and an IPv6 address together. Equal priorities, nopreempt.
     */
    public static KeepalivedSubject dualStack(String advertInt, String ipv6Cidr) {
        KeepalivedSubject k = new KeepalivedSubject(advertInt);
        k.ipv6Vip = ipv6Cidr;
        return k;
    }

    @Override
    public String name() {
        return "keepalived advert_int " + advertInt + (advertInt.contains(".") || ipv6Vip != null ? " (VRRPv3)"
                : " (VRRPv2)");
    }

    @Override
    public String config() {
        return "";
    }

    private Path dir(Testbed bed, int host) {
        return bed.workDir().resolve("keepalived-" + host);
    }

    private void writeConfig(Testbed bed, int host, boolean allVips) throws IOException {
        StringBuilder sb = new StringBuilder("global_defs {\n  router_id h" + host + "\n"
                + (advertInt.contains(".") ? "  vrrp_version 3\n" : "") + "}\n");
        if (oneInstance) {
            List<String> names = bed.vips().keySet().stream()
                    .filter(v -> allVips || !withheld.contains(v)).toList();
            sb.append("vrrp_instance VI_all {\n  state BACKUP\n  nopreempt\n  priority 100\n  interface eth0\n"
                    + "  virtual_router_id 51\n  advert_int ").append(advertInt)
                    .append("\n  virtual_ipaddress {\n    ").append(bed.vip(names.get(0)).getHostAddress())
                    .append("/24 dev eth0\n  }\n  virtual_ipaddress_excluded {\n");
            for (String vip : names.subList(1, names.size())) {
                sb.append("    ").append(bed.vip(vip).getHostAddress()).append("/24 dev eth0\n");
            }
            sb.append("  }\n}\n");
            Files.createDirectories(dir(bed, host));
            Files.writeString(dir(bed, host).resolve("keepalived.conf"), sb.toString());
            return;
        }
        if (ipv6Vip != null) {
            writeDualStack(bed, host, sb);
            return;
        }
        int vrid = 51;
        for (String vip : bed.vips().keySet()) {
            int id = vrid++;
            if (!allVips && withheld.contains(vip)) {
                continue;
            }
            List<Integer> order = preferredHosts.getOrDefault(vip, List.of());
            int rank = order.indexOf(host);
            String priority = order.isEmpty() ? "  nopreempt\n  priority 100\n"
                    : "  priority " + (rank < 0 ? 10 : 150 - 50 * rank) + "\n";
            sb.append("vrrp_instance VI_").append(vip).append(" {\n  state BACKUP\n").append(priority)
                    .append("  interface eth0\n  virtual_router_id ").append(id).append("\n  advert_int ")
                    .append(advertInt).append("\n  virtual_ipaddress {\n    ")
                    .append(bed.vip(vip).getHostAddress()).append("/24 dev eth0\n  }\n}\n");
        }
        Files.createDirectories(dir(bed, host));
        Files.writeString(dir(bed, host).resolve("keepalived.conf"), sb.toString());
    }

    private void writeDualStack(Testbed bed, int host, StringBuilder sb) throws IOException {
        String v4 = bed.vips().values().iterator().next().getHostAddress();
        sb.setLength(0);
        sb.append("global_defs {\n  router_id h").append(host).append("\n  vrrp_version 3\n}\n")
                .append("vrrp_sync_group pair {\n  group {\n    VI_v4\n    VI_v6\n  }\n}\n");
        String[][] instances = {{"VI_v4", "51", v4 + "/24"}, {"VI_v6", "52", ipv6Vip}};
        for (String[] i : instances) {
            sb.append("vrrp_instance ").append(i[0]).append(" {\n  state BACKUP\n  nopreempt\n  priority 100\n")
                    .append("  interface eth0\n  virtual_router_id ").append(i[1]).append("\n  advert_int ")
                    .append(advertInt).append("\n  virtual_ipaddress {\n    ").append(i[2])
                    .append(" dev eth0\n  }\n}\n");
        }
        Files.createDirectories(dir(bed, host));
        Files.writeString(dir(bed, host).resolve("keepalived.conf"), sb.toString());
    }

    @Override
    public void start(Testbed bed, int host) throws IOException {
        writeConfig(bed, host, false);
        Path dir = dir(bed, host);
        // Fresh pid files per start, as after a reboot: a SIGKILLed child can linger as a zombie here (the
        // container's init does not reap it), and keepalived refuses to start while its pid file names one.
        String run = String.valueOf(System.nanoTime());
        processes.put(host, bed.spawn(host, List.of("keepalived", "--dont-fork", "--log-console", "--vrrp",
                "-f", dir.resolve("keepalived.conf").toString(), "-p", dir.resolve("k-" + run + ".pid").toString(),
                "-r", dir.resolve("v-" + run + ".pid").toString()), dir.resolve("keepalived.log")));
    }

    /** The pids of {@code host}'s keepalived: the parent and its VRRP child. */
    public List<Long> pids(int host) {
        Process p = processes.get(host);
        List<Long> out = new java.util.ArrayList<>(List.of(p.pid()));
        p.descendants().forEach(h -> out.add(h.pid()));
        return out;
    }

    @Override
    public void kill(Testbed bed, int host) {
        Testbed.killTree(processes.remove(host));
    }

    private void signal(int host, String sig) throws IOException {
        Process p = processes.get(host);
        for (ProcessHandle h : p.descendants().toList()) {
            Shell.ok("kill", sig, String.valueOf(h.pid()));
        }
        Shell.ok("kill", sig, String.valueOf(p.pid()));
    }

    @Override
    public void pause(Testbed bed, int host) throws IOException {
        signal(host, "-STOP");
    }

    @Override
    public void resume(Testbed bed, int host) throws IOException {
        signal(host, "-CONT");
    }

    @Override
    public void stop(Testbed bed, int host) throws IOException {
        // keepalived's own planned stop: on SIGTERM the master sends a priority-0 advert so a backup takes over
        Process p = processes.remove(host);
        Shell.ok("kill", "-TERM", String.valueOf(p.pid()));
        try {
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                Testbed.killTree(p);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean reloadWithAllVips(Testbed bed, int host) throws IOException {
        writeConfig(bed, host, true);
        // keepalived's reload: SIGHUP to its main process, which re-reads the file and restarts its VRRP child
        Shell.ok("kill", "-HUP", String.valueOf(processes.get(host).pid()));
        return true;
    }
}

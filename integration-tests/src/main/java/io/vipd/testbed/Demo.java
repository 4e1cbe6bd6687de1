package io.vipd.testbed;

import io.vipd.host.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's demo: three hosts in network namespaces run vipd; shows {@code vipctl status}, kills the owner of
 * "web" (kill -9 and its cable pulled) and shows the VIP moving, as the client sees it, then cleans up.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        Path jar = Testbed.vipdJarFromBuild();
        try (Testbed bed = new Testbed(3, List.of("web", "db"), jar, "")) {
            say("Started 3 hosts (namespaces " + bed.hostNs(1) + ".." + bed.hostNs(3) + ", 198.18.0.1-3) and a "
                    + "client (198.18.0.250) on one bridge; vipd running on each host, Raft over mutual TLS with a "
                    + "cluster CA and a certificate per host (made as 'vipctl cert' makes them, in "
                    + bed.tls().caPath().getParent() + ").");
            bed.startAll();
            Inet4Address web = bed.vip("web");
            Testbed.waitUntil("both VIPs owned", 60_000, () -> owner(bed, web) != 0 && owner(bed, bed.vip("db")) != 0);
            say("vipctl status (asked on n1):");
            vipctl(jar, bed, 1);
            int victim = owner(bed, web);
            say("The client's ARP referee sees web (" + web.getHostAddress() + ") answered only by "
                    + bed.node(victim) + " (" + bed.mac(victim) + "). Now: kill -9 vipd on " + bed.node(victim)
                    + " and pull its cable.");
            long fault = System.nanoTime();
            bed.kill9(victim);
            bed.link(victim, false);
            Testbed.waitUntil("web answered by another host", 30_000, () -> {
                int h = owner(bed, web);
                return h != 0 && h != victim;
            });
            long firstArp = bed.referee().since(fault).stream()
                    .filter(o -> o.vip().equals(web) && bed.hostOf(o.mac()) != victim)
                    .mapToLong(o -> o.nanos()).min().orElse(System.nanoTime());
            int survivor = owner(bed, web);
            String reached = null;
            for (int i = 0; i < 40 && reached == null; i++) {
                reached = bed.connect(web, 500);
            }
            say(String.format("web moved to %s: first ARP reply from its MAC %s %d ms after the fault; a TCP "
                            + "connection from the client to %s:%d now reaches %s.", bed.node(survivor),
                    bed.mac(survivor), (firstArp - fault) / 1_000_000L, web.getHostAddress(), Testbed.NAME_PORT,
                    reached));
            int asker = survivor == 1 ? 2 : 1;
            say("vipctl status (asked on " + bed.node(asker) + "):");
            vipctl(jar, bed, asker);
            List<String> dual = new ArrayList<>();
            ArpReferee.dualAnswers(bed.referee().observations()).forEach((vip, rounds) -> dual.addAll(rounds));
            say("Request rounds in which two MACs answered one VIP during the whole demo: " + dual.size() + ".");
            say("Cleaning up: daemons stopped, namespaces removed.");
        }
    }

    private static int owner(Testbed bed, Inet4Address vip) {
        List<MacAddress> macs = ArpReferee.answerers(bed.referee().since(System.nanoTime() - 300_000_000L), vip);
        return macs.size() == 1 ? bed.hostOf(macs.get(0)) : 0;
    }

    private static void vipctl(Path jar, Testbed bed, int i) throws IOException, InterruptedException {
        List<String> cmd = Testbed.javaCommand(jar, "io.vipd.cli.Vipctl");
        cmd.addAll(List.of("--socket", bed.socketPath(i).toString(), "status"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        System.out.println();
        System.out.println("  $ vipctl status");
        out.lines().forEach(l -> System.out.println("  " + l));
        System.out.println();
    }

    private static void say(String s) {
        System.out.println("==> " + s);
    }
}

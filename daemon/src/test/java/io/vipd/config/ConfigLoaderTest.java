package io.vipd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final Path FILE = Path.of("/etc/vipd/vipd.conf");
    static final String VALID = String.join("\n",
            "# three nodes",
            "node.id = n1",
            "data.dir = /tmp/vipd-test",
            "peer.n1 = 198.18.0.1:7400",
            "peer.n2 = 198.18.0.2:7400",
            "peer.n3 = 198.18.0.3:7400",
            "vip.web.address = 198.18.0.100/24",
            "vip.web.interface = eth0",
            "vip.web.prefer = n2, n1",
            "vip.db.address = 198.18.0.101/24",
            "vip.db.interface = eth0",
            "");

    private final ConfigLoader loader = new ConfigLoader(ignored -> "host-a");

    private ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> loader.parse(FILE, text));
    }

    @Test
    void readsAValidConfigWithDefaults() throws Exception {
        VipdConfig c = loader.parse(FILE, VALID);
        assertEquals("n1", c.nodeId());
        assertEquals("vipd", c.clusterName());
        assertEquals(Path.of("/tmp/vipd-test"), c.dataDir());
        assertEquals(Path.of("/run/vipd/vipd.sock"), c.controlSocket());
        assertEquals(3, c.peers().size());
        assertEquals(new Peer("n2", "198.18.0.2", 7400), c.peer("n2").orElseThrow());
        assertEquals(List.of("db", "web"), c.vips().stream().map(VipSpec::name).toList());
        VipSpec web = c.vip("web").orElseThrow();
        assertEquals("198.18.0.100/24", web.cidr());
        assertEquals("eth0", web.iface());
        assertEquals(List.of("n2", "n1"), web.preferred());
        assertEquals(Announce.DEFAULT, c.announce());
        assertEquals(Timing.DEFAULT, c.timing());
    }

    @Test
    void controlGroupDefaultsToVipdAndMustBeAGroupName() throws Exception {
        assertEquals("vipd", loader.parse(FILE, VALID).controlGroup());
        assertEquals("adm", loader.parse(FILE, VALID + "control.group = adm\n").controlGroup());
        assertEquals("ops.team_1-x", loader.parse(FILE, VALID + "control.group = ops.team_1-x\n").controlGroup());
        for (String bad : new String[] {"wheel admins", "1000", "-vipd", "a".repeat(33), "vipd:x"}) {
            ConfigException e = error(VALID + "control.group = " + bad + "\n");
            assertEquals(FILE + ":12: control.group: '" + bad + "' is not a valid group name (letters, digits, "
                    + "'_', '-' or '.', not starting with a digit, '-' or '.'; at most 32 characters)",
                    e.getMessage(), bad);
        }
        assertEquals(FILE + ":12: control.group: empty value; remove the line to use the default (vipd)",
                error(VALID + "control.group =\n").getMessage());
    }

    @Test
    void nodeIdDefaultsToHostname() throws Exception {
        String text = VALID.replace("node.id = n1\n", "").replace("peer.n1 =", "peer.host-a =").replace("n2, n1", "n2");
        assertEquals("host-a", loader.parse(FILE, text).nodeId());
    }

    @Test
    void unknownKeyNamesFileLineAndKey() {
        ConfigException e = error(VALID + "vip.web.adress = 198.18.0.102/24\n");
        assertEquals(12, e.line());
        assertEquals("vip.web.adress", e.key());
        assertTrue(e.getMessage().startsWith("/etc/vipd/vipd.conf:12: vip.web.adress: unknown key"), e.getMessage());
    }

    @Test
    void thisNodeMustBeAPeer() {
        ConfigException e = error(VALID.replace("node.id = n1", "node.id = n9"));
        assertEquals("node.id", e.key());
        assertEquals(2, e.line());
        assertTrue(e.problem().contains("no peer.n9"), e.problem());
    }

    @Test
    void malformedVipAddress() {
        ConfigException e = error(VALID.replace("198.18.0.100/24", "198.18.0.300/24"));
        assertEquals("vip.web.address", e.key());
        assertEquals(7, e.line());
        assertTrue(e.problem().contains("not a valid IPv4 address"), e.problem());
        assertTrue(error(VALID.replace("198.18.0.100/24", "198.18.0.100")).problem().contains("no prefix length"));
        assertTrue(error(VALID.replace("198.18.0.100/24", "198.18.0.100/40")).problem().contains("outside 1..32"));
    }

    @Test
    void ipv6VipsAreReadAndTheirMistakesNamed() throws Exception {
        VipdConfig c = loader.parse(FILE, VALID.replace("198.18.0.100/24", "2001:DB8:0:0::100/64"));
        VipSpec web = c.vip("web").orElseThrow();
        assertEquals("2001:db8::100/64", web.cidr(), "written as RFC 5952 says, whatever the file's spelling");
        assertEquals(web, c.vipAt(java.net.InetAddress.getByName("2001:db8::100")).orElseThrow());
        java.util.Map<String, String> wrong = new java.util.LinkedHashMap<>();
        wrong.put("fe80::1/64", "is link-local");
        wrong.put("ff02::1/64", "cannot be a VIP (loopback, multicast");
        wrong.put("::1/128", "cannot be a VIP");
        wrong.put("2001:db8::/64", "subnet-router anycast address");
        wrong.put("2001:db8::1/129", "outside 1..128");
        wrong.put("2001:db8::1", "no prefix length");
        wrong.put("2001:db8::1%eth0/64", "is not a valid IPv6 address");
        wrong.put("2001:db8:::1/64", "is not a valid IPv6 address");
        wrong.put("::ffff:198.18.0.1/96", "is not a valid IPv6 address"); // Java reads it as IPv4: refused
        wrong.forEach((value, message) -> {
            ConfigException e = error(VALID.replace("198.18.0.100/24", value));
            assertEquals("vip.web.address", e.key(), value);
            assertTrue(e.problem().contains(message), value + ": " + e.problem());
        });
        ConfigException peer = error(VALID.replace("198.18.0.100/24", "2001:db8::5/64")
                .replace("peer.n3 = 198.18.0.3:7400", "peer.n3 = [2001:db8::5]:7400"));
        assertTrue(peer.problem().contains("is the address of node 'n3'"), peer.problem());
        assertEquals(new io.vipd.config.keys.AddressTypes.HostPort("[::]", 9460),
                loader.parse(FILE, VALID + "metrics.listen = [::]:9460\n").metricsListen());
        assertEquals(null, loader.parse(FILE, VALID).metricsListen(), "off by default");
        assertTrue(error(VALID + "metrics.listen = localhost:9460\n").problem().contains("'localhost' in "
                + "'localhost:9460' is not an IPv4 address or a bracketed IPv6 address"));
        assertTrue(error(VALID + "metrics.listen = 0.0.0.0\n").problem().contains("is not address:port"));
        ConfigException twice = error(VALID.replace("198.18.0.100/24", "2001:db8::100/64")
                + "vip.web6.address = 2001:DB8:0:0:0::100/64\nvip.web6.interface = eth0\n");
        assertEquals("vip.web6.address", twice.key());
        assertEquals("duplicate VIP: 2001:db8::100 is already the address of vip.web", twice.problem(),
                "one address however it is spelled");
    }

    @Test
    void duplicateVipAddress() {
        ConfigException e = error(VALID.replace("198.18.0.101/24", "198.18.0.100/24"));
        assertTrue(e.problem().contains("duplicate VIP"), e.problem());
        assertTrue(e.key().endsWith(".address"));
    }

    @Test
    void vipEqualToANodeAddress() {
        ConfigException e = error(VALID.replace("198.18.0.100/24", "198.18.0.2/24"));
        assertEquals("vip.web.address", e.key());
        assertTrue(e.problem().contains("address of node 'n2'"), e.problem());
    }

    @Test
    void keySetTwice() {
        ConfigException e = error(VALID + "vip.web.interface = eth1\n");
        assertEquals("vip.web.interface", e.key());
        assertTrue(e.problem().contains("more than once"), e.problem());
    }

    @Test
    void badPeerAddress() {
        ConfigException e = error(VALID.replace("198.18.0.3:7400", "198.18.0.3"));
        assertEquals("peer.n3", e.key());
        assertEquals(6, e.line());
        assertTrue(error(VALID.replace("198.18.0.3:7400", "198.18.0.3:99999")).problem().contains("outside"));
        assertTrue(error(VALID.replace("198.18.0.3:7400", "198.18.0.2:7400")).problem().contains("same address"));
    }

    @Test
    void witnessesArePeersThatNeverHoldAVip() throws Exception {
        VipdConfig c = loader.parse(FILE, VALID + "witnesses = n3\n");
        assertEquals(List.of(false, false, true), c.peers().stream().map(Peer::witness).toList());
        assertEquals(false, c.self().witness());
        VipdConfig onWitness = loader.parse(FILE, VALID.replace("node.id = n1", "node.id = n3") + "witnesses = n3\n");
        assertTrue(onWitness.self().witness());
        assertEquals(List.of(), c.warnings(), "two VIP hosts and a witness are a majority of three: no warning");
        ConfigException notAPeer = error(VALID + "witnesses = n3, w9\n");
        assertEquals("witnesses", notAPeer.key());
        assertTrue(notAPeer.problem().contains("'w9' is not a configured peer"), notAPeer.problem());
        assertTrue(error(VALID + "witnesses = n3 n3\n").problem().contains("'n3' is listed twice"));
        assertTrue(error(VALID + "witnesses = n1, n2, n3\n").problem().contains("every peer is a witness"));
        ConfigException preferred = error(VALID + "witnesses = n2\n");
        assertEquals("vip.web.prefer", preferred.key());
        assertTrue(preferred.problem().contains("'n2' is a witness"), preferred.problem());
    }

    @Test
    void votersAreAllPeersUnlessListedAndTheOthersAreListeners() throws Exception {
        assertEquals(List.of(true, true, true), loader.parse(FILE, VALID).peers().stream().map(Peer::voter).toList());
        String five = VALID + "peer.n4 = 198.18.0.4:7400\npeer.n5 = 198.18.0.5:7400\n";
        VipdConfig c = loader.parse(FILE, five + "voters = n1, n2, n3\n");
        assertEquals(List.of(true, true, true, false, false), c.peers().stream().map(Peer::voter).toList());
        assertEquals(List.of(), c.warnings(), "3 voters of 5 members");
        assertTrue(loader.parse(FILE, five + "voters = n1, n2\n").warnings().get(0).contains(
                "voters: 2 members: a majority of 2 is 2"), "the size rules count voters");
        assertTrue(error(five + "voters = n1, n9\n").problem().contains("'n9' is not a configured peer"));
        assertTrue(error(five + "voters = n1 n1\n").problem().contains("'n1' is listed twice"));
        assertTrue(error(five + "voters = ,\n").problem().contains("no voters"));
        ConfigException witness = error(five + "voters = n1, n2, n3\nwitnesses = n4\n");
        assertEquals("voters", witness.key());
        assertTrue(witness.problem().contains("'n4' is a witness, which only votes"), witness.problem());
        assertTrue(new Peer("n4", "198.18.0.4", 7400, false, false).takesLeadership() == false);
        assertTrue(new Peer("n3", "198.18.0.3", 7400, true).takesLeadership() == false);
        assertTrue(new Peer("n1", "198.18.0.1", 7400).takesLeadership());
    }

    @Test
    void aGroupGivesItsMembersItsPreferencePreemptionAndChecks() throws Exception {
        String base = VALID.replace("vip.web.prefer = n2, n1\n", "") + "vip.gw.address = 198.18.1.1/24\n"
                + "vip.gw.interface = eth1\ncheck.port.type = tcp\ncheck.port.target = 127.0.0.1:80\n"
                + "check.disk.type = exec\ncheck.disk.command = /bin/true\n";
        VipdConfig c = loader.parse(FILE, base + "group.svc.vips = web, gw\ngroup.svc.prefer = n2, n1\n"
                + "group.svc.checks = port\ngroup.svc.preempt = on\ngroup.svc.preempt.delay.ms = 500\n"
                + "vip.gw.checks = disk\n");
        VipSpec web = c.vip("web").orElseThrow();
        VipSpec gw = c.vip("gw").orElseThrow();
        assertEquals("svc", web.group());
        assertEquals(List.of("n2", "n1"), gw.preferred());
        assertEquals(List.of("port"), web.checks());
        assertEquals(List.of("disk", "port"), gw.checks(), "its own checks and the group's");
        assertTrue(gw.preempt() && gw.preemptDelayMs() == 500);
        assertEquals(null, c.vip("db").orElseThrow().group());
        assertEquals(List.of("gw", "web"), c.groupOf("web"), "the members, in the configuration's order");
        assertEquals(List.of("db"), c.groupOf("db"));
    }

    @Test
    void groupMistakesNameTheirKey() {
        String base = VALID.replace("vip.web.prefer = n2, n1\n", "");
        ConfigException unknown = error(base + "group.svc.vips = web, mail\n");
        assertEquals("group.svc.vips", unknown.key());
        assertTrue(unknown.problem().contains("no VIP named 'mail'"), unknown.problem());
        ConfigException twice = error(base + "group.a.vips = web, db\ngroup.b.vips = db, web\n");
        assertEquals("group.b.vips", twice.key());
        assertTrue(twice.problem().contains("'db' is already in group.a.vips"), twice.problem());
        ConfigException alone = error(base + "group.a.vips = web\n");
        assertTrue(alone.problem().contains("a group needs two VIPs or more"), alone.problem());
        ConfigException own = error(VALID + "group.a.vips = web, db\n");
        assertEquals("vip.web.prefer", own.key());
        assertTrue(own.problem().contains("set on a member of group a: set group.a.prefer instead"), own.problem());
        ConfigException witness = error(base + "witnesses = n3\ngroup.a.vips = web, db\ngroup.a.prefer = n3\n");
        assertEquals("group.a.prefer", witness.key());
        ConfigException delay = error(base + "group.a.vips = web, db\ngroup.a.preempt.delay.ms = 5\n");
        assertEquals("group.a.preempt.delay.ms", delay.key());
    }

    @Test
    void preferMustNameAPeer() {
        ConfigException e = error(VALID.replace("n2, n1", "n2, n7"));
        assertEquals("vip.web.prefer", e.key());
        assertTrue(e.problem().contains("'n7' is not a configured peer"), e.problem());
    }

    @Test
    void vipNeedsAnInterface() {
        ConfigException e = error(VALID.replace("vip.db.interface = eth0\n", ""));
        assertEquals("vip.db.interface", e.key());
        assertTrue(e.problem().startsWith("missing"), e.problem());
    }

    @Test
    void conflictWatchKeysAreChecked() throws Exception {
        ConfigException badTrack = error(VALID + "vip.web.track = eth1, bad/name\n");
        assertEquals("vip.web.track", badTrack.key());
        assertEquals("'bad/name' is not an interface name", badTrack.problem());
        ConfigException twice = error(VALID + "vip.web.track = eth1 eth1\n");
        assertEquals("'eth1' is listed twice", twice.problem());
        ConfigException tooFast = error(VALID + "watch.probe.interval.ms = 50\n");
        assertEquals("watch.probe.interval.ms", tooFast.key());
        assertTrue(tooFast.problem().startsWith("must be 0 (probing off) or at least 100 ms"), tooFast.problem());
        ConfigException silentTooSoon = error(VALID + "watch.silent.after.ms = 1500\n");
        assertEquals("watch.silent.after.ms", silentTooSoon.key());
        assertTrue(silentTooSoon.problem().contains("at least two probe intervals"), silentTooSoon.problem());
        ConfigException policy = error(VALID + "vip.web.conflict = ignore\n");
        assertEquals("vip.web.conflict", policy.key());
        assertTrue(policy.problem().contains("'ignore' is not refuse or warn"), policy.problem());
        VipdConfig ok = loader.parse(FILE, VALID
                + "vip.web.track = eth1 bond0\nvip.web.conflict = warn\nvip.web.on_silent = report\n"
                + "watch.probe.interval.ms = 500\nwatch.silent.after.ms = 1000\n");
        VipSpec web = ok.vip("web").orElseThrow();
        assertEquals(List.of("eth0", "eth1", "bond0"), web.links());
        assertEquals(VipSpec.ConflictPolicy.WARN, web.conflict());
        assertEquals(VipSpec.SilentPolicy.REPORT, web.onSilent());
        assertEquals(new Watch(500, 1000), ok.watch());
    }

    @Test
    void unsafeTimingIsAConfigError() {
        ConfigException e = error(VALID + "lease.ms = 1000\nfailover.timeout.ms = 900\n");
        assertEquals("failover.timeout.ms", e.key());
        assertTrue(e.problem().contains("unsafe"), e.problem());
        assertTrue(e.problem().contains("at least 1150 ms"), e.problem());
        assertEquals("lease.renew.interval.ms",
                error(VALID + "lease.renew.interval.ms = 300\n").key());
        assertEquals("raft.election.timeout.max.ms",
                error(VALID + "raft.election.timeout.min.ms = 700\n").key());
    }

    @Test
    void fastProfileSetsTimingDefaultsThatKeysOverride() throws Exception {
        assertEquals(Timing.FAST, loader.parse(FILE, VALID + "profile = fast\n").timing());
        Timing t = loader.parse(FILE, VALID + "profile = fast\nfailover.timeout.ms = 400\n").timing();
        assertEquals(400, t.failoverTimeoutMs());
        assertEquals(Timing.FAST.leaseMs(), t.leaseMs());
        assertEquals("profile", error(VALID + "profile = turbo\n").key());
        // the profile's safe ordering still binds keys set on top of it
        assertEquals("failover.timeout.ms", error(VALID + "profile = fast\nlease.ms = 400\n").key());
    }

    @Test
    void notANumber() {
        ConfigException e = error(VALID + "announce.burst.count = many\n");
        assertEquals("announce.burst.count", e.key());
        assertTrue(e.problem().contains("not a whole number"));
    }

    @Test
    void missingFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(Path.of("/nonexistent/vipd.conf")));
        assertEquals("/nonexistent/vipd.conf: no such file", e.getMessage());
    }

    @Test
    void interfaceMissingOnThisHost(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("vipd.conf");
        java.nio.file.Files.writeString(file, VALID);
        VipdConfig c = loader.load(file);
        loader.checkHost(c, Set.of("lo", "eth0"));
        ConfigException e = assertThrows(ConfigException.class, () -> loader.checkHost(c, Set.of("lo", "ens3")));
        assertTrue(e.getMessage().startsWith(file + ":11: vip.db.interface: interface 'eth0' does not exist"),
                e.getMessage());
    }

    @Test
    void exampleConfigIsValid() throws Exception {
        Path example = ConfigKeysTest.EXAMPLE;
        VipdConfig c = loader.load(example);
        assertTrue(c.vips().size() >= 1);
        // Every commented-out example of a key of the catalogue is valid too, all of them at once; together they set
        // every key of the catalogue, so each key's type reads the example value the operator is shown.
        java.util.regex.Matcher commented = java.util.regex.Pattern.compile("(?m)^#([a-z][A-Za-z0-9_.]*)( = .*)$")
                .matcher(java.nio.file.Files.readString(example));
        StringBuilder all = new StringBuilder();
        while (commented.find()) {
            String key = commented.group(1);
            commented.appendReplacement(all, java.util.regex.Matcher.quoteReplacement(
                    io.vipd.config.keys.ConfigKeys.lookup(key).isPresent() ? key + commented.group(2)
                            : commented.group()));
        }
        commented.appendTail(all);
        VipdConfig full = loader.parse(example, all.toString());
        assertEquals(List.of("web_port", "web_page"), full.vip("web").orElseThrow().checks());
        assertEquals(3, full.checks().size());
        assertEquals(List.of("/usr/local/sbin/vip-notify"), full.hooks().fault());
        Set<io.vipd.config.keys.ConfigKey<?>> set = new java.util.HashSet<>();
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^([a-z][A-Za-z0-9_.]*) = ").matcher(all);
        while (line.find()) {
            set.add(io.vipd.config.keys.ConfigKeys.lookup(line.group(1)).orElseThrow().key());
        }
        assertEquals(Set.copyOf(io.vipd.config.keys.ConfigKeys.ALL), set, "keys of the catalogue without an example");
    }

    static final String CHECKED = VALID + String.join("\n",
            "check.http.type = tcp",
            "check.http.target = 127.0.0.1:80",
            "check.http.fall = 3",
            "check.page.type = http",
            "check.page.url = http://127.0.0.1:8080/health",
            "check.page.status = 200-299",
            "check.script.type = exec",
            "check.script.command = /usr/local/bin/check-db --quick",
            "check.script.interval.ms = 2000",
            "check.script.timeout.ms = 1500",
            "vip.web.checks = http, page",
            "vip.web.preempt = on",
            "vip.web.preempt.delay.ms = 5000",
            "vip.db.checks = script",
            "vip.db.unhealthy = release",
            "notify.acquire = /usr/local/bin/vip-up --verbose",
            "notify.any = /usr/local/bin/vip-log",
            "notify.timeout.ms = 3000",
            "");

    @Test
    void readsChecksPreemptionAndHooks() throws Exception {
        VipdConfig c = loader.parse(FILE, CHECKED);
        VipSpec web = c.vip("web").orElseThrow();
        assertEquals(List.of("http", "page"), web.checks());
        assertTrue(web.preempt());
        assertEquals(5000, web.preemptDelayMs());
        assertEquals(VipSpec.DEFAULT_PREEMPT_HOLD_MS, web.preemptHoldMs());
        assertEquals(VipSpec.UnhealthyPolicy.KEEP, web.unhealthy());
        assertEquals(12000, loader.parse(FILE, CHECKED + "vip.web.preempt.hold.ms = 12000\n").vip("web")
                .orElseThrow().preemptHoldMs());
        assertEquals(VipSpec.UnhealthyPolicy.RELEASE, c.vip("db").orElseThrow().unhealthy());
        CheckSpec http = c.checks().get("http");
        assertEquals("tcp 127.0.0.1:80", http.describe());
        assertEquals(3, http.fall());
        assertEquals(2, http.rise());
        assertEquals(1000, http.intervalMs());
        HttpCheck page = (HttpCheck) c.checks().get("page");
        assertEquals(200, page.statusMin());
        assertEquals(299, page.statusMax());
        ExecCheck script = (ExecCheck) c.checks().get("script");
        assertEquals(List.of("/usr/local/bin/check-db", "--quick"), script.command());
        assertEquals(1500, script.timeoutMs());
        assertEquals(List.of("/usr/local/bin/vip-up", "--verbose"), c.hooks().acquire());
        assertEquals(List.of(), c.hooks().release());
        assertEquals(3000, c.hooks().timeoutMs());
    }

    @Test
    void badChecksAndHooksNameFileLineAndKey() throws Exception {
        int checksLine = java.util.Arrays.asList(CHECKED.split("\n")).indexOf("vip.web.checks = http, page") + 1;
        ConfigException e = error(CHECKED.replace("vip.web.checks = http, page", "vip.web.checks = http, nope"));
        assertEquals(FILE + ":" + checksLine + ": vip.web.checks: no check named 'nope' (defined: http, page, script)",
                e.getMessage());
        assertTrue(error(CHECKED.replace("check.http.type = tcp", "check.http.type = icmp")).getMessage()
                .endsWith("check.http.type: 'icmp' is not a check type (tcp, http, exec)"));
        assertTrue(error(CHECKED.replace("127.0.0.1:80", "127.0.0.1")).getMessage()
                .contains("check.http.target: '127.0.0.1' is not host:port"));
        assertTrue(error(CHECKED.replace("127.0.0.1:80", "2001:db8::1:80")).getMessage()
                .contains("check.http.target: '2001:db8::1:80' is not host:port (example: 127.0.0.1:80, "
                        + "[2001:db8::1]:80): an IPv6 address needs brackets"));
        assertTrue(error(CHECKED.replace("127.0.0.1:80", "[2001:db8::zz]:80")).getMessage()
                .contains("check.http.target: '[2001:db8::zz]' in '[2001:db8::zz]:80' is not a valid IPv6 address"));
        TcpCheck six = (TcpCheck) loader.parse(FILE, CHECKED.replace("127.0.0.1:80", "[2001:db8::1]:80")).checks()
                .get("http");
        assertEquals("[2001:db8::1]:80", six.host() + ":" + six.port(), "brackets kept, as in a URL");
        assertTrue(error(CHECKED.replace("/usr/local/bin/check-db --quick", "check-db")).getMessage()
                .contains("check.script.command: 'check-db' must be an absolute path"));
        assertTrue(error(CHECKED.replace("check.script.timeout.ms = 1500", "check.script.timeout.ms = 2500"))
                .getMessage().contains("check.script.timeout.ms: 2500 ms is longer than check.script.interval.ms"));
        assertTrue(error(CHECKED.replace("http://127.0.0.1:8080/health", "https://x/health")).getMessage()
                .contains("check.page.url: 'https://x/health' must be an http:// URL"));
        assertTrue(error(CHECKED.replace("check.page.status = 200-299", "check.page.status = ok")).getMessage()
                .contains("check.page.status: 'ok' is not a status or range"));
        assertTrue(error(CHECKED + "check.http.url = http://x/\n").getMessage()
                .contains("check.http.url: does not apply to a tcp check"));
        assertTrue(error(CHECKED.replace("vip.web.preempt = on", "vip.web.preempt = maybe")).getMessage()
                .contains("vip.web.preempt: 'maybe' is not on/off"));
        assertTrue(error(CHECKED.replace("vip.web.preempt = on", "vip.web.preempt = off")).getMessage()
                .contains("vip.web.preempt.delay.ms: set, but vip.web.preempt is off"));
        assertTrue(error(CHECKED + "vip.db.preempt.hold.ms = 1000\n").getMessage()
                .contains("vip.db.preempt.hold.ms: set, but vip.db.preempt is off"));
        assertTrue(error(CHECKED.replace("vip.db.checks = script\n", "")).getMessage()
                .contains("vip.db.unhealthy: release needs checks"));
        assertTrue(error(CHECKED.replace("/usr/local/bin/vip-log", "vip-log")).getMessage()
                .contains("notify.any: 'vip-log' must be an absolute path"));
        assertTrue(error(VALID + "check.x.target = 1.2.3.4:5\n").getMessage()
                .contains("check.x.type: missing"));
    }
}

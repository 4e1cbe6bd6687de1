package io.vipd.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;

/** vipd on a testbed: a profile, extra configuration lines, and VIPs withheld from the first configuration. */
public final class VipdSubject implements BenchSubject {
    private final String name;
    private final String config;
    private final Set<String> withheld;

    /**
     * @param extraConfig lines appended to every host's configuration (preferences, preemption)
     * @param withheld    VIPs of the testbed left out of the configuration until {@link #reloadWithAllVips}
     */
    public VipdSubject(String profile, String extraConfig, Set<String> withheld) {
        this.name = "vipd " + profile;
        this.config = "profile = " + profile + "\n" + extraConfig;
        this.withheld = Set.copyOf(withheld);
    }

    public VipdSubject(String profile) {
        this(profile, "", Set.of());
    }

    /** A variant under its own name (e.g. without TLS, to measure what TLS costs). */
    public VipdSubject(String name, String profile, String extraConfig) {
        this.name = name;
        this.config = "profile = " + profile + "\n" + extraConfig;
        this.withheld = Set.of();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String config() {
        return config;
    }

    @Override
    public void start(Testbed bed, int host) throws IOException {
        bed.startDaemon(host, Map.of(), bed.configWithout(host, withheld));
    }

    @Override
    public void kill(Testbed bed, int host) throws IOException {
        bed.kill9(host);
    }

    @Override
    public void pause(Testbed bed, int host) throws IOException {
        bed.pause(host);
    }

    @Override
    public void resume(Testbed bed, int host) throws IOException {
        bed.resume(host);
    }

    @Override
    public void stop(Testbed bed, int host) throws IOException {
        bed.terminate(host);
    }

    @Override
    public void settle(Testbed bed) {
        Testbed.waitUntil("every vipd sees every node reachable", 60_000, () -> {
            for (int i = 1; i <= bed.hostCount(); i++) {
                JsonNode st = bed.status(i);
                if (st == null || st.get("nodes") == null) {
                    return false;
                }
                for (JsonNode n : st.get("nodes")) {
                    if (!n.get("reachable").asBoolean()) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    @Override
    public boolean move(Testbed bed, String vip, int via, int host) throws IOException {
        JsonNode answer = bed.control(via, "move " + vip + " " + bed.node(host), 15_000);
        if (!answer.has("result")) {
            throw new IOException("vipctl move failed: " + answer);
        }
        return true;
    }

    @Override
    public boolean reloadWithAllVips(Testbed bed, int host) throws IOException {
        Files.writeString(bed.configPath(host), bed.config(host));
        JsonNode answer = bed.control(host, "reload", 15_000);
        if (!answer.has("result")) {
            throw new IOException("vipctl reload failed on " + bed.node(host) + ": " + answer);
        }
        return true;
    }
}

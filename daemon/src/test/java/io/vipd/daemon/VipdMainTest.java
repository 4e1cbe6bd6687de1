package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VipdMainTest {
    @Test
    void checkConfigReportsFileLineKeyAndExits78(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("vipd.conf");
        Files.writeString(conf, "node.id = n1\npeer.n1 = 198.18.0.1:7400\nvip.web.address = 198.18.0.999/24\n"
                + "vip.web.interface = eth0\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new VipdMain()).execute("--check-config", conf.toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(78, exit);
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(conf + ":3: vip.web.address: '198.18.0.999' is not a valid IPv4 address\n", message);
        assertFalse(message.contains("Exception"), "no stack trace for a user error");
    }

    @Test
    void checkConfigPrintsWarningsAndExits0(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("vipd.conf");
        Files.writeString(conf, "node.id = n1\ndata.dir = " + dir + "\npeer.n1 = 198.18.0.1:7400\n"
                + "peer.n2 = 198.18.0.2:7400\nvip.web.address = 198.18.0.100/24\nvip.web.interface = lo\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new VipdMain()).execute("--check-config", conf.toString());
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("warning: " + conf + ":3: peer.n1: 2 members: "),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(conf + ": OK (node n1, 2 peers, 1 VIPs)\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runWithAMissingConfigExits78(@TempDir Path dir) {
        int exit = new CommandLine(new VipdMain()).execute("--config", dir.resolve("none.conf").toString());
        assertEquals(78, exit);
    }

    @Test
    void helpListsTheExitCodes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cl = new CommandLine(new VipdMain());
        cl.setOut(new java.io.PrintWriter(out, true));
        assertEquals(0, cl.execute("--help"));
        assertTrue(out.toString().contains("78"), out.toString());
    }
}

package io.vipd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vipd.config.NotifyHooks;
import io.vipd.config.VipSpec;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifyHookRunnerTest {
    static VipSpec vip(String name, int last) throws Exception {
        return new VipSpec(name, (Inet4Address) InetAddress.getByName("198.18.0." + last), 24, "eth0", List.of());
    }

    static Path script(Path dir, String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void hooksGetKeepalivedStyleArgumentsInEventOrderPerVip(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        // The acquire hook is slow: the release queued behind it must still come second.
        Path acquire = script(dir, "acquire", "sleep 0.3; echo \"acquire $*\" >> " + log);
        Path release = script(dir, "release", "echo \"release $*\" >> " + log);
        Path any = script(dir, "any", "echo \"any $3\" >> " + log);
        NotifyHooks hooks = new NotifyHooks(List.of(acquire.toString()), List.of(release.toString()), List.of(),
                List.of(any.toString()), 5000);
        try (NotifyHookRunner runner = new NotifyHookRunner(hooks)) {
            VipSpec web = vip("web", 100);
            long t0 = System.nanoTime();
            runner.fire(web, NotifyHookRunner.State.MASTER, 3);
            var last = runner.fire(web, NotifyHookRunner.State.BACKUP, 4);
            assertTrue(System.nanoTime() - t0 < 200_000_000L, "fire() must not wait for the hooks");
            last.get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of("acquire web 198.18.0.100/24 MASTER 3", "any MASTER",
                "release web 198.18.0.100/24 BACKUP 4", "any BACKUP"), Files.readAllLines(log));
    }

    @Test
    void failingMissingAndHangingHooksDoNotStopTheNextOnes(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        Path hang = script(dir, "hang", "sleep 1000");
        Path fail = script(dir, "fail", "echo \"fault $*\" >> " + log + "; exit 3");
        Path ok = script(dir, "ok", "echo \"release $*\" >> " + log);
        NotifyHooks hooks = new NotifyHooks(List.of(hang.toString()), List.of(ok.toString()),
                List.of(fail.toString()), List.of("/nonexistent/hook"), 300);
        try (NotifyHookRunner runner = new NotifyHookRunner(hooks)) {
            VipSpec db = vip("db", 101);
            runner.fire(db, NotifyHookRunner.State.MASTER, 1);
            runner.fire(db, NotifyHookRunner.State.FAULT, 1);
            runner.fire(db, NotifyHookRunner.State.BACKUP, 2).get(10, TimeUnit.SECONDS);
        }
        assertEquals(List.of("fault db 198.18.0.101/24 FAULT 1", "release db 198.18.0.101/24 BACKUP 2"),
                Files.readAllLines(log));
        Thread.sleep(100);
        assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.info().commandLine().orElse("")
                .contains("sleep 1000")), "the hanging hook was killed");
    }
}

package io.vipd.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Who may do what on a real control socket, as the kernel reports the connecting thread's credentials: a stranger
 * is refused and the service never sees its request; a member of the reader group reads status and is refused
 * changes; root and the daemon's user may change things, and the service learns who asked. Needs root (to connect
 * as other users); uses the existing group 'daemon' as the reader group, so nothing on the host is changed.
 */
class ControlAuthorizationTest {
    static final int NOBODY = AsOtherUser.NOBODY;
    static final String READERS = "daemon";
    static final UnixAccounts HOST = UnixAccounts.system();

    /** A daemon stand-in that records what it was asked, and by whom. */
    static final class Recorder implements ControlHandler.Service {
        final List<String> requests = Collections.synchronizedList(new ArrayList<>());
        final List<Caller> callers = Collections.synchronizedList(new ArrayList<>());

        @Override
        public StatusReport status() {
            requests.add("status");
            return ControlHandlerTest.REPORT;
        }

        @Override
        public String move(Caller caller, String vip, String node) {
            requests.add("move " + vip + " " + node);
            callers.add(caller);
            return vip + " moved to " + node;
        }

        @Override
        public String drain(Caller caller, String node, boolean drained) {
            requests.add((drained ? "drain " : "undrain ") + node);
            callers.add(caller);
            return node + " drained";
        }

        @Override
        public String lead(Caller caller) {
            requests.add("lead");
            callers.add(caller);
            return "n1 is now the leader";
        }

        @Override
        public String reload(Caller caller) {
            requests.add("reload");
            callers.add(caller);
            return "reloaded";
        }
    }

    @TempDir
    Path dir;
    private final Recorder service = new Recorder();
    private int readersGid;
    private String nobody;

    @BeforeEach
    void needsRootAndTheGroup() throws Exception {
        Assumptions.assumeTrue(HOST.effectiveUid() == 0, "connecting as other users needs root");
        OptionalInt gid = HOST.groupId(READERS);
        Assumptions.assumeTrue(gid.isPresent(), "no group '" + READERS + "' on this host");
        readersGid = gid.getAsInt();
        nobody = HOST.userName(NOBODY);
        // other users must reach the socket through the test's directory
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private ControlServer start(Path sock) throws Exception {
        return ControlServer.start(sock, service, ControlAccess.forThisProcess(READERS, HOST));
    }

    private static String ask(Path sock, String request) throws Exception {
        return ControlClient.request(sock, request, 5000);
    }

    @Test
    void aStrangerWhoCanOpenTheSocketIsRefusedAndTheServiceIsNotCalled() throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = start(sock)) {
            // as if the socket had been opened up: the daemon's own check is what stands
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
            AsOtherUser.Ids stranger = new AsOtherUser.Ids(NOBODY, NOBODY, NOBODY);
            for (String request : List.of("move web n2", "drain n1", "reload", "lead", "status")) {
                String verb = request.split(" ")[0];
                assertEquals("{\"error\":\"permission denied: " + nobody + " (uid 65534) may not run '" + verb
                        + "' (allowed: root; members of group '" + READERS + "' may read status, history, watch and doctor)\"}",
                        AsOtherUser.callAs(stranger, () -> ask(sock, request)), request);
            }
        }
        assertEquals(List.of(), service.requests, "the service never saw a refused request");
    }

    @Test
    void aMemberOfTheGroupReadsStatusAndIsRefusedChanges() throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = start(sock)) {
            // a supplementary group: only SO_PEERGROUPS can tell, as /proc/PID/status is this JVM's main thread's
            // (root's). The socket's own mode and group let the member in.
            AsOtherUser.Ids member = new AsOtherUser.Ids(NOBODY, NOBODY, NOBODY, readersGid);
            String status = AsOtherUser.callAs(member, () -> ask(sock, "status"));
            assertEquals(ControlHandlerTest.REPORT, ControlHandler.JSON.readValue(status, StatusReport.class), status);
            assertEquals("{\"error\":\"permission denied: " + nobody + " (uid 65534) may only read (status, history, watch, doctor)\"}",
                    AsOtherUser.callAs(member, () -> ask(sock, "move web n2")));
            // the group as the process's primary group (SO_PEERCRED) counts too
            AsOtherUser.Ids primary = new AsOtherUser.Ids(NOBODY, readersGid);
            assertTrue(AsOtherUser.callAs(primary, () -> ask(sock, "status")).startsWith("{\"node\":\"n1\""));
            assertEquals("{\"error\":\"permission denied: " + nobody + " (uid 65534) may only read (status, history, watch, doctor)\"}",
                    AsOtherUser.callAs(primary, () -> ask(sock, "reload")));
        }
        assertEquals(List.of("status", "status"), service.requests);
    }

    @Test
    void rootMayChangeThingsAndTheServiceLearnsWhoAsked() throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = start(sock)) {
            assertEquals("{\"result\":\"web moved to n2\"}", ask(sock, "move web n2"));
            assertEquals("{\"result\":\"reloaded\"}", ask(sock, "reload"));
        }
        assertEquals(List.of("move web n2", "reload"), service.requests);
        Caller caller = service.callers.get(0);
        assertEquals(0, caller.uid());
        assertEquals("root", caller.user());
        assertEquals(ProcessHandle.current().pid(), caller.pid(), "this JVM connected");
        assertTrue(caller.gids().contains(0), caller.toString());
        assertEquals("root (uid 0, pid " + ProcessHandle.current().pid() + ")", caller.describe());
    }

    @Test
    void theDaemonsOwnUserMayChangeThings() throws Exception {
        Path sock = dir.resolve("vipd.sock");
        // a daemon running as nobody (its uid injected): nobody may do everything, whatever its groups
        ControlAccess access = ControlAccess.withReaders(NOBODY, nobody, READERS, OptionalInt.of(readersGid));
        try (ControlServer server = ControlServer.start(sock, service, access)) {
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertEquals("{\"result\":\"n1 drained\"}", AsOtherUser.callAs(new AsOtherUser.Ids(NOBODY, NOBODY),
                    () -> ask(sock, "drain n1")));
        }
        assertEquals(List.of("drain n1"), service.requests);
        assertEquals(NOBODY, service.callers.get(0).uid());
        assertEquals(Set.of(NOBODY), service.callers.get(0).gids());
    }

    @Test
    void theSocketIsTheGroupsWithMode0660() throws Exception {
        Path sock = dir.resolve("vipd.sock");
        try (ControlServer server = start(sock)) {
            assertEquals(PosixFilePermissions.fromString("rw-rw----"), Files.getPosixFilePermissions(sock));
            assertEquals(READERS, ((GroupPrincipal) Files.getAttribute(sock, "posix:group",
                    LinkOption.NOFOLLOW_LINKS)).getName());
            assertEquals(readersGid, (int) Files.getAttribute(sock, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aMissingGroupKeepsTheSocketOwnerOnlyAndIsWarnedAboutOnce() throws Exception {
        String missing = "vipd-test-no-such-group";
        Assumptions.assumeTrue(HOST.groupId(missing).isEmpty());
        Path sock = dir.resolve("vipd.sock");
        Logger logger = (Logger) LoggerFactory.getLogger(ControlServer.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (ControlServer server = ControlServer.start(sock, service, ControlAccess.forThisProcess(missing, HOST))) {
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(sock));
            assertEquals(0, (int) Files.getAttribute(sock, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            // even a member of some group that is called so elsewhere is refused: there is no gid to match
            Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
            assertEquals("{\"error\":\"permission denied: " + nobody + " (uid 65534) may not run 'status' (allowed: "
                    + "root; members of group '" + missing + "' may read status, history, watch and doctor, but there is no such group)\"}",
                    AsOtherUser.callAs(new AsOtherUser.Ids(NOBODY, NOBODY, readersGid), () -> ask(sock, "status")));
            assertEquals(ControlHandlerTest.REPORT.node(), ControlHandler.JSON.readTree(ask(sock, "status"))
                    .get("node").asText(), "root still may");
        } finally {
            logger.detachAppender(log);
        }
        List<String> warnings = log.list.stream().filter(e -> e.getLevel().toString().equals("WARN"))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("control socket " + sock + ": group '" + missing + "' (control.group) does not exist, "
                + "so only root and vipd's own user may use vipctl; create it (groupadd --system " + missing
                + ") and restart vipd to let its members read status"), warnings);
    }
}

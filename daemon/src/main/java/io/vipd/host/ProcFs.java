package io.vipd.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What vipctl doctor reads of this host under /proc: kernel ARP settings and the other programs that manage
 * floating addresses. Only reads. {@code root} is /proc, or a directory shaped like it in tests.
 */
public final class ProcFs {
    private final Path root;

    public ProcFs(Path root) {
        this.root = root;
    }

    public static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    /** The arp_ignore the kernel applies on {@code iface}: the larger of "all" and the interface's; -1 if unread. */
    public int arpIgnore(String iface) {
        try {
            return Math.max(sysctl("net/ipv4/conf/all/arp_ignore"), sysctl("net/ipv4/conf/" + iface + "/arp_ignore"));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private int sysctl(String key) throws IOException {
        return Integer.parseInt(Files.readString(root.resolve("sys").resolve(key)).trim());
    }

    /** The other programs found, and how many processes could not be looked at (permissions, gone meanwhile). */
    public record Managers(List<String> found, int unreadable) {}

    /**
     * Other programs that manage floating addresses in this process's network namespace: keepalived, ucarp, and
     * vipd daemons other than {@code selfPid}. Processes in other network namespaces are other hosts (containers,
     * or the namespaces of a test bed) and are not counted.
     */
    public Managers otherVipManagers(long selfPid) {
        List<String> found = new ArrayList<>();
        int unreadable = 0;
        String ownNet;
        try {
            ownNet = Files.readSymbolicLink(root.resolve(Long.toString(selfPid)).resolve("ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return new Managers(List.of(), -1);
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(root, p -> p.getFileName().toString()
                .matches("[0-9]+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == selfPid) {
                    continue;
                }
                try {
                    if (!Files.readSymbolicLink(proc.resolve("ns/net")).toString().equals(ownNet)) {
                        continue;
                    }
                    String name = managerName(Files.readAllBytes(proc.resolve("cmdline")));
                    if (name != null) {
                        found.add(name + " (pid " + pid + ")");
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    unreadable++;
                }
            }
        } catch (IOException e) {
            return new Managers(found, -1);
        }
        found.sort(null);
        return new Managers(found, unreadable);
    }

    /** "keepalived", "ucarp" or "vipd" if this command line (NUL-separated, as /proc gives it) is one. */
    static String managerName(byte[] cmdline) {
        List<String> argv = Arrays.asList(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            return null;
        }
        String program = Path.of(argv.get(0)).getFileName().toString();
        if (program.equals("keepalived") || program.equals("ucarp")) {
            return program;
        }
        boolean daemonClass = argv.contains("io.vipd.daemon.VipdMain");
        int jar = argv.indexOf("-jar");
        boolean daemonJar = jar >= 0 && jar + 1 < argv.size() && argv.get(jar + 1).endsWith("vipd.jar");
        return daemonClass || daemonJar ? "vipd" : null;
    }
}

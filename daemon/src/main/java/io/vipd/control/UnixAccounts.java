package io.vipd.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is who on this host, from its files: user names from {@code /etc/passwd}, group ids from {@code /etc/group},
 * a process's ids from {@code /proc/PID/status}. Users and groups only an NSS service (LDAP, sssd) knows are not
 * found: a user is then shown as "uid N", and a group that is not in /etc/group counts as missing. The parsing is
 * done on text, by static methods the tests call directly.
 */
public final class UnixAccounts {
    /** A process's effective uid, and its effective gid with its supplementary groups. */
    public record ProcessIds(int uid, Set<Integer> gids) {
        public ProcessIds {
            gids = Set.copyOf(gids);
        }
    }

    private final Path root;

    /** @param root "/" on a host; in tests, a directory with etc/passwd, etc/group and proc/PID/status below it */
    UnixAccounts(Path root) {
        this.root = root;
    }

    /** This host's accounts. */
    public static UnixAccounts system() {
        return new UnixAccounts(Path.of("/"));
    }

    /** What a user without a name is called. */
    static String unnamed(int uid) {
        return "uid " + Integer.toUnsignedString(uid);
    }

    /** The name of {@code uid}, or "uid N" when /etc/passwd has none (or cannot be read). */
    public String userName(int uid) {
        return read("etc/passwd").flatMap(text -> userName(text, uid)).orElse(unnamed(uid));
    }

    /** The id of group {@code name}; empty if /etc/group has no such group (or cannot be read). */
    public OptionalInt groupId(String name) {
        Optional<String> text = read("etc/group");
        return text.isPresent() ? groupId(text.get(), name) : OptionalInt.empty();
    }

    /** The ids of process {@code pid} (or "self"); empty if its status cannot be read (gone, or hidden from us). */
    public Optional<ProcessIds> process(String pid) {
        return read("proc/" + pid + "/status").flatMap(UnixAccounts::processIds);
    }

    /** The effective uid of this process. */
    public int effectiveUid() {
        return process("self").map(ProcessIds::uid)
                .orElseGet(() -> (int) new com.sun.security.auth.module.UnixSystem().getUid());
    }

    private Optional<String> read(String relative) {
        try {
            return Optional.of(Files.readString(root.resolve(relative), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) { // missing, unreadable, or not UTF-8
            return Optional.empty();
        }
    }

    /** The first {@code name:password:uid:...} line of passwd(5) text whose uid is {@code uid}. */
    static Optional<String> userName(String passwd, int uid) {
        for (String line : passwd.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && !f[0].isEmpty() && !line.startsWith("#") && !line.startsWith("+")
                    && !line.startsWith("-") && sameId(f[2], uid)) {
                return Optional.of(f[0]);
            }
        }
        return Optional.empty();
    }

    /** The gid of the first {@code name:password:gid:members} line of group(5) text for {@code name}. */
    static OptionalInt groupId(String group, String name) {
        for (String line : group.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(name)) {
                OptionalInt gid = id(f[2]);
                if (gid.isPresent()) {
                    return gid;
                }
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The effective uid (second field of "Uid:"), effective gid (second field of "Gid:") and supplementary groups
     * ("Groups:", possibly empty) of proc(5) status text; empty if a line is missing or malformed.
     */
    static Optional<ProcessIds> processIds(String status) {
        Integer uid = null;
        Integer gid = null;
        Set<Integer> groups = null;
        for (String line : status.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            String[] values = line.substring(colon + 1).trim().split("\\s+");
            switch (key) {
                case "Uid", "Gid" -> {
                    if (values.length < 2 || id(values[1]).isEmpty()) {
                        return Optional.empty();
                    }
                    if (key.equals("Uid")) {
                        uid = id(values[1]).getAsInt();
                    } else {
                        gid = id(values[1]).getAsInt();
                    }
                }
                case "Groups" -> {
                    groups = new TreeSet<>();
                    for (String v : values) {
                        if (v.isEmpty()) {
                            continue; // no supplementary groups
                        }
                        OptionalInt g = id(v);
                        if (g.isEmpty()) {
                            return Optional.empty();
                        }
                        groups.add(g.getAsInt());
                    }
                }
                default -> { }
            }
        }
        if (uid == null || gid == null || groups == null) {
            return Optional.empty();
        }
        groups.add(gid);
        return Optional.of(new ProcessIds(uid, groups));
    }

    private static boolean sameId(String text, int id) {
        OptionalInt parsed = id(text);
        return parsed.isPresent() && parsed.getAsInt() == id;
    }

    /** A uid or gid: ASCII digits, 0 to 2^32 - 2 (kept in an int as the kernel's unsigned value). */
    private static OptionalInt id(String text) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalInt.empty();
        }
        long v = Long.parseLong(text);
        return v <= 0xFFFF_FFFEL ? OptionalInt.of((int) v) : OptionalInt.empty();
    }
}

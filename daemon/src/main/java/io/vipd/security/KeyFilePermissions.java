package io.vipd.security;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Refuses a private key file that users other than its owner may read or change, as ssh does: a key others can
 * read is no longer a secret, and one others can write lets them substitute their own. Such a file is an error to
 * fix, not a warning to ignore, so the check throws.
 */
public final class KeyFilePermissions {
    private KeyFilePermissions() {}

    /** Throws, naming {@code key} and its mode, unless group and others may neither read nor write it. */
    public static void check(Path key) throws IOException {
        Set<PosixFilePermission> mode;
        try {
            // follows a symlink: what matters is who can read the key itself
            mode = Files.getPosixFilePermissions(key);
        } catch (NoSuchFileException e) {
            throw new IOException(key + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(key + ": permission denied", e);
        } catch (UnsupportedOperationException e) {
            throw new IOException(key + ": cannot check its permissions (not on a POSIX file system)", e);
        }
        boolean readable = mode.contains(PosixFilePermission.GROUP_READ)
                || mode.contains(PosixFilePermission.OTHERS_READ);
        boolean writable = mode.contains(PosixFilePermission.GROUP_WRITE)
                || mode.contains(PosixFilePermission.OTHERS_WRITE);
        if (!readable && !writable) {
            return;
        }
        String what = readable && writable ? "readable and writable" : readable ? "readable" : "writable";
        throw new IOException(key + " is " + what + " by group/others (mode " + octal(mode)
                + "): a private key must be private (chmod 600 " + key + ")");
    }

    /** {@code mode} as chmod writes it, e.g. 0640. */
    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            // the enum runs OWNER_READ .. OTHERS_EXECUTE, i.e. from bit 8 down to bit 0
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", bits);
    }
}

package io.vipd.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilePermissionsTest {
    static Path keyWithMode(Path dir, String mode) throws IOException {
        Path key = dir.resolve("n1.key");
        Files.deleteIfExists(key);
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));
        return key;
    }

    @Test
    void ownerOnlyModesPass(@TempDir Path dir) throws Exception {
        KeyFilePermissions.check(keyWithMode(dir, "rw-------")); // 0600
        KeyFilePermissions.check(keyWithMode(dir, "r--------")); // 0400
        KeyFilePermissions.check(keyWithMode(dir, "rwx--x--x")); // 0711: execute bits reveal nothing
    }

    @Test
    void groupOrOtherAccessIsRefusedWithTheModeAndTheFix(@TempDir Path dir) throws Exception {
        Path key = keyWithMode(dir, "rw-r-----");
        IOException e = assertThrows(IOException.class, () -> KeyFilePermissions.check(key));
        assertEquals(key + " is readable by group/others (mode 0640): a private key must be private (chmod 600 "
                + key + ")", e.getMessage());
        keyWithMode(dir, "rw----r--");
        assertEquals(key + " is readable by group/others (mode 0604): a private key must be private (chmod 600 "
                + key + ")", assertThrows(IOException.class, () -> KeyFilePermissions.check(key)).getMessage());
        keyWithMode(dir, "rw--w----");
        assertEquals(key + " is writable by group/others (mode 0620): a private key must be private (chmod 600 "
                + key + ")", assertThrows(IOException.class, () -> KeyFilePermissions.check(key)).getMessage());
        keyWithMode(dir, "rw-rw-rw-");
        assertEquals(key + " is readable and writable by group/others (mode 0666): a private key must be private "
                + "(chmod 600 " + key + ")", assertThrows(IOException.class, () -> KeyFilePermissions.check(key))
                .getMessage());
    }

    @Test
    void aMissingKeyIsNamed(@TempDir Path dir) {
        Path key = dir.resolve("absent.key");
        assertEquals(key + ": no such file", assertThrows(IOException.class, () -> KeyFilePermissions.check(key))
                .getMessage());
    }

    @Test
    void aSymlinkIsJudgedByTheKeyItPointsTo(@TempDir Path dir) throws Exception {
        Path key = keyWithMode(dir, "rw-r--r--");
        Path link = Files.createSymbolicLink(dir.resolve("link.key"), key);
        assertThrows(IOException.class, () -> KeyFilePermissions.check(link));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        KeyFilePermissions.check(link);
    }
}

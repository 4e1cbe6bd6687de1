package io.vipd.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the testbed's own setup commands (iproute2), each bounded in time. The daemon never shells out. */
public final class Shell {
    private Shell() {}

    public record Result(int exit, String output) {}

    public static Result run(List<String> command, long timeoutMs) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutMs + " ms: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed. */
    public static String ok(String... command) throws IOException {
        Result r = run(List.of(command), 20_000);
        if (r.exit() != 0) {
            throw new IOException("failed (" + r.exit() + "): " + String.join(" ", command) + "\n" + r.output());
        }
        return r.output();
    }

    /** Runs a command whose failure is fine (clean-up). */
    public static void quietly(String... command) {
        try {
            run(List.of(command), 20_000);
        } catch (IOException ignored) {
            // clean-up continues with the next item
        }
    }
}

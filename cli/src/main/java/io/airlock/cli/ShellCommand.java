package io.airlock.cli;

import io.airlock.sdk.Pty;
import io.airlock.sdk.Sandbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock sandbox shell ID}: an interactive shell in the sandbox over a pseudo-terminal.
 * The local terminal goes into raw mode (so keys like Ctrl-C reach the remote shell) and is
 * restored on the way out, whatever happens; the command exits with the shell's exit code.
 */
@Command(name = "shell", description = "Open an interactive shell in a sandbox.")
final class ShellCommand extends CliCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws Exception {
        Sandbox sbx = client().sandboxes().connect(id);
        int[] size = Terminal.size();
        OutputStream stdout = System.out;
        String saved = Terminal.raw();
        try (Pty pty = sbx.pty().create(size[0], size[1], data -> {
            try {
                stdout.write(data);
                stdout.flush();
            } catch (IOException e) {
                // our own terminal went away; the shell ends with the session
            }
        })) {
            Thread input = new Thread(() -> pump(System.in, pty), "shell-stdin"); // Java 17: no Thread.ofPlatform
            input.setDaemon(true);
            input.start();
            int code = pty.waitFor(Duration.ofDays(365));
            input.interrupt();
            return code;
        } finally {
            Terminal.restore(saved);
        }
    }

    private static void pump(InputStream in, Pty pty) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                pty.sendInput(java.util.Arrays.copyOf(buf, n));
            }
        } catch (IOException | RuntimeException e) {
            // stdin closed or the shell is gone: nothing more to send
        }
    }

    /** The local terminal, through {@code stty} on {@code /dev/tty}; a no-op when there is none. */
    static final class Terminal {
        private Terminal() {}

        /** Columns and rows, 80×24 without a terminal. */
        static int[] size() {
            String s = stty(List.of("size"));
            if (s != null && s.strip().matches("[1-9]\\d* [1-9]\\d*")) { // a fresh pty may say "0 0"
                String[] rc = s.strip().split(" ");
                return new int[] {Integer.parseInt(rc[1]), Integer.parseInt(rc[0])};
            }
            return new int[] {80, 24};
        }

        /** Puts the terminal in raw mode; returns the settings to restore, or null. */
        static String raw() {
            String saved = stty(List.of("-g"));
            if (saved != null) {
                stty(List.of("raw", "-echo"));
            }
            return saved == null ? null : saved.strip();
        }

        static void restore(String saved) {
            if (saved != null) {
                stty(List.of(saved));
            }
        }

        private static String stty(List<String> args) {
            if (!new java.io.File("/dev/tty").canRead()) {
                return null;
            }
            List<String> cmd = new java.util.ArrayList<>(List.of("stty"));
            cmd.addAll(args);
            try {
                Process p = new ProcessBuilder(cmd).redirectInput(new java.io.File("/dev/tty")).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                return p.waitFor() == 0 ? out : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}

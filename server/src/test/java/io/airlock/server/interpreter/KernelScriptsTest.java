package io.airlock.server.interpreter;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.BuildProgress;
import io.airlock.core.BuiltinTemplates;
import io.airlock.core.Template;
import io.airlock.runtime.TemplateCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kernels' own black-box tests: Python scripts under {@code src/test/resources} that start a
 * kernel in the code-interpreter template's rootfs (chroot as uid 1000, private mount namespace)
 * and check the line protocol event by event: streams, markers, interrupts, huge output, rich
 * results, env_vars. They reach edges the HTTP tests cannot aim at precisely.
 */
@Timeout(300)
class KernelScriptsTest {
    private static final Path SCRIPTS = Path.of("src/test/resources/io/airlock/server/interpreter").toAbsolutePath();
    private static Path rootfs;

    @BeforeAll
    static void template() {
        Path templates = Path.of(System.getProperty("airlock.test.templates", System.getProperty("user.home") + "/.airlock/templates"));
        Template t = TemplateCatalog.open(templates, Clock.systemUTC()).build(BuiltinTemplates.CODE_INTERPRETER, BuildProgress.NONE);
        rootfs = t.rootfs();
    }

    @Test
    void pythonKernel() throws Exception {
        run("python_kernel_test.py", rootfs.toString());
    }

    @Test
    void javascriptKernel() throws Exception {
        run("test_js_kernel.py");
    }

    private static void run(String script, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("python3", SCRIPTS.resolve(script).toString()).redirectErrorStream(true);
        pb.command().addAll(java.util.List.of(args));
        pb.environment().put("AIRLOCK_KERNEL_ROOTFS", rootfs.toString());
        Process p = pb.start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes(); // the scripts bound every wait themselves; the JUnit timeout is the backstop
        }
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String log = new String(out, StandardCharsets.UTF_8);
        System.out.println(log);
        assertThat(done).as("%s did not finish", script).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", script, log).isZero();
        assertThat(log).doesNotContain("FAIL");
    }
}

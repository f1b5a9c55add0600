package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** runCode and code contexts through the SDK, in one real code-interpreter sandbox. */
@Timeout(180)
class CodeInterpreterTest {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static Sandbox sbx;

    @BeforeAll
    static void start() {
        sbx = TestAirlock.shared().client().sandboxes()
                .create(SandboxSpec.builder().template("code-interpreter").timeout(Duration.ofMinutes(5)).build());
    }

    @AfterAll
    static void stop() {
        if (sbx != null) {
            sbx.close();
        }
    }

    @Test
    void runCode_python_statePersistsAndLogsAreKept() {
        Execution first = sbx.runCode("counter = 40\nprint('hello')");
        assertThat(first.logs().stdout()).containsExactly("hello\n");
        assertThat(first.text()).isEmpty();
        Execution second = sbx.runCode("counter + 2");
        assertThat(second.text()).contains("42");
        assertThat(second.error()).isEmpty();
        assertThat(second.executionCount()).isGreaterThan(first.executionCount());
    }

    @Test
    void runCode_matplotlib_returnsADecodedPng() {
        List<Result> streamed = new CopyOnWriteArrayList<>();
        Execution ex = sbx.runCode("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()",
                RunCodeOptions.builder().onResult(streamed::add).timeout(Duration.ofSeconds(90)).build());
        assertThat(ex.error()).isEmpty();
        Result chart = ex.results().stream().filter(r -> r.png().isPresent()).findFirst().orElseThrow();
        byte[] png = chart.png().orElseThrow();
        assertThat(png).startsWith(PNG_MAGIC);
        assertThat(png.length).isGreaterThan(1000);
        assertThat(chart.formats()).contains("png");
        assertThat(streamed).hasSameSizeAs(ex.results());
    }

    @Test
    void runCode_raising_reportsTheErrorWithTraceback() {
        Execution ex = sbx.runCode("def f():\n    return 1 / 0\nf()");
        ExecutionError error = ex.error().orElseThrow();
        assertThat(error.name()).isEqualTo("ZeroDivisionError");
        assertThat(error.value()).contains("division by zero");
        assertThat(error.traceback()).contains("f()");
    }

    @Test
    void runCode_streamsStdoutAndUsesPerCallEnv() {
        List<String> out = new CopyOnWriteArrayList<>();
        Execution ex = sbx.runCode("import os\nprint(os.environ['PER_CALL'])",
                RunCodeOptions.builder().env(Map.of("PER_CALL", "only now")).onStdout(out::add).build());
        assertThat(String.join("", out)).isEqualTo("only now\n");
        assertThat(ex.logs().stdout()).isEqualTo(out);
    }

    @Test
    void runCode_javascriptContext_keepsStateWithTopLevelAwait() {
        CodeContext js = sbx.createCodeContext("javascript", "/home/user");
        assertThat(js.language()).isEqualTo("javascript");
        RunCodeOptions inJs = RunCodeOptions.builder().context(js).build();
        sbx.runCode("let n = await Promise.resolve(41)", inJs);
        assertThat(sbx.runCode("n + 1", inJs).text()).contains("42");
        assertThat(sbx.listCodeContexts()).extracting(CodeContext::id).contains(js.id());

        sbx.restartCodeContext(js);
        assertThat(sbx.runCode("typeof n", inJs).text()).contains("undefined");
        sbx.removeCodeContext(js);
        assertThat(sbx.listCodeContexts()).extracting(CodeContext::id).doesNotContain(js.id());
        assertThatThrownBy(() -> sbx.runCode("1", inJs)).isInstanceOf(NotFoundException.class).hasMessageContaining(js.id());
    }

    @Test
    void runCode_byLanguage_runsInThatLanguagesDefaultContext() {
        assertThat(sbx.runCode("[1, 2].map(x => x * 2).join(',')", RunCodeOptions.builder().language("javascript").build()).text())
                .contains("2,4");
    }

    @Test
    void runCode_pastItsTimeout_throwsTimeoutAndTheContextKeepsItsState() {
        CodeContext py = sbx.createCodeContext("python", "/tmp");
        RunCodeOptions opts = RunCodeOptions.builder().context(py).timeout(Duration.ofSeconds(2)).build();
        sbx.runCode("kept = 'yes'", opts);
        assertThatThrownBy(() -> sbx.runCode("import time\ntime.sleep(60)", opts)).isInstanceOf(TimeoutException.class);
        assertThat(sbx.runCode("kept", RunCodeOptions.builder().context(py).timeout(Duration.ofSeconds(30)).build()).text())
                .contains("yes");
    }

    @Test
    void createCodeContext_missingDirectory_throwsInvalidRequest() {
        assertThatThrownBy(() -> sbx.createCodeContext("python", "/no/such/dir")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("/no/such/dir");
    }
}

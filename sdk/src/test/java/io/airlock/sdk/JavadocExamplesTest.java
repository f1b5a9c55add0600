package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The Javadoc examples of the SDK's public types are the ones in {@link JavadocExamples}, which the
 * compiler checks; every public type has one; and the examples that need nothing but a client or a
 * sandbox run against a real server.
 */
class JavadocExamplesTest {
    private static final Path MAIN = Path.of("src/main/java/io/airlock/sdk");
    private static final Path COPY = Path.of("src/test/java/io/airlock/sdk/JavadocExamples.java");

    /**
     * Public types whose Javadoc has no example, each with the reason an example would add nothing.
     * Empty today: every public type has one. Add a type here only with such a reason.
     */
    private static final Map<String, String> NO_EXAMPLE_NEEDED = Map.of();

    private static final Pattern PUBLIC_TOP_LEVEL_TYPE = Pattern.compile(
            "^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|interface|enum|record|@interface)\\s+(\\w+)",
            Pattern.MULTILINE);
    private static final Pattern JAVADOC = Pattern.compile("/\\*\\*.*?\\*/", Pattern.DOTALL);
    private static final Pattern EXAMPLE = Pattern.compile("<pre>\\{@code\\s*\\n(.*?)\\}</pre>", Pattern.DOTALL);

    @Test
    void everyJavadocExample_isCompiledVerbatimInJavadocExamples() throws IOException {
        String copy = normalize(Files.readString(COPY));
        Map<String, List<String>> examples = examplesBySource();
        assertThat(examples).as("Javadoc examples found under " + MAIN.toAbsolutePath()).hasSizeGreaterThan(30);
        List<String> missing = new ArrayList<>();
        examples.forEach((source, blocks) -> blocks.stream()
                .filter(block -> !copy.contains(normalize(block)))
                .forEach(block -> missing.add(source + ":\n" + block)));
        assertThat(missing)
                .as("Javadoc examples that differ from their copy in JavadocExamples.java; change both together")
                .isEmpty();
        long copies = Pattern.compile("^    static void \\w+\\(", Pattern.MULTILINE).matcher(Files.readString(COPY)).results().count();
        assertThat(copies)
                .as("one method in JavadocExamples.java per Javadoc example: remove copies whose example is gone")
                .isEqualTo(examples.values().stream().mapToLong(List::size).sum());
    }

    @Test
    void everyPublicType_hasAJavadocExample() throws IOException {
        Map<String, List<String>> examples = examplesBySource();
        List<String> publicTypes = publicTypes();
        assertThat(publicTypes).hasSizeGreaterThan(30).contains("AirlockClient", "Sandbox", "EntryType");
        assertThat(publicTypes.stream().filter(t -> !examples.containsKey(t) && !NO_EXAMPLE_NEEDED.containsKey(t)))
                .as("public types without a <pre>{@code ...}</pre> example in their Javadoc")
                .isEmpty();
        assertThat(NO_EXAMPLE_NEEDED.keySet())
                .as("NO_EXAMPLE_NEEDED lists only public types that indeed have no example")
                .allSatisfy(t -> assertThat(publicTypes).contains(t))
                .allSatisfy(t -> assertThat(examples).doesNotContainKey(t));
    }

    @Test
    void extraction_findsExamplesAndUnescapesThem() {
        String javadoc = """
                /**
                 * Text.
                 *
                 * <pre>{@code
                 * &#64;Test void t() {
                 *     if (a &lt; b) run();
                 * }
                 * }</pre>
                 */
                """;
        assertThat(examples(javadoc)).containsExactly("@Test void t() {\n    if (a < b) run();\n}");
        assertThat(normalize(" a\n   b\tc  ")).isEqualTo("a b c");
    }

    @Test
    void sandboxSpecExample_builds() {
        JavadocExamples.sandboxSpec();
    }

    /** The examples that need only a client, run against the test server. */
    @Nested
    @Timeout(180)
    class WithAClient {
        private final AirlockClient client = TestAirlock.shared().client();

        @Test
        void errorExamples_raiseWhatTheySay() {
            JavadocExamples.airlockException(client);
            JavadocExamples.invalidRequestException(client);
            assertThatThrownBy(() -> JavadocExamples.notFoundException(client)).isInstanceOf(NotFoundException.class);
        }

        @Test
        void listingExamples_run() {
            JavadocExamples.page(client);
            JavadocExamples.listOptions(client);
            JavadocExamples.secretInfo(client);
        }

        @Test
        void sandboxExamples_run() {
            JavadocExamples.sandboxes(client);
            JavadocExamples.sandbox(client);
        }
    }

    /** The examples that need only a code-interpreter sandbox, run in one. */
    @Nested
    @Timeout(180)
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class InASandbox {
        private Sandbox sbx;

        @BeforeAll
        void start() {
            sbx = TestAirlock.shared().client().sandboxes()
                    .create(SandboxSpec.builder().template("code-interpreter").timeout(Duration.ofMinutes(5)).build());
        }

        @AfterAll
        void stop() {
            if (sbx != null) {
                sbx.close();
            }
        }

        @Test
        void commandExamples_run() {
            JavadocExamples.commandResult(sbx);   // asserts its own result: surefire enables assertions
            JavadocExamples.commands(sbx);
            JavadocExamples.commandHandle(sbx);
            JavadocExamples.commandExitException(sbx);
            JavadocExamples.processInfo(sbx);
            JavadocExamples.sandboxException(sbx);
            JavadocExamples.timeoutException(sbx);
        }

        @Test
        void fileExamples_run() {
            JavadocExamples.sandboxFiles(sbx);
            JavadocExamples.conflictException(sbx);
            JavadocExamples.entryType(sbx);
            sbx.files().write("/home/user/a.txt", "hello");
            JavadocExamples.entryInfo(sbx);
            JavadocExamples.watchHandle(sbx);
            JavadocExamples.fileEvent(sbx);
        }

        @Test
        void codeExamples_run() {
            JavadocExamples.execution(sbx);
            JavadocExamples.executionError(sbx);
            JavadocExamples.logs(sbx);
            JavadocExamples.codeContext(sbx);
            JavadocExamples.runCodeOptions(sbx);
        }

        @Test
        void lifecycleAndPtyExamples_run() {
            JavadocExamples.sandboxInfo(sbx);
            JavadocExamples.sandboxState(sbx);
            JavadocExamples.ptys(sbx);
            JavadocExamples.pty(sbx);
        }
    }

    /** The examples of every main source file whose top-level type is public, by type name. */
    private static Map<String, List<String>> examplesBySource() throws IOException {
        Map<String, List<String>> bySource = new TreeMap<>();
        for (Path file : sources()) {
            String text = Files.readString(file);
            String name = file.getFileName().toString().replace(".java", "");
            if (name.equals("package-info") || publicTypeOf(text) != null) {
                List<String> blocks = examples(text);
                if (!blocks.isEmpty()) {
                    bySource.put(name, blocks);
                }
            }
        }
        return bySource;
    }

    private static List<String> publicTypes() throws IOException {
        List<String> types = new ArrayList<>();
        for (Path file : sources()) {
            String type = publicTypeOf(Files.readString(file));
            if (type != null) {
                assertThat(file.getFileName()).hasToString(type + ".java");
                types.add(type);
            }
        }
        return types;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.list(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String publicTypeOf(String source) {
        Matcher m = PUBLIC_TOP_LEVEL_TYPE.matcher(source);
        return m.find() ? m.group(1) : null;
    }

    /** The {@code <pre>{@code ...}</pre>} blocks of a source's Javadoc comments, as code. */
    static List<String> examples(String source) {
        List<String> blocks = new ArrayList<>();
        Matcher javadoc = JAVADOC.matcher(source);
        while (javadoc.find()) {
            Matcher example = EXAMPLE.matcher(javadoc.group());
            while (example.find()) {
                String code = example.group(1).lines()
                        .map(line -> line.replaceFirst("^\\s*\\* ?", ""))
                        .reduce((a, b) -> a + "\n" + b).orElse("");
                blocks.add(unescape(code).strip());
            }
        }
        return blocks;
    }

    private static String unescape(String html) {
        return html.replace("&#64;", "@").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&#123;", "{").replace("&#125;", "}").replace("&amp;", "&");
    }

    private static String normalize(String code) {
        return code.replaceAll("\\s+", " ").strip();
    }
}

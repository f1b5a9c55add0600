package io.airlock.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The example of sdk/README.md, compiled and run, so the documentation cannot rot. */
@Timeout(120)
class ReadmeExampleTest {
    @Test
    void readmeExample_runs() {
        String url = TestAirlock.shared().url();
        String apiKey = TestAirlock.shared().adminKey();
        // --- README example starts here ---
        AirlockClient client = AirlockClient.builder()
                .url(url)                         // else AIRLOCK_URL, else E2B_API_URL
                .apiKey(apiKey)                   // else AIRLOCK_API_KEY, else E2B_API_KEY
                .requestTimeout(Duration.ofSeconds(30))
                .build();

        SandboxSpec spec = SandboxSpec.builder()
                .template("code-interpreter")
                .timeout(Duration.ofMinutes(5))
                .metadata(Map.of("job", "readme"))
                .build();
        try (Sandbox sbx = client.sandboxes().create(spec)) {          // close() kills it
            CommandResult r = sbx.commands().run("python3 -c 'print(1 + 1)'");
            System.out.println(r.stdout());                            // 2

            sbx.files().write("/home/user/data.csv", "a,b\n1,2\n3,4\n");
            List<EntryInfo> entries = sbx.files().list("/home/user");

            Execution ex = sbx.runCode("import pandas as pd\npd.read_csv('data.csv').a.sum()");
            System.out.println(ex.text().orElse(""));                 // 4
            // --- README example ends here ---
            assertThat(r.stdout()).isEqualTo("2\n");
            assertThat(entries).extracting(EntryInfo::name).contains("data.csv");
            assertThat(ex.text()).contains("4");
        }
    }
}

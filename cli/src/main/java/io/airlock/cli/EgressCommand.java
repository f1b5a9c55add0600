package io.airlock.cli;

import io.airlock.sdk.EgressAudit;
import io.airlock.sdk.EgressEvent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code airlock egress ID}: a sandbox's egress audit and the allowlist learn mode proposes. */
@Command(name = "egress", description = "Show a sandbox's egress decisions and the proposed allowlist.")
final class EgressCommand extends CliCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        EgressAudit audit = client().sandboxes().egress(id);
        if (json()) {
            printJson(audit);
            return 0;
        }
        for (EgressEvent e : audit.events()) {
            out().printf("%s %-5s %-4s %-30s %-22s %s (out %d B, in %d B)%n", e.at(), e.allowed() ? "allow" : "deny", e.protocol(),
                    e.name() == null ? "-" : e.name(), (e.address() == null ? "-" : e.address()) + ":" + e.port(), e.reason(),
                    e.bytesOut(), e.bytesIn());
        }
        out().println("proposed allowOut: " + audit.proposedAllowOut());
        return 0;
    }
}

package io.airlock.store.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.crypto.Aead;
import io.airlock.core.crypto.DataKeys;
import io.airlock.core.crypto.MasterKeys;
import io.airlock.core.workspace.Checkout;
import io.airlock.core.workspace.CommitResult.Outcome;
import io.airlock.core.workspace.WorkspaceLimits;
import io.airlock.core.workspace.Workspaces;
import io.airlock.store.Store;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commit, re-commit, partial change, checkout and export of 1,000 files / 10 MiB through the
 * store on SQLite, timed (printed) and bounded loosely so a pathological slowdown fails.
 */
class CommitTimingTest {
    @TempDir
    Path tmp;

    @Test
    void thousandFilesTenMebibytes() throws Exception {
        try (Store store = Store.sqlite(tmp.resolve("db/airlock.db"))) {
            Workspaces ws = store.workspaces(new DataKeys(MasterKeys.of(Aead.newKey()), store.wrappedKeys()), tmp.resolve("ws"),
                    WorkspaceLimits.standard());
            ws.create("t", "big");
            Path dir = Files.createDirectories(tmp.resolve("dir"));
            Checkout c = ws.checkout("t", "big", null, true, dir, WorkspaceStoreContract.uid(), WorkspaceStoreContract.gid());
            Random r = new Random(1);
            for (int i = 0; i < 1000; i++) {
                byte[] b = new byte[10 * 1024 + 246]; // 1,000 files, 10 MiB in all
                r.nextBytes(b);
                Path f = dir.resolve("d" + (i % 20)).resolve("f" + i + ".bin");
                Files.createDirectories(f.getParent());
                Files.write(f, b);
            }
            long t0 = System.nanoTime();
            var first = ws.commit(c, dir, "timing");
            long t1 = System.nanoTime();
            assertThat(first.outcome()).isEqualTo(Outcome.COMMITTED);
            assertThat(first.version().files()).isEqualTo(1000);
            assertThat(first.version().bytes()).isEqualTo(1000L * (10 * 1024 + 246));
            Checkout c2 = new Checkout(c.workspaceId(), "t", "big", 1, true);
            var again = ws.commit(c2, dir, "timing");
            long t2 = System.nanoTime();
            assertThat(again.outcome()).isEqualTo(Outcome.UNCHANGED);
            for (int i = 0; i < 10; i++) {
                Files.writeString(dir.resolve("d" + i).resolve("f" + i + ".bin"), "changed " + i);
            }
            long t3 = System.nanoTime();
            var some = ws.commit(c2, dir, "timing");
            long t4 = System.nanoTime();
            assertThat(some.version().changes()).hasSize(10);
            Path out = Files.createDirectories(tmp.resolve("out"));
            ws.checkout("t", "big", null, false, out, WorkspaceStoreContract.uid(), WorkspaceStoreContract.gid());
            long t5 = System.nanoTime();
            ws.exportArchive("t", "big", 0, OutputStream.nullOutputStream());
            long t6 = System.nanoTime();
            System.out.printf("workspace timing (1,000 files, 10 MiB): commit %d ms, unchanged re-commit %d ms, 10 changed %d ms,"
                    + " checkout %d ms, export %d ms%n", ms(t1 - t0), ms(t2 - t1), ms(t4 - t3), ms(t5 - t4), ms(t6 - t5));
            assertThat(ms(t1 - t0)).isLessThan(60_000);
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }
}

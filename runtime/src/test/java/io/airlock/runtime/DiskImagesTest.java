package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Resources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden ext4 images are made once per size; per-sandbox copies are sparse, identical and fast. */
class DiskImagesTest {
    private static final long SIZE = 256 * Resources.MIB;

    @TempDir
    Path dir;

    @Test
    void create_isSparseByteForByteCopyOfTheGolden() throws Exception {
        DiskImages disks = new DiskImages(dir.resolve("disks"));
        Path image = dir.resolve("a.img");

        disks.create(image, SIZE);

        Path golden = disks.goldenPath(SIZE);
        assertThat(image).hasSize(SIZE);
        assertThat(Files.mismatch(image, golden)).isEqualTo(-1);
        assertThat(allocatedBytes(image)).as("allocated bytes of the copy").isLessThan(2 * Resources.MIB);
        assertThat(disks.goldenDataBytes(SIZE)).isPositive().isLessThan(2 * Resources.MIB);
        assertThat(Files.getPosixFilePermissions(image)).hasSize(2);
        assertThat(run("e2fsck", "-fn", image.toString())).as("e2fsck finds a consistent ext4").contains("13/", "files");
        assertThat(exitCode("e2fsck", "-fn", image.toString())).isZero();
        assertThat(run("debugfs", "-R", "ls -l /", image.toString())).contains(" upper", " work");
    }

    @Test
    void create_makesTheGoldenOncePerSizeAndRoundsToBlocks() throws IOException {
        DiskImages disks = new DiskImages(dir.resolve("disks"));
        disks.create(dir.resolve("a.img"), SIZE);
        FileTime made = Files.getLastModifiedTime(disks.goldenPath(SIZE));

        new DiskImages(dir.resolve("disks")).create(dir.resolve("b.img"), SIZE);
        disks.create(dir.resolve("c.img"), SIZE - 100);

        assertThat(Files.getLastModifiedTime(disks.goldenPath(SIZE))).isEqualTo(made);
        assertThat(dir.resolve("c.img")).hasSize(SIZE);
        try (var files = Files.list(dir.resolve("disks"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("golden-" + SIZE + ".img");
        }
    }

    @Test
    void create_latency_comparedWithCpSparse() throws Exception {
        DiskImages disks = new DiskImages(dir.resolve("disks"));
        disks.create(dir.resolve("warm.img"), SIZE);
        List<Long> ours = new ArrayList<>();
        List<Long> cp = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            disks.create(dir.resolve("ours-" + i + ".img"), SIZE);
            long t1 = System.nanoTime();
            run("cp", "--sparse=always", disks.goldenPath(SIZE).toString(), dir.resolve("cp-" + i + ".img").toString());
            long t2 = System.nanoTime();
            ours.add(t1 - t0);
            cp.add(t2 - t1);
        }
        Collections.sort(ours);
        Collections.sort(cp);

        System.out.printf("disk image copy of %d MiB (min / median ms): in-process extents %.2f / %.2f, cp --sparse=always %.2f / %.2f%n",
                SIZE / Resources.MIB, ours.getFirst() / 1e6, ours.get(10) / 1e6, cp.getFirst() / 1e6, cp.get(10) / 1e6);
        assertThat(Files.mismatch(dir.resolve("ours-0.img"), dir.resolve("cp-0.img"))).isEqualTo(-1);
    }

    private static long allocatedBytes(Path file) throws Exception {
        return Long.parseLong(run("stat", "-c", "%b", file.toString()).strip()) * 512;
    }

    private static int exitCode(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}

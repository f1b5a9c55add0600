package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.EntryInfo;
import io.airlock.core.FileEvent;
import io.airlock.core.FileWatch;
import io.airlock.core.SandboxFileException;
import io.airlock.core.SandboxFileException.Reason;
import io.airlock.core.SandboxFiles;
import io.airlock.core.Tier;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * File calls, and SECURITY.md series H: nothing a sandbox plants makes a file call touch the
 * host. Each attack uses a host canary file that must stay unread and unchanged.
 */
class SandboxFilesTest {
    private static final String TIERS = "io.airlock.runtime.SandboxFixture#tiers";
    private static SandboxFixture fx;
    private static Path canary;
    private static final String CANARY_TEXT = "host-secret-" + System.nanoTime();

    @BeforeAll
    static void open() throws Exception {
        fx = SandboxFixture.open();
        canary = Files.createTempFile("airlock-canary", ".txt");
        Files.writeString(canary, CANARY_TEXT);
    }

    @AfterAll
    static void close() throws Exception {
        fx.close();
        fx.assertNoLeaks();
        assertThat(Files.readString(canary)).isEqualTo(CANARY_TEXT);
        Files.delete(canary);
    }

    private static String read(SandboxFiles f, String path) throws Exception {
        try (InputStream in = f.read(path, "user")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static EntryInfo write(SandboxFiles f, String path, String text) {
        return f.write(path, "user", new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), Map.of());
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void writeRead_largeBinary_roundTripsByHash(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);
        byte[] data = new byte[20 << 20];
        new Random(7).nextBytes(data);

        // gVisor (this runsc) has no user xattrs, so metadata is a runc-tier feature for now
        Map<String, String> metadata = tier == Tier.RUNC ? Map.of("k", "v") : Map.of();
        EntryInfo info = f.write("/home/user/data/blob.bin", "user", new ByteArrayInputStream(data), metadata);

        assertThat(info.size()).isEqualTo(data.length);
        assertThat(info.owner()).isEqualTo("user");
        assertThat(f.stat("/home/user/data/blob.bin", "user").metadata()).isEqualTo(metadata);
        try (InputStream in = f.read("data/blob.bin", "user")) {
            assertThat(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()))
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        }
        assertThat(fx.sh(id, "sha256sum < /home/user/data/blob.bin | cut -c1-16").stdout().trim())
                .isEqualTo(java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).substring(0, 16));
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void statListMkdirMoveRemove_behave(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);

        f.makeDir("/home/user/a/b/c", "user");
        write(f, "/home/user/a/one.txt", "1");
        write(f, "/home/user/a/b/two.txt", "22");
        assertThatThrownBy(() -> f.makeDir("/home/user/a", "user"))
                .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.ALREADY_EXISTS);

        assertThat(f.list("/home/user/a", 1, "user")).extracting(EntryInfo::name).containsExactlyInAnyOrder("b", "one.txt");
        assertThat(f.list("/home/user/a", 3, "user")).extracting(EntryInfo::path)
                .contains("/home/user/a/b/two.txt", "/home/user/a/b/c");
        assertThat(f.stat("/home/user/a/b/two.txt", "user").size()).isEqualTo(2);
        assertThat(f.stat("/home/user/a/b", "user").type()).isEqualTo(EntryInfo.Type.DIRECTORY);

        EntryInfo moved = f.move("/home/user/a/one.txt", "/home/user/a/b/c/uno.txt", "user");
        assertThat(moved.path()).isEqualTo("/home/user/a/b/c/uno.txt");
        assertThat(read(f, "/home/user/a/b/c/uno.txt")).isEqualTo("1");

        f.remove("/home/user/a", "user");
        assertThatThrownBy(() -> f.stat("/home/user/a", "user"))
                .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.NOT_FOUND);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void permissions_userCannotWriteRootFiles(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);

        assertThatThrownBy(() -> write(f, "/etc/passwd", "evil"))
                .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.PERMISSION_DENIED);
        assertThatThrownBy(() -> read(f, "/etc/shadow"))
                .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.PERMISSION_DENIED);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void diskFull_writeReportsNoSpace(Tier tier) throws Exception {
        String id = fx.create(io.airlock.core.SandboxRequest.of("base").withTier(tier)
                .withResources(new io.airlock.core.Resources(1, 256 * io.airlock.core.Resources.MIB, 64, 32 * io.airlock.core.Resources.MIB)));
        SandboxFiles f = fx.service.files(id);

        assertThatThrownBy(() -> f.write("/home/user/big", "user", new ByteArrayInputStream(new byte[64 << 20]), Map.of()))
                .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.NO_SPACE);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void h01_readThroughSymlinkToHostPath_seesOnlySandbox(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);
        fx.sh(id, "ln -s " + canary + " /home/user/link; ln -s /proc/1/root" + canary + " /home/user/magic; "
                + "ln -s ../../../../../../../../" + canary + " /home/user/rel");

        for (String link : List.of("/home/user/link", "/home/user/magic", "/home/user/rel", "/home/user/../../../../" + canary)) {
            assertThatThrownBy(() -> read(f, link)).as(link)
                    .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.NOT_FOUND);
        }
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void h02_h03_writeThroughSymlinks_staysInside(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);
        Path hostDir = canary.getParent();
        fx.sh(id, "ln -s " + hostDir + " /home/user/dirlink; ln -s " + canary + " /home/user/filelink");

        write(f, "/home/user/dirlink/planted.txt", "x");
        write(f, "/home/user/filelink", "overwritten");

        assertThat(Files.exists(hostDir.resolve("planted.txt"))).isFalse();
        assertThat(Files.readString(canary)).isEqualTo(CANARY_TEXT);
        assertThat(fx.root(id, "cat " + canary).stdout()).isEqualTo("overwritten");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void h05_hardlinkToTemplateFile_writeDoesNotReachTemplate(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);
        Path templatePasswd = fx.templates.find("base").orElseThrow().rootfs().resolve("etc/passwd");
        String before = Files.readString(templatePasswd);
        fx.root(id, "ln /etc/passwd /home/user/hl && chown user /home/user/hl");

        write(f, "/home/user/hl", "clobbered");

        assertThat(Files.readString(templatePasswd)).isEqualTo(before);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void h06_fifoAndDevices_refusedWithoutBlocking(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);
        fx.sh(id, "mkfifo /home/user/pipe; ln -s /dev/zero /home/user/zero");

        for (String p : List.of("/home/user/pipe", "/dev/zero", "/home/user/zero", "/dev/urandom")) {
            assertThatThrownBy(() -> read(f, p)).as(p)
                    .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.NOT_REGULAR_FILE);
        }
        assertThatThrownBy(() -> write(f, "/home/user/pipe", "x"))
                .isInstanceOf(SandboxFileException.class).extracting("reason").isEqualTo(Reason.NOT_REGULAR_FILE);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void h04_symlinkSwapRace_neverReachesHost(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);
        fx.sh(id, "mkdir -p /home/user/race/real && echo inside > /home/user/race/real/f && ln -s " + canary.getParent()
                + " /home/user/race/evil");
        fx.service.spawn(id, new io.airlock.core.ProcessSpec(List.of("/bin/bash", "-c",
                "cd /home/user/race; while :; do mv -T real tmp; mv -T evil real; mv -T real evil; mv -T tmp real; done"),
                Map.of(), "", "user", false, null, ""));

        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            try {
                seen.add(read(f, "/home/user/race/real/" + canary.getFileName()));
            } catch (SandboxFileException e) {
                // NOT_FOUND when the swap is mid-way or the link points at the (sandbox's) tmp dir
            }
            try {
                seen.add(read(f, "/home/user/race/real/f"));
            } catch (SandboxFileException e) {
                // the swap moved it
            }
        }

        assertThat(seen).doesNotContain(CANARY_TEXT).contains("inside\n");
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void h08_pathBattery_rejectedOrConfined(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);

        for (String p : List.of("../../../../" + canary, "/home/user/%2e%2e/%2e%2e" + canary, canary.toString(), "/proc/self/root" + canary)) {
            assertThatThrownBy(() -> read(f, p)).as(p).isInstanceOf(SandboxFileException.class);
        }
        assertThatThrownBy(() -> read(f, "/home/user/a\0b")).isInstanceOf(SandboxFileException.class)
                .extracting("reason").isEqualTo(Reason.INVALID_PATH);
        fx.service.kill(id);
    }

    @ParameterizedTest
    @MethodSource(TIERS)
    void watch_reportsCreateWriteRenameChmodRemove(Tier tier) throws Exception {
        String id = fx.create(tier);
        SandboxFiles f = fx.service.files(id);
        f.makeDir("/home/user/w", "user");

        List<FileEvent> events = new ArrayList<>();
        try (FileWatch w = f.watch("/home/user/w", true, "user")) {
            fx.sh(id, "cd /home/user/w; echo a > x; mkdir sub; sleep 0.3; echo b > sub/y; mv x z; chmod 600 z; rm z");
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until && events.stream().noneMatch(e -> e.type() == FileEvent.Type.REMOVE && e.name().equals("z"))) {
                Optional<FileEvent> e = w.next(Duration.ofMillis(500));
                e.ifPresent(events::add);
            }
        }

        assertThat(events).contains(
                new FileEvent(FileEvent.Type.CREATE, "x"),
                new FileEvent(FileEvent.Type.WRITE, "x"),
                new FileEvent(FileEvent.Type.CREATE, "sub"),
                new FileEvent(FileEvent.Type.CREATE, "sub/y"),
                new FileEvent(FileEvent.Type.RENAME, "x"),
                new FileEvent(FileEvent.Type.CREATE, "z"),
                new FileEvent(FileEvent.Type.CHMOD, "z"),
                new FileEvent(FileEvent.Type.REMOVE, "z"));
        fx.service.kill(id);
    }
}

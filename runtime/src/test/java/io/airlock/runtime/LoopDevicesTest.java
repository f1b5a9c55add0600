package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loop devices attached by ioctl free themselves when their mount goes (autoclear). */
class LoopDevicesTest {
    @TempDir
    Path dir;

    @AfterEach
    void cleanUp() {
        Mounts.under(dir).forEach(Mounts::unmount);
        LoopDevices.backedBy(dir).forEach(b -> LoopDevices.detach(b.device()));
    }

    private Path image() {
        Path image = dir.resolve("disk.img");
        new DiskImages(dir.resolve("disks")).create(image, 32 * Resources.MIB);
        return image;
    }

    @Test
    void attach_bindsTheImage_andClosingWithoutAMountDetachesIt() {
        Path image = image();

        try (LoopDevices.Attached loop = LoopDevices.attach(image)) {
            assertThat(LoopDevices.backedBy(dir)).singleElement().satisfies(b -> {
                assertThat(b.device()).isEqualTo(loop.device());
                assertThat(b.backingFile()).isEqualTo(image);
            });
        }

        assertThat(LoopDevices.backedBy(dir)).isEmpty();
    }

    @Test
    void mountedDevice_staysBoundUntilUnmounted() throws IOException {
        Path image = image();
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        try (LoopDevices.Attached loop = LoopDevices.attach(image)) {
            Mounts.mountExt4(loop.device(), mountPoint);
        }
        assertThat(LoopDevices.backedBy(dir)).hasSize(1);
        assertThat(mountPoint.resolve("upper")).isDirectory();
        assertThat(mountPoint.resolve("work")).isDirectory();

        assertThat(Mounts.unmount(mountPoint)).isTrue();

        assertThat(LoopDevices.backedBy(dir)).isEmpty();
    }

    @Test
    void attach_twoImages_getDistinctDevices() {
        Path a = image();
        Path b = dir.resolve("b.img");
        new DiskImages(dir.resolve("disks")).create(b, 32 * Resources.MIB);

        try (LoopDevices.Attached first = LoopDevices.attach(a);
                LoopDevices.Attached second = LoopDevices.attach(b)) {
            assertThat(first.number()).isNotEqualTo(second.number());
            assertThat(LoopDevices.backedBy(dir)).hasSize(2);
        }
    }

    @Test
    void detach_ofAFreeDevice_isANoOp() {
        Path image = image();
        Path device;
        try (LoopDevices.Attached loop = LoopDevices.attach(image)) {
            device = loop.device();
        }

        LoopDevices.detach(device);
        LoopDevices.detach(Path.of("/dev/loop-no-such-device"));

        assertThat(LoopDevices.backedBy(dir)).isEmpty();
    }
}

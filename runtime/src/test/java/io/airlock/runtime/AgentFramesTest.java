package io.airlock.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.EntryInfo;
import io.airlock.core.FileEvent;
import io.airlock.core.RuntimeFailureException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentFramesTest {
    @Test
    void encode_readBack_roundTrips() throws IOException {
        AgentFrame frame = new AgentEncoder().u8(3).u16(80).u32(0xFFFF_FFFFL).str("héllo").frame(AgentFrame.SPAWN, 0x8000_0001);

        byte[] wire = AgentFrames.encode(frame);
        AgentFrame back = AgentFrames.read(stream(wire)).orElseThrow();

        assertThat(wire).startsWith(0, 0, 0, 5 + frame.payload().length, AgentFrame.SPAWN, 0x80, 0, 0, 1);
        assertThat(back.type()).isEqualTo(AgentFrame.SPAWN);
        assertThat(back.chan()).isEqualTo(0x8000_0001);
        AgentDecoder d = back.decoder();
        assertThat(d.u8()).isEqualTo(3);
        assertThat(d.u32() >>> 16).isEqualTo(80);
    }

    @Test
    void read_emptyStream_isEmpty() throws IOException {
        assertThat(AgentFrames.read(stream(new byte[0]))).isEmpty();
    }

    @Test
    void read_twoFrames_readsBothInOrder() throws IOException {
        byte[] a = AgentFrames.encode(AgentFrame.of(AgentFrame.FS_END, 7));
        byte[] b = AgentFrames.encode(new AgentEncoder().bytes(new byte[] {1, 2}, 0, 2).frame(AgentFrame.STDOUT, 8));
        DataInputStream in = stream(concat(a, b));

        assertThat(AgentFrames.read(in).map(AgentFrame::chan)).contains(7);
        assertThat(AgentFrames.read(in).map(AgentFrame::payload)).hasValueSatisfying(p -> assertThat(p).containsExactly(1, 2));
        assertThat(AgentFrames.read(in)).isEmpty();
    }

    @Test
    void read_lengthBelowHeader_fails() {
        byte[] wire = ByteBuffer.allocate(8).putInt(4).put((byte) 0x80).putShort((short) 0).array();

        assertThatThrownBy(() -> AgentFrames.read(stream(wire))).isInstanceOf(IOException.class).hasMessageContaining("length 4");
    }

    @Test
    void read_lengthAboveLimit_fails() {
        byte[] wire = ByteBuffer.allocate(4).putInt(AgentFrames.MAX_FRAME + 1).array();

        assertThatThrownBy(() -> AgentFrames.read(stream(wire))).isInstanceOf(IOException.class).hasMessageContaining("length 1048577");
    }

    @Test
    void read_truncatedFrame_failsWithEof() {
        byte[] wire = AgentFrames.encode(new AgentEncoder().str("abcdef").frame(AgentFrame.PONG, 1));

        assertThatThrownBy(() -> AgentFrames.read(stream(Arrays.copyOf(wire, wire.length - 2)))).isInstanceOf(EOFException.class);
    }

    @Test
    void encode_oversizedPayload_isRejected() {
        AgentFrame frame = new AgentFrame(AgentFrame.FS_WDATA, 1, new byte[AgentFrames.MAX_FRAME]);

        assertThatThrownBy(() -> AgentFrames.encode(frame)).hasMessageContaining("FS_WDATA").hasMessageContaining("1048576");
    }

    @Test
    void decoder_entry_decodesEveryField() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("k", "v");
        meta.put("owner", "ünï");
        AgentFrame frame = new AgentEncoder()
                .str("f.txt").str("/home/user/f.txt").u8(3)
                .u32(0).u32(1234) // size:u64
                .u32(0120777).str("user").str("staff")
                .u32(0x4_0000_0000L >>> 32).u32(-1L & 0xFFFF_FFFFL) // mtime_ns:i64 = 0x4FFFFFFFF
                .str("target").pairs(meta)
                .frame(AgentFrame.FS_ENTRY, 5);

        EntryInfo e = frame.decoder().entry();

        assertThat(e).isEqualTo(new EntryInfo("f.txt", "/home/user/f.txt", EntryInfo.Type.SYMLINK, 1234, 0120777, "user", "staff",
                Instant.ofEpochSecond(0, 0x4_FFFF_FFFFL), "target", meta));
        assertThat(e.permissions()).isEqualTo(0777);
    }

    @Test
    void decoder_event_decodesTypeAndName() {
        AgentFrame frame = new AgentEncoder().u8(4).str("sub/x").frame(AgentFrame.FS_EVENT, 5);

        assertThat(frame.decoder().event()).isEqualTo(new FileEvent(FileEvent.Type.RENAME, "sub/x"));
    }

    @Test
    void decoder_unknownEventType_isProtocolError() {
        AgentFrame frame = new AgentEncoder().u8(9).str("x").frame(AgentFrame.FS_EVENT, 5);

        assertThatThrownBy(() -> frame.decoder().event()).isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("FS_EVENT").hasMessageContaining("unknown event type");
    }

    @Test
    void decoder_stringLongerThanPayload_isProtocolError() {
        AgentFrame frame = new AgentEncoder().u32(100).u8('a').frame(AgentFrame.READY, 0);

        assertThatThrownBy(() -> frame.decoder().str()).isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("string of 100 bytes");
    }

    @Test
    void decoder_lyingPairCount_failsBeforeAllocating() {
        AgentFrame frame = new AgentEncoder().u32(0x7FFF_FFFF).frame(AgentFrame.FS_ENTRY, 1);

        assertThatThrownBy(() -> frame.decoder().pairs()).isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("pairs cannot fit");
    }

    @Test
    void decoder_shortPayload_namesTheFrame() {
        AgentFrame frame = new AgentEncoder().u8(1).frame(AgentFrame.EXIT, 42);

        AgentDecoder d = frame.decoder();
        d.u8();
        assertThatThrownBy(d::i32).isInstanceOf(RuntimeFailureException.class)
                .hasMessageContaining("EXIT frame").hasMessageContaining("channel 42").hasMessageContaining("needs 4 bytes");
    }

    @Test
    void decoder_error_readsErrnoAndMessage() {
        AgentFrame frame = new AgentEncoder().u32(2).str("no such file").frame(AgentFrame.ERROR, 3);

        assertThat(frame.decoder().error()).isEqualTo(new AgentErrors.Error(2, "no such file"));
        assertThat(frame.decoder().error().describe()).isEqualTo("no such file (errno 2)");
    }

    private static DataInputStream stream(byte[] b) {
        return new DataInputStream(new ByteArrayInputStream(b));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}

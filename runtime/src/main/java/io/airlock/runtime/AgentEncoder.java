package io.airlock.runtime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds a frame payload field by field, in the protocol's big-endian encoding. */
final class AgentEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    AgentEncoder u8(int v) {
        out.write(v);
        return this;
    }

    AgentEncoder u16(int v) {
        out.write(v >>> 8);
        out.write(v);
        return this;
    }

    AgentEncoder u32(long v) {
        out.write((int) (v >>> 24));
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
        return this;
    }

    /** {@code u32 length | UTF-8 bytes}. */
    AgentEncoder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u32(b.length);
        out.writeBytes(b);
        return this;
    }

    /** {@code n:u32 | (key:str, value:str) x n}. */
    AgentEncoder pairs(Map<String, String> map) {
        u32(map.size());
        map.forEach((k, v) -> str(k).str(v));
        return this;
    }

    /** Raw bytes to the end of the payload. */
    AgentEncoder bytes(byte[] b, int off, int len) {
        out.write(b, off, len);
        return this;
    }

    /** The payload's size so far. */
    int size() {
        return out.size();
    }

    byte[] toBytes() {
        return out.toByteArray();
    }

    AgentFrame frame(int type, int chan) {
        return new AgentFrame(type, chan, toBytes());
    }
}

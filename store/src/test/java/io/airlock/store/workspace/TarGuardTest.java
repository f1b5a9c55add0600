package io.airlock.store.workspace;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/** The guard stays in step with the tar reader, whatever sizes pax headers set. */
class TarGuardTest {
    private static byte[] header(String name, byte type, long size) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setSize(size);
        byte[] b = new byte[512];
        e.writeEntryHeader(b);
        return b;
    }

    private static byte[] padded(byte[] data) {
        byte[] out = new byte[(data.length + 511) / 512 * 512];
        System.arraycopy(data, 0, out, 0, data.length);
        return out;
    }

    private static byte[] pax(String... records) {
        StringBuilder body = new StringBuilder();
        for (String kv : records) {
            int len = kv.length() + 3;
            String rec = len + " " + kv + "\n";
            if (rec.length() != len) {
                rec = rec.length() + " " + kv + "\n";
            }
            body.append(rec);
        }
        return body.toString().getBytes(UTF_8);
    }

    private static void drain(InputStream in) throws IOException {
        in.readAllBytes();
    }

    @Test
    void aHugeMetaEntry_isRefused_aSmallOneAndDataPass() throws Exception {
        ByteArrayOutputStream ok = new ByteArrayOutputStream();
        byte[] records = pax("path=a/long/name");
        ok.write(header("././@PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC, records.length));
        ok.write(padded(records));
        byte[] data = new byte[3000];
        ok.write(header("f", TarConstants.LF_NORMAL, data.length));
        ok.write(padded(data));
        ok.write(new byte[1024]);
        drain(new TarGuard(new ByteArrayInputStream(ok.toByteArray())));

        byte[] big = header("././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, TarGuard.MAX_META + 1);
        assertThatThrownBy(() -> drain(new TarGuard(new ByteArrayInputStream(big)))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("long-name header");
    }

    @Test
    void aSizeSetByPax_isFollowed_soDataThatLooksLikeAHeaderIsNotReadAsOne() throws Exception {
        // A fake huge pax header hidden inside the data of an entry whose size a pax record sets:
        // it is data, so no refusal; the real huge one after it is refused.
        byte[] fake = header("././@PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC, 1L << 30);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        byte[] records = pax("size=" + fake.length);
        s.write(header("././@PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC, records.length));
        s.write(padded(records));
        s.write(header("f", TarConstants.LF_NORMAL, 0)); // the header says 0; pax says 512
        s.write(fake);
        byte[] inStep = s.toByteArray();
        drain(new TarGuard(new ByteArrayInputStream(inStep)));
        s.write(fake);
        assertThatThrownBy(() -> drain(new TarGuard(new ByteArrayInputStream(s.toByteArray()))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("pax header of " + (1L << 30));
    }

    @Test
    void aNewlineInAValue_doesNotPassForASizeRecord() throws Exception {
        byte[] fake = header("././@PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC, 1L << 30);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        byte[] records = pax("path=x\n12 size=512");  // one path record holding a newline
        s.write(header("././@PaxHeader", TarConstants.LF_PAX_EXTENDED_HEADER_LC, records.length));
        s.write(padded(records));
        s.write(header("f", TarConstants.LF_NORMAL, 0));
        s.write(fake); // a header, as the reader sees it: refused
        assertThatThrownBy(() -> drain(new TarGuard(new ByteArrayInputStream(s.toByteArray()))))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aGlobalHeaderSettingASize_isRefused() throws Exception {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        byte[] records = pax("size=10");
        s.write(header("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER, records.length));
        s.write(padded(records));
        assertThatThrownBy(() -> drain(new TarGuard(new ByteArrayInputStream(s.toByteArray()))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("global");
        assertThat(pax("a=b")).isEqualTo("6 a=b\n".getBytes(UTF_8));
    }
}

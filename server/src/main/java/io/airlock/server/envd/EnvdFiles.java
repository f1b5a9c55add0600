package io.airlock.server.envd;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.airlock.core.EntryInfo;
import io.airlock.core.SandboxFiles;
import io.airlock.core.SandboxService;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * envd's {@code /files}: download ({@code GET}) and upload ({@code POST}) of whole files, streamed
 * between the HTTP connection and the sandbox's agent without holding a file in memory or on the
 * host's disk.
 *
 * <p>Access is checked by {@link FileAccess}: the token, or a signed URL (which may lack the
 * sandbox header).
 *
 * <p>Uploads are {@code multipart/form-data} (each {@code file} part's filename is its target
 * path, unless {@code ?path=} is given) or {@code application/octet-stream} with {@code ?path=};
 * {@code Content-Encoding: gzip} is decoded on the fly, for the whole body or per part. What one
 * request may write is capped at the sandbox's disk size, so a gzip bomb ends with 507.
 * {@code X-Metadata-<key>} headers become the files' metadata.
 */
final class EnvdFiles {
    static final int BUFFER = 64 * 1024;
    /** How much of an upload is still read after it failed, so the client gets to see the answer. */
    static final long DRAIN_LIMIT = 256L << 20;
    static final String METADATA_PREFIX = "x-metadata-";
    /** envd's limits: printable ASCII, keys up to 246 bytes, 4096 bytes in all ("user." counted per key). */
    static final int MAX_METADATA_KEY = 246;
    static final int MAX_METADATA_TOTAL = 4096;

    private final SandboxService sandboxes;
    private final FileAccess access;

    EnvdFiles(SandboxService sandboxes, EnvdAccess access, InstantSource clock) {
        this.sandboxes = sandboxes;
        this.access = new FileAccess(sandboxes, access, clock);
    }

    void routes(RoutesConfig r) {
        r.get("/files", this::download);
        r.post("/files", this::upload);
    }

    /** One uploaded file, as envd's {@code EntryInfo} in the upload answer. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Uploaded(String path, String name, String type, Map<String, String> metadata) {
        static Uploaded of(EntryInfo e) {
            return new Uploaded(e.path(), e.name(), "file", e.metadata());
        }
    }

    private void download(Context ctx) {
        String sandboxId = ctx.header(EnvdCall.SANDBOX_HEADER);
        try {
            String path = ctx.queryParam("path");
            if (path == null || path.isEmpty()) {
                throw new EnvdException(400, "path: the query parameter is required: the file to download, "
                        + "absolute or relative to the user's home");
            }
            EnvdCall call = access.authorize(ctx, FileSignature.READ);
            sandboxId = call.sandboxId();
            boolean gzip = gzipAccepted(ctx.header("Accept-Encoding"));
            InputStream in = sandboxes.files(call.sandboxId()).read(homeRelative(path), user(ctx, call));
            send(ctx, in, path, gzip, sandboxId);
        } catch (Exception e) {
            RestErrors.handle(ctx, sandboxes, sandboxId, e);
        }
    }

    private void send(Context ctx, InputStream file, String path, boolean gzip, String sandboxId) throws IOException {
        try (InputStream in = file) {
            byte[] buf = new byte[BUFFER];
            int n = readFile(in, buf);
            HttpServletResponse res = ctx.res();
            res.setStatus(200);
            res.setContentType("application/octet-stream");
            res.setHeader("Content-Disposition", contentDisposition(path));
            res.setHeader("Vary", "Accept-Encoding");
            if (gzip) {
                res.setHeader("Content-Encoding", "gzip");
            } else if (n < 0) {
                res.setContentLength(0);
            }
            OutputStream out = res.getOutputStream();
            OutputStream sink = gzip ? fastGzip(out) : out;
            while (n >= 0) {
                sink.write(buf, 0, n);
                try {
                    n = readFile(in, buf);
                } catch (RuntimeException e) {
                    // the sandbox failed midway: the client must see a broken transfer, not a short file
                    RestErrors.handle(ctx, sandboxes, sandboxId, e);
                    return;
                }
            }
            if (sink instanceof GZIPOutputStream z) {
                z.finish();
            }
            out.flush();
        } catch (IOException e) {
            // writing to the client failed: it went away, and Jetty knows
        }
    }

    /** gzip at the fastest level: downloads are often large and already compressed, and the host's CPU is shared. */
    private static GZIPOutputStream fastGzip(OutputStream out) throws IOException {
        return new GZIPOutputStream(out, BUFFER) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        };
    }

    /** Reads the next chunk of a sandbox file; failures come back as the API exception behind them. */
    private static int readFile(InputStream in, byte[] buf) {
        try {
            int n;
            do {
                n = in.read(buf);
            } while (n == 0);
            return n;
        } catch (IOException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new EnvdException(502, "reading the file from the sandbox failed: " + e.getMessage());
        }
    }

    private void upload(Context ctx) {
        String sandboxId = ctx.header(EnvdCall.SANDBOX_HEADER);
        try {
            EnvdCall call = access.authorize(ctx, FileSignature.WRITE);
            sandboxId = call.sandboxId();
            String user = user(ctx, call);
            Map<String, String> metadata = metadata(ctx);
            long cap = sandboxes.get(call.sandboxId()).resources().diskBytes();
            SandboxFiles files = sandboxes.files(call.sandboxId());
            String contentType = ctx.header("Content-Type");
            String media = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            String queryPath = ctx.queryParam("path");
            boolean hasPath = queryPath != null && !queryPath.isEmpty();
            InputStream raw = ctx.req().getInputStream();
            List<Uploaded> written = new ArrayList<>();
            if (media.equals("application/octet-stream")) {
                if (!hasPath) {
                    throw new EnvdException(400, "path: the query parameter is required for an application/octet-stream upload");
                }
                InputStream body = decoded(ctx.header("Content-Encoding"), raw, "Content-Encoding");
                written.add(Uploaded.of(files.write(homeRelative(queryPath), user, capped(body, cap), metadata)));
            } else if (media.startsWith("multipart/")) {
                InputStream body = decoded(ctx.header("Content-Encoding"), raw, "Content-Encoding");
                MultipartReader parts = new MultipartReader(body, MultipartReader.boundary(contentType));
                Set<String> targets = new HashSet<>();
                long left = cap;
                for (MultipartReader.Part part; (part = parts.next()) != null; ) {
                    if (!part.name().equals("file")) {
                        continue;
                    }
                    String target = hasPath ? queryPath : part.filename();
                    if (target == null || target.isEmpty()) {
                        throw new EnvdException(400, "path: a multipart 'file' part needs a filename (the target path), "
                                + "or give the path query parameter");
                    }
                    if (!targets.add(target)) {
                        throw new EnvdException(400, "path: you cannot upload several files to '" + target + "' in one request; "
                                + "only the first was written");
                    }
                    CappedInputStream data = capped(
                            decoded(part.headers().get("content-encoding"), part.body(), "the part's Content-Encoding"), left);
                    written.add(Uploaded.of(files.write(homeRelative(target), user, data, metadata)));
                    left -= data.count();
                }
                if (written.isEmpty()) {
                    throw new EnvdException(400, "the multipart body has no part named 'file'; send each file as a 'file' "
                            + "part whose filename is its path in the sandbox");
                }
            } else {
                throw new EnvdException(400, "Content-Type: " + (contentType == null ? "missing" : "'" + contentType + "' is not supported")
                        + "; send multipart/form-data or application/octet-stream");
            }
            ctx.json(written);
        } catch (Exception e) {
            drain(ctx);
            RestErrors.handle(ctx, sandboxes, sandboxId, e);
        }
    }

    private static CappedInputStream capped(InputStream in, long cap) {
        return new CappedInputStream(in, Math.max(cap, 0), "not enough disk space: the upload is larger than the sandbox's disk ("
                + (cap >> 20) + " MiB); uploads are capped at the disk size after decompression");
    }

    /** The body decoded per its Content-Encoding: identity or gzip. */
    private static InputStream decoded(@Nullable String encoding, InputStream in, String header) throws IOException {
        String e = encoding == null ? "" : encoding.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return switch (e) {
            case "", "identity" -> in;
            case "gzip", "x-gzip" -> new GZIPInputStream(in, BUFFER);
            default -> throw new UploadException(400, header + ": '" + encoding + "' is not supported; use gzip or identity");
        };
    }

    /** Reads and drops what is left of a failed upload (up to a limit), so the client reads the answer. */
    private static void drain(Context ctx) {
        try {
            InputStream raw = ctx.req().getInputStream();
            byte[] scratch = new byte[BUFFER];
            long drained = 0;
            for (int n; drained < DRAIN_LIMIT && (n = raw.read(scratch)) >= 0; ) {
                drained += n;
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or the body is broken; nothing left to save
        }
    }

    /** Whether to gzip a download, per Accept-Encoding (with q-values) as envd decides it. */
    static boolean gzipAccepted(@Nullable String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return false;
        }
        double gzip = -1;
        double identity = -1;
        double any = -1;
        for (String item : acceptEncoding.split(",")) {
            String[] parts = item.split(";");
            String coding = parts[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].strip();
                if (p.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        q = Double.parseDouble(p.substring(2).strip());
                    } catch (NumberFormatException e) {
                        q = 1;
                    }
                }
            }
            switch (coding) {
                case "gzip", "x-gzip" -> gzip = Math.max(gzip, q);
                case "identity" -> identity = Math.max(identity, q);
                case "*" -> any = Math.max(any, q);
                default -> {}
            }
        }
        boolean identityRejected = identity == 0 || (identity < 0 && any == 0);
        if (gzip > 0 && (identity < 0 || gzip >= identity)) {
            return true;
        }
        if (gzip < 0 && any > 0 && identityRejected) {
            return true;
        }
        if (identityRejected) {
            throw new EnvdException(406, "no acceptable encoding found, supported: [identity, gzip]");
        }
        return false;
    }

    static String contentDisposition(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        String name = p.substring(p.lastIndexOf('/') + 1);
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.equals("~")) {
            name = "download";
        }
        StringBuilder ascii = new StringBuilder();
        name.codePoints().forEach(c -> ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? (char) c : '_'));
        String encoded = URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }

    /** {@code ~} and {@code ~/x} as envd expands them; other paths are passed as they are. */
    static String homeRelative(String path) {
        if (path.equals("~")) {
            return ".";
        }
        return path.startsWith("~/") ? (path.length() == 2 ? "." : path.substring(2)) : path;
    }

    /** The user the file operation runs as: {@code ?username=}, else the Authorization header, else the default. */
    private static String user(Context ctx, EnvdCall call) {
        String username = ctx.queryParam("username");
        if (username == null || username.isEmpty()) {
            return call.user();
        }
        if (username.length() > 64 || !username.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':' && c != '/')) {
            throw new EnvdException(400, "username: '" + (username.length() > 64 ? username.substring(0, 64) + "…" : username)
                    + "' is not a valid user name");
        }
        return username;
    }

    /** {@code X-Metadata-<key>: value} headers as the metadata map, checked against envd's limits. */
    static Map<String, String> metadata(Context ctx) {
        Map<String, String> metadata = new LinkedHashMap<>();
        int total = 0;
        for (String header : Collections.list(ctx.req().getHeaderNames())) {
            if (!header.regionMatches(true, 0, METADATA_PREFIX, 0, METADATA_PREFIX.length())) {
                continue;
            }
            String key = header.substring(METADATA_PREFIX.length()).toLowerCase(Locale.ROOT);
            if (metadata.containsKey(key)) {
                continue;
            }
            String value = ctx.req().getHeader(header);
            if (key.isEmpty() || key.length() > MAX_METADATA_KEY || !printable(key)) {
                throw new EnvdException(400, header + ": the metadata key must be 1.." + MAX_METADATA_KEY
                        + " printable ASCII characters");
            }
            if (!printable(value)) {
                throw new EnvdException(400, header + ": the metadata value must be printable ASCII");
            }
            total += "user.".length() + key.length() + value.length();
            if (total > MAX_METADATA_TOTAL) {
                throw new EnvdException(400, "X-Metadata-*: the metadata takes more than " + MAX_METADATA_TOTAL
                        + " bytes (keys, values and 5 bytes per key); send less");
            }
            metadata.put(key, value);
        }
        return metadata;
    }

    private static boolean printable(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }
}

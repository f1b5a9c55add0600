package io.airlock.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.airlock.core.InvalidRequestException;
import io.airlock.core.workspace.Change;
import io.airlock.core.workspace.CommitResult;
import io.airlock.core.workspace.Workspace;
import io.airlock.core.workspace.WorkspaceVersion;
import io.airlock.core.workspace.Workspaces;
import io.airlock.server.auth.Caller;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * {@code /v1/workspaces}: a tenant's named workspaces, their versions, diffs and restores, and
 * whole trees in and out as archives. Every route names the workspace by the caller's tenant, so
 * another tenant's workspace is the same 404 as a missing one.
 *
 * <p>{@code PUT .../archive} takes the raw archive (tar, tar.gz or zip) as the body, streamed:
 * the 1 MiB JSON body limit does not apply, the workspace limits do.
 */
final class WorkspaceApi {
    private final Workspaces workspaces;

    WorkspaceApi(Workspaces workspaces) {
        this.workspaces = workspaces;
    }

    record Create(@Nullable String name) {}

    record WorkspaceView(String name, int head, String createdAt, int files, long bytes) {
        static WorkspaceView of(Workspace w) {
            return new WorkspaceView(w.name(), w.head(), w.createdAt().toString(), w.files(), w.bytes());
        }
    }

    record ChangeView(String path, String kind, String type, long size) {
        static ChangeView of(Change c) {
            return new ChangeView(c.path(), lower(c.kind()), lower(c.type()), c.size());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VersionView(int number, int parent, String createdAt, String origin, boolean conflict, int files, long bytes,
            @Nullable List<ChangeView> changes, List<String> conflicts) {
        static VersionView of(WorkspaceVersion v) {
            return new VersionView(v.number(), v.parent(), v.createdAt().toString(), v.origin(), v.conflict(), v.files(), v.bytes(),
                    v.changes() == null ? null : v.changes().stream().map(ChangeView::of).toList(), v.conflicts());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CommitView(String outcome, @Nullable VersionView version, List<String> conflicts) {
        static CommitView of(CommitResult r) {
            return new CommitView(lower(r.outcome()), r.version() == null ? null : VersionView.of(r.version()), r.conflicts());
        }
    }

    record DiffView(int from, int to, List<ChangeView> changes) {}

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    void routes(RoutesConfig r) {
        r.post("/v1/workspaces", this::create);
        r.get("/v1/workspaces", ctx -> ctx.json(workspaces.list(tenant(ctx)).stream().map(WorkspaceView::of).toList()));
        r.get("/v1/workspaces/{name}", ctx -> ctx.json(WorkspaceView.of(workspaces.get(tenant(ctx), name(ctx)))));
        r.delete("/v1/workspaces/{name}", ctx -> {
            workspaces.delete(tenant(ctx), name(ctx));
            ctx.status(204);
        });
        r.get("/v1/workspaces/{name}/versions", ctx -> ctx.json(
                workspaces.versions(tenant(ctx), name(ctx)).stream().map(VersionView::of).toList()));
        r.get("/v1/workspaces/{name}/versions/{n}", ctx -> ctx.json(
                VersionView.of(workspaces.version(tenant(ctx), name(ctx), number(ctx.pathParam("n"), "n", 1)))));
        r.post("/v1/workspaces/{name}/versions/{n}/restore", ctx -> ctx.json(
                CommitView.of(workspaces.restore(tenant(ctx), name(ctx), number(ctx.pathParam("n"), "n", 1)))));
        r.get("/v1/workspaces/{name}/diff", this::diff);
        r.get("/v1/workspaces/{name}/archive", this::download);
        r.put("/v1/workspaces/{name}/archive", this::upload);
    }

    private static String tenant(Context ctx) {
        return Caller.of(ctx).tenantId();
    }

    private static String name(Context ctx) {
        return ctx.pathParam("name");
    }

    /** A non-negative version number from a path or query parameter. */
    private static int number(@Nullable String value, String field, int min) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException(field, field + " is required: a version number");
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidRequestException(field, field + " must be a version number of " + min + " or more; got '"
                + (value.length() > 20 ? value.substring(0, 20) + "…" : value) + "'");
    }

    private void create(Context ctx) {
        Create body = ctx.bodyAsClass(Create.class);
        if (body == null || body.name() == null) {
            throw new InvalidRequestException("name", "name is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        ctx.status(201).json(WorkspaceView.of(workspaces.create(tenant(ctx), body.name())));
    }

    private void diff(Context ctx) {
        String tenant = tenant(ctx);
        String name = name(ctx);
        int to = ctx.queryParam("to") == null ? workspaces.get(tenant, name).head() : number(ctx.queryParam("to"), "to", 0);
        int from = number(ctx.queryParam("from"), "from", 0);
        ctx.json(new DiffView(from, to, workspaces.diff(tenant, name, from, to).stream().map(ChangeView::of).toList()));
    }

    private void download(Context ctx) throws IOException {
        String tenant = tenant(ctx);
        String name = name(ctx);
        String v = ctx.queryParam("version");
        int version = v == null ? 0 : number(v, "version", 0);
        // a missing workspace or version is a JSON 404, answered before the stream is opened
        if (version == 0) {
            workspaces.get(tenant, name);
        } else {
            workspaces.version(tenant, name, version);
        }
        ctx.status(200);
        ctx.contentType("application/gzip");
        ctx.header("Content-Disposition", "attachment; filename=\"" + name + (version == 0 ? "" : "-v" + version) + ".tar.gz\"");
        try (OutputStream out = ctx.res().getOutputStream()) {
            workspaces.exportArchive(tenant, name, version, out);
        }
    }

    private void upload(Context ctx) throws IOException {
        String tenant = tenant(ctx);
        String name = name(ctx);
        workspaces.get(tenant, name);
        try (InputStream body = ctx.req().getInputStream()) {
            ctx.json(CommitView.of(workspaces.importArchive(tenant, name, body)));
        }
    }
}

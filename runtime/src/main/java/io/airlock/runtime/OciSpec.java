package io.airlock.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The part of an OCI runtime-spec 1.0.2 {@code config.json} that Airlock writes, as records that
 * Jackson serialises field by field under the spec's own names. Absent optional values are
 * {@code null} here and left out of the JSON; nothing outside this package sees them.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/v1.0.2/config.md">config.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record OciSpec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        List<Mount> mounts,
        Linux linux,
        Map<String, String> annotations) {

    static final String VERSION = "1.0.2";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Process(
            boolean terminal,
            User user,
            List<String> args,
            List<String> env,
            String cwd,
            Capabilities capabilities,
            List<Rlimit> rlimits,
            boolean noNewPrivileges,
            Integer oomScoreAdj) {}

    record User(int uid, int gid) {}

    record Capabilities(
            List<String> bounding, List<String> effective, List<String> inheritable, List<String> permitted, List<String> ambient) {}

    record Rlimit(String type, long hard, long soft) {}

    record Root(String path, boolean readonly) {}

    record Mount(String destination, String type, String source, List<String> options) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Linux(
            List<Namespace> namespaces,
            List<Device> devices,
            Resources resources,
            String cgroupsPath,
            Seccomp seccomp,
            List<String> maskedPaths,
            List<String> readonlyPaths) {}

    record Namespace(String type) {}

    record Device(String path, String type, long major, long minor, int fileMode, int uid, int gid) {}

    record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids) {}

    /** A device cgroup rule; {@code null} type, major or minor means "all". */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {}

    /** Memory limits; on cgroup v1 runc writes {@code swap} to {@code memory.memsw.limit_in_bytes} (memory + swap). */
    record Memory(long limit, long swap) {}

    record Cpu(long quota, long period) {}

    record Pids(long limit) {}

    record Seccomp(String defaultAction, List<String> architectures, List<Syscall> syscalls) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Syscall(List<String> names, String action, Integer errnoRet, List<Arg> args) {}

    /** A syscall argument comparison; values are unsigned 64-bit, hence {@link BigInteger}. */
    record Arg(int index, BigInteger value, BigInteger valueTwo, String op) {
        static Arg of(int index, long value, long valueTwo, String op) {
            return new Arg(index, unsigned(value), unsigned(valueTwo), op);
        }

        private static BigInteger unsigned(long v) {
            return new BigInteger(Long.toUnsignedString(v));
        }
    }
}

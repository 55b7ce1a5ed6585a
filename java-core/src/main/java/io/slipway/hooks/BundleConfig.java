package io.slipway.hooks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import java.util.List;
import java.util.Map;

/**
 * The simulated OCI bundle {@code config.json} hooks read, as Sarus writes it: root, mounts,
 * process (args, env, cwd, user), annotations, and the active hooks by stage.
 */
public final class BundleConfig {

    /** A mount as config.json lists it. */
    public record BundleMount(String destination, String source, String type, List<String> options) {}

    /** What the bundle describes. */
    public record Content(String rootPath, boolean readonly, List<BundleMount> mounts, List<String> args,
            Map<String, String> env, String cwd, int uid, int gid, Map<String, String> annotations,
            List<OciHook> hooks) {}


    private BundleConfig() {}

    public static ObjectNode toJson(Content c) {
        ObjectNode root = Json.object();
        root.put("ociVersion", "1.0.2");
        ObjectNode rootfs = root.putObject("root");
        rootfs.put("path", c.rootPath());
        rootfs.put("readonly", c.readonly());
        ObjectNode process = root.putObject("process");
        process.put("terminal", false);
        ObjectNode user = process.putObject("user");
        user.put("uid", c.uid());
        user.put("gid", c.gid());
        ArrayNode args = process.putArray("args");
        c.args().forEach(args::add);
        ArrayNode env = process.putArray("env");
        c.env().forEach((k, v) -> env.add(k + "=" + v));
        process.put("cwd", c.cwd());
        ArrayNode mounts = root.putArray("mounts");
        for (BundleMount m : c.mounts()) {
            ObjectNode o = mounts.addObject();
            o.put("destination", m.destination());
            o.put("type", m.type());
            o.put("source", m.source());
            ArrayNode opts = o.putArray("options");
            m.options().forEach(opts::add);
        }
        ObjectNode annotations = root.putObject("annotations");
        c.annotations().forEach(annotations::put);
        ObjectNode hooks = root.putObject("hooks");
        for (Stage stage : Stage.values()) {
            List<OciHook> inStage = c.hooks().stream().filter(h -> h.stages().contains(stage)).toList();
            if (!inStage.isEmpty()) {
                ArrayNode array = hooks.putArray(stage.jsonName());
                inStage.forEach(h -> array.add(h.hook().deepCopy()));
            }
        }
        ObjectNode linux = root.putObject("linux");
        ArrayNode ns = linux.putArray("namespaces");
        ns.addObject().put("type", "user");
        ns.addObject().put("type", "mount");
        return root;
    }

    /** The state a hook reads on stdin. */
    public static String state(String id, Stage stage, long pid, String bundle, Map<String, String> annotations) {
        ObjectNode state = Json.object();
        state.put("ociVersion", "1.0.2");
        state.put("id", id);
        state.put("status", stage.status());
        state.put("pid", pid);
        state.put("bundle", bundle);
        ObjectNode a = state.putObject("annotations");
        annotations.forEach(a::put);
        return Json.write(state);
    }
}

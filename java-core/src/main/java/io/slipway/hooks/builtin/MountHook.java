package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mount hook: bind mounts, devices, host libraries and variables a site lists in the hook
 * file's {@code args} ({@link MountArgs}), then a linker cache refresh. The same code runs under
 * three names, so each has its own annotations ({@code com.hooks.NAME.enabled}):
 * <ul>
 * <li>{@code mount}: the generic hook;
 * <li>{@code cxi}: the site's libfabric (with the CXI provider for Slingshot), its dependencies
 *     and the {@code /dev/cxi*} devices, the host libfabric replacing the image's when it has one;
 * <li>{@code aws_ofi_nccl}: the same plus an AWS OFI NCCL plugin, the directory of the
 *     {@code --variant} the annotation {@code com.hooks.aws_ofi_nccl.variant} names, and
 *     {@code NCCL_NET_PLUGIN} so that NCCL loads that plugin and not one of the image.
 * </ul>
 */
final class MountHook implements BuiltinHook {

    private static final Pattern LIBFABRIC = Pattern.compile("libfabric\\.so(\\.\\d+)+");
    private static final Pattern LIBRARY_FILE = Pattern.compile(".+\\.so(\\.\\d+)*");
    private static final Pattern NCCL_PLUGIN = Pattern.compile("libnccl-net-(.+)\\.so(\\.\\d+)*");
    private static final int S_IFMT = 0170000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;

    private final String name;

    MountHook(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    /** Where images keep libraries: where {@code <FI_PROVIDER_PATH>} may lead without FI_PROVIDER_PATH. */
    private static final List<String> LIBRARY_DIRS = List.of("/usr/lib", "/usr/lib64", "/usr/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/local/lib", "/usr/local/lib64");

    @Override
    public List<String> preparedPaths(HookPlan plan) {
        List<String> args = plan.args();
        Map<String, String> env = plan.env();
        List<String> dirs = new ArrayList<>(List.of(LibraryInjector.ADDED_DIR));
        try {
            MountArgs a = MountArgs.parse(args, name);
            for (MountArgs.Bind b : a.binds()) {
                if (!b.destination().contains(MountArgs.WILDCARD)) {
                    dirs.add(parentOf(b.destination()));
                } else if (env.getOrDefault("FI_PROVIDER_PATH", "").isEmpty()) {
                    // Known once the image's linker cache is read: its library directories.
                    LIBRARY_DIRS.stream().filter(d -> !dirs.contains(d)).forEach(dirs::add);
                } else {
                    dirs.add(parentOf(b.destination().replace(MountArgs.WILDCARD, env.get("FI_PROVIDER_PATH"))));
                }
            }
            a.devices().forEach(d -> dirs.add(parentOf(d.destination())));
        } catch (SlipwayException e) {
            // The hook reports it when it runs.
        }
        return dirs;
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        String where = "hook " + name;
        MountArgs args = MountArgs.parse(ctx.args(), where);
        LibraryInjector libs = new LibraryInjector(ctx, out);
        String provider = providerPath(ctx, libs);
        for (MountArgs.Bind b : args.binds()) {
            String src = b.source().replace(MountArgs.WILDCARD, provider);
            String dst = b.destination().replace(MountArgs.WILDCARD, provider);
            if (!Files.exists(Path.of(src))) {
                throw new SlipwayException(where + ": mount source " + src + " does not exist");
            }
            if (b.readonly()) {
                out.bindReadOnly(src, dst);
            } else {
                out.bind(src, dst);
            }
        }
        for (MountArgs.Device d : args.devices()) {
            for (String[] dev : expand(d, where)) {
                out.device(dev[0], dev[1]);
            }
        }
        for (String lib : args.libraries()) {
            out.note(name + ": " + libs.inject(lib, where));
        }
        selectVariant(ctx, out, args, libs, where);
        args.env().forEach(out::setenv);
        libs.refresh();
    }

    /**
     * The directory {@code <FI_PROVIDER_PATH>} stands for: the container's {@code FI_PROVIDER_PATH},
     * else {@code DIR/libfabric} for the image's libfabric in DIR (libfabric's default provider
     * directory), else {@code /usr/lib}.
     */
    static String providerPath(HookContext ctx, LibraryInjector libs) {
        String env = ctx.env().get("FI_PROVIDER_PATH");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        for (LinkerCache.Entry e : libs.cache()) {
            String file = e.path().substring(e.path().lastIndexOf('/') + 1);
            if (LIBFABRIC.matcher(file).matches()) {
                return parentOf(e.path()) + "/libfabric";
            }
        }
        return "/usr/lib";
    }

    /** The devices a request names: itself, or every match of a {@code *} pattern (maybe none). */
    private static List<String[]> expand(MountArgs.Device d, String where) throws IOException {
        List<String[]> out = new ArrayList<>();
        if (!d.source().contains("*")) {
            checkDevice(Path.of(d.source()), where);
            out.add(new String[] {d.source(), d.destination()});
            return out;
        }
        Path dir = Path.of(d.source()).getParent();
        String glob = Path.of(d.source()).getFileName().toString();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, glob)) {
            for (Path p : s) {
                checkDevice(p, where);
                out.add(new String[] {p.toString(), p.toString()});
            }
        }
        out.sort((a, b) -> a[0].compareTo(b[0]));
        return out;
    }

    private static void checkDevice(Path p, String where) throws IOException {
        if (!Files.exists(p)) {
            throw new SlipwayException(where + ": device " + p + " does not exist");
        }
        int type = ((Integer) Files.getAttribute(p, "unix:mode")) & S_IFMT;
        if (type != S_IFCHR && type != S_IFBLK) {
            throw new SlipwayException(where + ": " + p + " is not a character or block device");
        }
    }

    /** The aws_ofi_nccl part: the chosen variant's plugin libraries and NCCL_NET_PLUGIN. */
    private void selectVariant(HookContext ctx, HookActions out, MountArgs args, LibraryInjector libs, String where)
            throws IOException {
        if (args.variants().isEmpty()) {
            return;
        }
        Map<String, String> variants = new TreeMap<>(args.variants());
        Optional<String> asked = ctx.annotation(name, "variant").map(String::trim).filter(v -> !v.isEmpty());
        String variant;
        if (asked.isPresent()) {
            variant = asked.get();
            if (!variants.containsKey(variant)) {
                throw new SlipwayException(where + ": com.hooks." + name + ".variant = \"" + variant
                        + "\" is not configured; variants: " + String.join(", ", variants.keySet()));
            }
        } else if (variants.size() == 1) {
            variant = variants.keySet().iterator().next();
        } else {
            throw new SlipwayException(where + ": set com.hooks." + name + ".variant to one of: "
                    + String.join(", ", variants.keySet()));
        }
        Path dir = Path.of(variants.get(variant));
        if (!Files.isDirectory(dir)) {
            throw new SlipwayException(where + ": the directory " + dir + " of variant " + variant + " does not exist");
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(entries::add);
        }
        entries.sort(null);
        String plugin = null;
        for (Path p : entries) {
            String file = p.getFileName().toString();
            if (!LIBRARY_FILE.matcher(file).matches()) {
                continue;
            }
            Matcher m = NCCL_PLUGIN.matcher(file);
            if (m.matches() && plugin == null) {
                plugin = m.group(1);
            }
            if (Files.isSymbolicLink(p)) {
                // The plugin's other names (libnccl-net.so -> libnccl-net-ofi.so), beside the file.
                out.symlink(Files.readSymbolicLink(p).getFileName().toString(), LibraryInjector.ADDED_DIR + "/" + file);
            } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                out.note(name + ": variant " + variant + ": " + libs.inject(p.toString(), where));
            }
        }
        // NCCL loads libnccl-net-X.so for NCCL_NET_PLUGIN=X, else libnccl-net.so.
        if (plugin != null) {
            out.setenv("NCCL_NET_PLUGIN", plugin);
        } else {
            out.unsetenv("NCCL_NET_PLUGIN");
        }
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}

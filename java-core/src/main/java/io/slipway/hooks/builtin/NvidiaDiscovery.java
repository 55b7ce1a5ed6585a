package io.slipway.hooks.builtin;

import io.slipway.posix.ProgramSearch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the host's NVIDIA driver offers: GPUs, device nodes, driver libraries and programs. Every
 * root is a parameter, so tests run it against a fake tree: {@code devDir} (normally /dev),
 * {@code procDir} (normally /proc/driver/nvidia), the text of {@code ldconfig -p}, the directories
 * searched for programs, and the linker-cache tag of this machine's libraries.
 */
record NvidiaDiscovery(Path devDir, Path procDir, String ldconfigListing, List<Path> programDirs, String abiTag) {

    /** One GPU: {@code index} as nvidia-smi and CUDA count (PCI bus order), its /dev/nvidiaMINOR, UUID and bus. */
    record Gpu(int index, int minor, String uuid, String busId) {}

    /** A driver library: its soname, the path the cache lists, and the file that path leads to on the host. */
    record Library(String soname, Path listed, Path file) {}

    /** A driver program found on the host. */
    record Program(String name, Path file) {}

    /** The device nodes every GPU container needs, when the host has them. */
    static final List<String> CONTROL_DEVICES = List.of("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools",
            "nvidia-modeset");

    private static final Pattern LDCONFIG_LINE = Pattern.compile("^\\s*(\\S+)\\s+\\(([^)]*)\\)\\s+=>\\s+(\\S.*?)\\s*$");
    private static final Pattern DRIVER_VERSION = Pattern.compile("\\s(\\d+\\.\\d+(?:\\.\\d+)?)\\s");
    private static final Pattern VERSIONED = Pattern.compile(".*\\.so\\.(\\d{3,}\\.\\d+(?:\\.\\d+)?)$");

    /** The linker cache's tag for this JVM's architecture ({@code ldconfig -p} prints it in parentheses). */
    static String machineAbiTag() {
        return switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86-64";
            case "aarch64", "arm64" -> "AArch64";
            case "ppc64le" -> "64bit";
            default -> "";
        };
    }

    /** The same host with the linker cache listing {@code listing}. */
    NvidiaDiscovery withListing(String listing) {
        return new NvidiaDiscovery(devDir, procDir, listing, programDirs, abiTag);
    }

    /** Whether the driver is loaded: {@code nvidiactl} is the node every CUDA program opens first. */
    boolean hasDriver() {
        return Files.exists(devDir.resolve("nvidiactl"));
    }

    /** The driver version from {@code PROCDIR/version}, if readable. */
    Optional<String> driverVersion() {
        try {
            Matcher m = DRIVER_VERSION.matcher(" " + Files.readString(procDir.resolve("version")).lines().findFirst()
                    .orElse("") + " ");
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The node's GPUs, by index. From {@code PROCDIR/gpus/BUS/information} (UUID, minor, bus; the
     * index is the PCI bus order, as NVML's); without it, each {@code DEVDIR/nvidiaN} is GPU N.
     */
    List<Gpu> gpus() {
        List<Gpu> fromProc = gpusFromProc();
        if (!fromProc.isEmpty()) {
            return fromProc;
        }
        List<Gpu> out = new ArrayList<>();
        try (Stream<Path> nodes = Files.list(devDir)) {
            nodes.map(p -> p.getFileName().toString()).filter(n -> n.matches("nvidia\\d+"))
                    .map(n -> Integer.parseInt(n.substring("nvidia".length()))).sorted()
                    .forEach(minor -> out.add(new Gpu(minor, minor, null, null)));
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }

    private List<Gpu> gpusFromProc() {
        Path dir = procDir.resolve("gpus");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Map<String, String>> found = new ArrayList<>();
        try (Stream<Path> buses = Files.list(dir)) {
            for (Path bus : buses.sorted().toList()) {
                Path info = bus.resolve("information");
                if (Files.isReadable(info)) {
                    Map<String, String> fields = fields(Files.readAllLines(info));
                    fields.putIfAbsent("Bus Location", bus.getFileName().toString());
                    if (fields.containsKey("Device Minor")) {
                        found.add(fields);
                    }
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        found.sort(Comparator.comparing((Map<String, String> f) -> f.get("Bus Location").toLowerCase(Locale.ROOT)));
        List<Gpu> out = new ArrayList<>();
        for (Map<String, String> f : found) {
            out.add(new Gpu(out.size(), Integer.parseInt(f.get("Device Minor")), f.get("GPU UUID"),
                    f.get("Bus Location")));
        }
        return out;
    }

    /** {@code Key: value} lines, as the driver's /proc files write them. */
    private static Map<String, String> fields(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    /** The control nodes of {@link #CONTROL_DEVICES} the host has. */
    List<Path> controlDevices() {
        return CONTROL_DEVICES.stream().map(devDir::resolve).filter(Files::exists).toList();
    }

    /** The device node of a GPU. */
    Path gpuDevice(Gpu gpu) {
        return devDir.resolve("nvidia" + gpu.minor());
    }

    /**
     * The MIG capability node {@code kind} ("config" or "monitor") grants:
     * {@code PROCDIR/capabilities/mig/KIND} names its minor, {@code DEVDIR/nvidia-caps/nvidia-capMINOR}.
     */
    Optional<Path> migCapability(String kind) {
        try {
            String minor = fields(Files.readAllLines(procDir.resolve("capabilities/mig").resolve(kind)))
                    .get("DeviceFileMinor");
            Path node = devDir.resolve("nvidia-caps/nvidia-cap" + minor);
            return minor != null && Files.exists(node) ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The driver libraries of {@code capabilities} in the linker cache, for this machine's ABI,
     * each once. A library whose file carries another driver version than {@code driverVersion}
     * (a leftover of an older driver) is left out.
     */
    List<Library> libraries(Set<NvidiaCapability> capabilities, Optional<String> driverVersion) {
        List<String> wanted = capabilities.stream().flatMap(c -> c.libraries().stream()).toList();
        Map<Path, Library> out = new LinkedHashMap<>();
        for (String[] entry : cacheEntries(ldconfigListing, abiTag)) {
            String soname = entry[0];
            if (wanted.stream().noneMatch(base -> soname.startsWith(base + ".so."))) {
                continue;
            }
            Path listed = Path.of(entry[1]);
            Path file;
            try {
                file = listed.toRealPath();
            } catch (IOException e) {
                continue;
            }
            Matcher v = VERSIONED.matcher(file.getFileName().toString());
            if (driverVersion.isPresent() && v.matches() && !v.group(1).equals(driverVersion.get())) {
                continue;
            }
            out.putIfAbsent(file, new Library(soname, listed, file));
        }
        return List.copyOf(out.values());
    }

    /** {@code [soname, path]} of each line of an {@code ldconfig -p} listing whose flags carry {@code abiTag}. */
    static List<String[]> cacheEntries(String listing, String abiTag) {
        List<String[]> out = new ArrayList<>();
        for (String line : listing.split("\n")) {
            Matcher m = LDCONFIG_LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            List<String> flags = Stream.of(m.group(2).split(",")).map(String::trim).toList();
            if (abiTag.isEmpty() || flags.contains(abiTag)) {
                out.add(new String[] {m.group(1), m.group(3)});
            }
        }
        return out;
    }

    /** The driver programs of {@code capabilities}: the first executable of each name in the program directories. */
    List<Program> programs(Set<NvidiaCapability> capabilities) {
        List<Program> out = new ArrayList<>();
        for (String name : capabilities.stream().flatMap(c -> c.programs().stream()).toList()) {
            ProgramSearch.find(name, programDirs).ifPresent(p -> out.add(new Program(name, p)));
        }
        return out;
    }
}

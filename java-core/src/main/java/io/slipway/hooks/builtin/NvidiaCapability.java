package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The driver capabilities of {@code NVIDIA_DRIVER_CAPABILITIES} (the NVIDIA Container Toolkit's
 * names and defaults) and the driver libraries and programs each one brings into the container.
 * The lists name libraries by their base name: {@code libcuda} matches {@code libcuda.so.1} in the
 * host's linker cache.
 */
enum NvidiaCapability {
    COMPUTE("compute", List.of("libcuda", "libcudadebugger", "libnvidia-opencl", "libnvidia-ptxjitcompiler",
            "libnvidia-fatbinaryloader", "libnvidia-allocator", "libnvidia-compiler", "libnvidia-nvvm",
            "libnvidia-pkcs11", "libnvidia-pkcs11-openssl3"),
            List.of("nvidia-cuda-mps-control", "nvidia-cuda-mps-server")),
    UTILITY("utility", List.of("libnvidia-ml", "libnvidia-cfg"),
            List.of("nvidia-smi", "nvidia-debugdump", "nvidia-persistenced")),
    VIDEO("video", List.of("libvdpau_nvidia", "libnvidia-encode", "libnvidia-opticalflow", "libnvcuvid"), List.of()),
    GRAPHICS("graphics", List.of("libnvidia-eglcore", "libnvidia-glcore", "libnvidia-tls", "libnvidia-glsi",
            "libnvidia-fbc", "libnvidia-ifr", "libnvidia-rtcore", "libnvoptix", "libGLX_nvidia", "libEGL_nvidia",
            "libGLESv2_nvidia", "libGLESv1_CM_nvidia", "libnvidia-glvkspirv", "libnvidia-gpucomp"), List.of()),
    DISPLAY("display", List.of(), List.of()),
    NGX("ngx", List.of("libnvidia-ngx"), List.of()),
    COMPAT32("compat32", List.of(), List.of());

    /** What an image gets when it does not say: the toolkit's default. */
    static final Set<NvidiaCapability> DEFAULT = EnumSet.of(UTILITY, COMPUTE);

    private final String word;
    private final List<String> libraries;
    private final List<String> programs;

    NvidiaCapability(String word, List<String> libraries, List<String> programs) {
        this.word = word;
        this.libraries = libraries;
        this.programs = programs;
    }

    /** The name in NVIDIA_DRIVER_CAPABILITIES and on nvidia-container-cli's command line ({@code --NAME}). */
    String word() {
        return word;
    }

    List<String> libraries() {
        return libraries;
    }

    List<String> programs() {
        return programs;
    }

    /**
     * The capabilities {@code value} asks for: a comma-separated list, {@code all}, or unset/empty
     * for the default (utility, compute).
     *
     * @throws SlipwayException for an unknown name, listing the known ones
     */
    static Set<NvidiaCapability> parse(String value) {
        if (value == null || value.isBlank()) {
            return EnumSet.copyOf(DEFAULT);
        }
        Set<NvidiaCapability> out = EnumSet.noneOf(NvidiaCapability.class);
        for (String part : value.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("all")) {
                return EnumSet.allOf(NvidiaCapability.class);
            }
            out.add(of(name));
        }
        return out.isEmpty() ? EnumSet.copyOf(DEFAULT) : out;
    }

    private static NvidiaCapability of(String name) {
        for (NvidiaCapability c : values()) {
            if (c.word.equals(name)) {
                return c;
            }
        }
        throw new SlipwayException("NVIDIA_DRIVER_CAPABILITIES: unknown capability '" + name + "'; expected all or "
                + "a list of compute, utility, video, graphics, display, ngx, compat32");
    }
}

package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MPI replacement hook ({@code com.hooks.mpi.enabled}): the host's MPICH-ABI libraries
 * ({@code MPI_LIBS} in the hook file's env) replace the image's after an ABI check
 * ({@code MPI_COMPATIBILITY_TYPE}, see {@link AbiCompatibility}), with the host MPI's dependency
 * libraries ({@code MPI_DEPENDENCY_LIBS}) and other host paths ({@code BIND_MOUNTS}).
 *
 * <p>The image's libraries are those of its linker cache with the host library's linker name
 * (the image must have run ldconfig). Every one of them must be compatible; the one replaced is
 * {@link AbiCompatibility#bestMatch}. A host library the image lacks is added. A dependency
 * replaces the image's library only when fully compatible, else it is added beside it.
 *
 * <p>Several host MPIs: one hook file each, {@code --type=NAME} in its args, {@code --default}
 * on the one used when the container gives no {@code com.hooks.mpi.type}.
 */
final class MpiHook implements BuiltinHook {

    @Override
    public String name() {
        return "mpi";
    }

    @Override
    public List<String> preparedPaths(HookPlan plan) {
        return List.of(LibraryInjector.ADDED_DIR);
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        String where = "hook mpi";
        Optional<String> type = ctx.options("type").stream().findFirst();
        boolean isDefault = ctx.args().contains("--default") || type.isEmpty();
        Optional<String> asked = ctx.annotation("mpi", "type").map(String::trim).filter(s -> !s.isEmpty());
        if (asked.isPresent() ? type.isPresent() && !type.get().equals(asked.get()) : !isDefault) {
            out.note("mpi: this file serves MPI type " + type.orElse("(any)") + ", not "
                    + asked.orElse("the default") + ": nothing to do");
            return;
        }
        AbiCompatibility compatibility = AbiCompatibility.parse(ctx.hookEnv().get("MPI_COMPATIBILITY_TYPE"), where);
        List<String> mpiLibs = paths(ctx, "MPI_LIBS");
        if (mpiLibs.isEmpty()) {
            throw new SlipwayException(where + ": MPI_LIBS (the host MPI libraries) is empty in the hook file's env");
        }
        LibraryInjector libs = new LibraryInjector(ctx, out);
        List<Plan> plans = new ArrayList<>();
        for (String path : mpiLibs) {
            ElfFile elf = LibraryInjector.hostElf(path, where);
            SharedLibrary host = SharedLibrary.onHost(path);
            if (host.major().isEmpty()) {
                throw new SlipwayException(where + ": the host MPI library " + path + " has no ABI version in its "
                        + "name (libNAME.so.MAJOR[.MINOR...])");
            }
            plans.add(new Plan(host, elf, libs.withLinkerName(host.linkerName(), Optional.of(elf))));
        }
        if (plans.stream().allMatch(p -> p.image().isEmpty())) {
            throw new SlipwayException(where + ": No MPI libraries found in the container (none of "
                    + String.join(", ", plans.stream().map(p -> p.host().linkerName()).toList())
                    + " is in its linker cache). Hint: run ldconfig when building the image");
        }
        for (Plan p : plans) {
            for (SharedLibrary image : p.image()) {
                if (image.major().isEmpty()) {
                    throw new SlipwayException(where + ": the container's MPI library " + image.path()
                            + " has no ABI version in its name");
                }
                if (!compatibility.check(p.host(), image).compatible()) {
                    throw new SlipwayException(where + ": Host's MPI library " + p.host().path() + " ("
                            + p.host().versionText() + ") is not ABI compatible with container's MPI library "
                            + image.path() + " (" + image.versionText() + "); MPI_COMPATIBILITY_TYPE="
                            + compatibility.name().toLowerCase(java.util.Locale.ROOT));
                }
            }
        }
        for (Plan p : plans) {
            String soname = LibraryInjector.soname(p.host().path(), p.elf());
            if (p.image().isEmpty()) {
                libs.add(p.host().path(), soname, p.host().linkerName());
                out.note("mpi: " + p.host().path() + " added (the container has no " + p.host().linkerName() + ")");
                continue;
            }
            SharedLibrary best = AbiCompatibility.bestMatch(p.host(), p.image()).orElseThrow();
            compatibility.check(p.host(), best).warning().ifPresent(w -> out.note("mpi: warning: " + w));
            libs.replace(p.host().path(), best.realPath());
            out.note("mpi: " + p.host().path() + " replaces " + best.realPath());
        }
        for (String path : paths(ctx, "MPI_DEPENDENCY_LIBS")) {
            injectDependency(path, libs, out, where);
        }
        for (String path : paths(ctx, "BIND_MOUNTS")) {
            bindMount(path, out, where);
        }
        libs.refresh();
    }

    private record Plan(SharedLibrary host, ElfFile elf, List<SharedLibrary> image) {}

    private static void injectDependency(String path, LibraryInjector libs, HookActions out, String where) {
        ElfFile elf = LibraryInjector.hostElf(path, where);
        SharedLibrary host = SharedLibrary.onHost(path);
        String soname = LibraryInjector.soname(path, elf);
        Optional<SharedLibrary> best = AbiCompatibility.bestMatch(host,
                libs.withLinkerName(host.linkerName(), Optional.of(elf)));
        if (best.isPresent()) {
            AbiCompatibility.Verdict v = AbiCompatibility.FULL.check(host, best.get());
            if (v.compatible() && v.warning().isEmpty()) {
                libs.replace(path, best.get().realPath());
                out.note("mpi: dependency " + path + " replaces " + best.get().realPath());
                return;
            }
        }
        libs.add(path, soname);
        out.note("mpi: dependency " + path + " added as " + LibraryInjector.ADDED_DIR + "/" + host.fileName());
    }

    private static void bindMount(String path, HookActions out, String where) throws IOException {
        Path p = Path.of(path);
        if (!p.isAbsolute() || !Files.exists(p)) {
            throw new SlipwayException(where + ": BIND_MOUNTS entry " + path + " is not an existing absolute path");
        }
        int type = ((Integer) Files.getAttribute(p, "unix:mode")) & 0170000;
        if (type == 0020000 || type == 0060000) {
            out.device(path, path);
        } else {
            out.bind(path, path);
        }
    }

    private static List<String> paths(HookContext ctx, String variable) {
        String v = ctx.hookEnv().getOrDefault(variable, "");
        return Arrays.stream(v.split(":")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

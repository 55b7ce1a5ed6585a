package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shared library as the MPI hook compares them: its linker name (the file name cut after
 * {@code .so}: {@code libmpi.so.12.5.5} is {@code libmpi.so}) and its ABI version, the numbers
 * after {@code .so}, taken along the chain of symbolic links from the name the linker cache
 * gives to the real file. The longest consistent version wins ({@code libmpich.so.12 ->
 * libmpich.so.12.2.2} is 12.2.2); a link to a file of another linker name (Cray's
 * {@code libmpi.so.12 -> libmpich_gnu_71.so.3}) or to an inconsistent version
 * ({@code libvdpau_nvidia.so.1 -> libvdpau_nvidia.so.440.33.01}) is ignored.
 *
 * @param path where it is (a container path for the image's libraries, a host path for the host's)
 * @param realPath the file the links lead to
 * @param linkerName the name up to {@code .so}
 * @param version MAJOR, MINOR, PATCH..., as many as known (empty: none)
 */
public record SharedLibrary(String path, String realPath, String linkerName, List<Integer> version) {

    private static final int MAX_LINKS = 40;

    /** The linker name of a file name: cut after {@code .so}; the whole name when it has no {@code .so}. */
    public static String linkerName(String fileName) {
        int at = fileName.indexOf(".so");
        while (at >= 0) {
            int end = at + 3;
            if (end == fileName.length() || fileName.charAt(end) == '.') {
                return fileName.substring(0, end);
            }
            at = fileName.indexOf(".so", at + 1);
        }
        return fileName;
    }

    /** The numbers after {@code .so} in a file name, up to the first part that is not a number. */
    public static List<Integer> versionOf(String fileName) {
        String linker = linkerName(fileName);
        List<Integer> out = new ArrayList<>();
        if (linker.length() >= fileName.length()) {
            return out;
        }
        for (String part : fileName.substring(linker.length() + 1).split("\\.", -1)) {
            if (part.isEmpty() || !part.chars().allMatch(Character::isDigit) || part.length() > 9) {
                break;
            }
            out.add(Integer.parseInt(part));
        }
        return out;
    }

    /** The library at container path {@code path} of {@code root}, its version read along its links. */
    public static SharedLibrary inRoot(RootView root, String path) {
        List<String> chain = new ArrayList<>();
        String current = path;
        for (int i = 0; i < MAX_LINKS; i++) {
            String parent = parentOf(current);
            String dir = root.resolveLinks(parent).orElse(parent);
            String name = current.substring(current.lastIndexOf('/') + 1);
            String here = (dir.equals("/") ? "" : dir) + "/" + name;
            chain.add(name);
            current = here;
            Path view = root.viewOf(here);
            if (!Files.isSymbolicLink(view)) {
                break;
            }
            try {
                String target = Files.readSymbolicLink(view).toString();
                current = target.startsWith("/") ? target : (dir.equals("/") ? "" : dir) + "/" + target;
            } catch (IOException e) {
                break;
            }
        }
        return of(path, current, chain);
    }

    /** A library of the host, at {@code path}. */
    public static SharedLibrary onHost(String path) {
        return inRoot(new RootView(Path.of("/")), path);
    }

    /** A library known only by its name (no links to follow). */
    public static SharedLibrary named(String path) {
        return of(path, path, List.of(path.substring(path.lastIndexOf('/') + 1)));
    }

    private static SharedLibrary of(String path, String realPath, List<String> chain) {
        String linker = linkerName(chain.get(0));
        List<Integer> version = versionOf(chain.get(0));
        for (String name : chain.subList(1, chain.size())) {
            List<Integer> v = versionOf(name);
            if (linkerName(name).equals(linker) && v.size() > version.size() && v.subList(0, version.size()).equals(version)) {
                version = v;
            }
        }
        return new SharedLibrary(path, realPath, linker, List.copyOf(version));
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** The file name of {@link #path()}. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public Optional<Integer> major() {
        return part(0);
    }

    public Optional<Integer> minor() {
        return part(1);
    }

    private Optional<Integer> part(int i) {
        return i < version.size() ? Optional.of(version.get(i)) : Optional.empty();
    }

    /** The version as text ("12.5.5"; "none" without one). */
    public String versionText() {
        return version.isEmpty() ? "none" : String.join(".", version.stream().map(String::valueOf).toList());
    }

    /**
     * Orders versions number by number; a missing number is less than any ({@code 12 < 12.0}),
     * never taken for 0.
     */
    public static int compareVersions(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            if (i >= a.size()) {
                return -1;
            }
            if (i >= b.size()) {
                return 1;
            }
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}

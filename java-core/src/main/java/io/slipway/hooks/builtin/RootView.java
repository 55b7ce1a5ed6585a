package io.slipway.hooks.builtin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The container's root filesystem as a hook reads it: {@code view} is a path this process can
 * open (through {@code /proc/PID/root} when the hook runs outside the container's mount
 * namespace). Symbolic links are followed inside the root, the way the container will see them,
 * never out to the host's files.
 */
public record RootView(Path view) {

    private static final int MAX_LINKS = 40;

    /** The view path of container path {@code path}, with every symlink resolved inside the root; empty if missing. */
    public Optional<Path> resolve(String path) {
        return resolveLinks(path).map(this::viewOf);
    }

    /** The container path {@code path} names once its symlinks are resolved inside the root; empty if missing. */
    public Optional<String> resolveLinks(String path) {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        Deque<String> done = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                done.pollLast();
                continue;
            }
            done.addLast(part);
            Path here = viewOf(join(done));
            if (Files.isSymbolicLink(here)) {
                if (++links > MAX_LINKS) {
                    return Optional.empty();
                }
                String target;
                try {
                    target = Files.readSymbolicLink(here).toString();
                } catch (IOException e) {
                    return Optional.empty();
                }
                done.pollLast();
                if (target.startsWith("/")) {
                    done.clear();
                }
                push(todo, target);
            } else if (!Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
        }
        return Optional.of(join(done));
    }

    /** The view path of a container path, without resolving anything. */
    public Path viewOf(String containerPath) {
        String relative = containerPath.replaceAll("^/+", "");
        return relative.isEmpty() ? view : view.resolve(relative);
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }

    private static String join(Deque<String> parts) {
        return "/" + String.join("/", parts);
    }
}

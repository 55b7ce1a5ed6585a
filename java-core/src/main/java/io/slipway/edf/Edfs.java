package io.slipway.edf;

import io.slipway.config.Installation;
import io.slipway.config.SlipwayConfig;
import io.slipway.toml.ParsedFileCache;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The entry point of the EDF engine. Everything a resolution depends on is passed in (the
 * environment the user or job sees, the working directory, the configuration), so the same call
 * gives the same answer in srun, on a compute node and in a test.
 */
public final class Edfs {

    /**
     * @param environment the environment of the caller: HOME and EDF_PATH for the search path, and
     *     the host side of {@code ${VAR}} expansion
     * @param cwd where relative paths start
     * @param warnings receives accepted-but-suspicious findings such as unknown keys
     */
    public record Context(Map<String, String> environment, Path cwd, SlipwayConfig config,
            Consumer<EdfWarning> warnings) {

        public Context {
            environment = Map.copyOf(environment);
            cwd = cwd.toAbsolutePath().normalize();
        }

        public EdfSearchPath searchPath() {
            return EdfSearchPath.of(environment, config);
        }
    }

    private Edfs() {}

    /** Reads {@code argument} (a name or a path) and all its bases. Base names expand with the host environment. */
    public static LoadedEdf load(String argument, Context context) {
        return load(argument, context, file -> { });
    }

    /**
     * As {@link #load(String, Context)}, telling {@code consulted} of every file it looks at (found
     * or not, before looking): with {@link #variablesNamed}, everything the answer depends on.
     */
    public static LoadedEdf load(String argument, Context context, Consumer<Path> consulted) {
        return load(argument, context, consulted,
                ParsedFileCache.forUser(context.environment(), Installation.buildSignature()));
    }

    /** As {@link #load(String, Context, Consumer)}, with the files found in {@code cache} while unchanged. */
    static LoadedEdf load(String argument, Context context, Consumer<Path> consulted, ParsedFileCache cache) {
        EdfLocator locator = new EdfLocator(context.searchPath(), context.cwd(), consulted);
        return new EdfLoader(locator, Variables.ofHost(context.environment()), context.warnings(), cache)
                .load(argument);
    }

    /**
     * Every variable name an expansion of {@code loaded} could look up, from the values as parsed
     * (so a {@code $} written as a TOML escape counts): a superset, since a name in a default that
     * is not taken is included too.
     */
    public static Set<String> variablesNamed(LoadedEdf loaded) {
        Set<String> names = new TreeSet<>();
        for (EdfFile file : loaded.layers()) {
            file.expandable().forEach(value -> Expander.namesIn(value.text(), names));
        }
        return names;
    }

    /** Resolves with the host environment only, as at submission time. */
    public static ResolvedEdf resolve(String argument, Context context) {
        return resolve(load(argument, context), Map.of(), context);
    }

    /**
     * The image {@code loaded} names, without resolving the rest: what the runtime needs to fetch
     * the image whose variables the full resolution then uses. Prints no warnings.
     */
    public static String image(LoadedEdf loaded, Context context) {
        return EdfResolver.image(loaded, Variables.ofHost(context.environment()), context.cwd());
    }

    /**
     * The {@code containerfile} of {@code loaded} (absolute), or empty: with {@link #image}, what
     * the runtime needs to build a missing image file before resolving the rest.
     */
    public static java.util.Optional<Path> containerfile(LoadedEdf loaded, Context context) {
        String recipe = EdfResolver.containerfile(loaded, Variables.ofHost(context.environment()), context.cwd());
        return java.util.Optional.ofNullable(recipe).map(Path::of);
    }

    /**
     * The submission-time check: resolves with the host environment only. A variable the host
     * lacks may come from the image, which is not known yet, so it expands to "" here and its name
     * is returned; when such names exist, an error found after expanding them is left for the node
     * to report, because the image may define them.
     *
     * @return the names left for the image to define
     */
    public static Set<String> checkAtSubmission(LoadedEdf loaded, Context context) {
        Set<String> deferred = new TreeSet<>();
        Variables variables = Variables.deferringUnknown(context.environment(), deferred);
        try {
            EdfResolver.resolve(loaded, variables, context.cwd(), context.warnings());
        } catch (EdfException e) {
            if (deferred.isEmpty()) {
                throw e;
            }
        }
        return deferred;
    }

    /** {@code loaded} as one string that can travel with a job; see {@link #uncarry}. */
    public static String carry(LoadedEdf loaded) {
        return EdfCarrier.pack(loaded);
    }

    /** The EDF {@link #carry} packed, parsed again (warnings go to {@code warnings}). */
    public static LoadedEdf uncarry(String carried, Consumer<EdfWarning> warnings) {
        return EdfCarrier.unpack(carried, warnings);
    }

    /** Resolves again once the image environment is known, as the runtime does. */
    public static ResolvedEdf resolve(LoadedEdf loaded, Map<String, String> imageEnvironment, Context context) {
        Variables variables = new Variables(context.environment(), imageEnvironment);
        return EdfResolver.resolve(loaded, variables, context.cwd(), context.warnings());
    }
}

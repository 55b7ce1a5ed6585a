package io.slipway.edf;

import io.slipway.toml.ParsedFileCache;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Reads an EDF and, recursively, its {@code base_environment} entries. */
final class EdfLoader {

    /** The top-level file and 9 levels of bases: 10 files in one chain. */
    static final int MAX_CHAIN = 10;

    private final EdfLocator locator;
    private final Variables variables;
    private final Consumer<EdfWarning> warnings;
    private final ParsedFileCache cache;

    EdfLoader(EdfLocator locator, Variables variables, Consumer<EdfWarning> warnings, ParsedFileCache cache) {
        this.locator = locator;
        this.variables = variables;
        this.warnings = warnings;
        this.cache = cache;
    }

    LoadedEdf load(String argument) {
        List<EdfFile> layers = new ArrayList<>();
        Located top = new Located(argument, "environment", "--environment=" + argument);
        visit(top, new ArrayDeque<>(), layers);
        return new LoadedEdf(layers);
    }

    private void visit(Located reference, Deque<Path> chain, List<EdfFile> out) {
        String expanded = EdfResolver.expand(reference, variables);
        Path file = locator.locate(expanded, reference.where());
        Path identity = realPath(file);
        if (chain.contains(identity)) {
            throw reference.error("inheritance cycle: " + describe(chain, identity));
        }
        if (chain.size() == MAX_CHAIN) {
            throw reference.error("base_environment chain is longer than " + MAX_CHAIN + " files: "
                    + describe(chain, identity));
        }
        EdfFile parsed = parse(file, reference);
        chain.addLast(identity);
        for (Located base : parsed.bases()) {
            visit(base, chain, out);
        }
        chain.removeLast();
        out.add(parsed);
    }

    /**
     * The file as parsed, from the cache while it is unchanged. A file with warnings is not kept:
     * the user should see them every time.
     */
    private EdfFile parse(Path file, Located reference) {
        ParsedFileCache.Entry entry = cache.entry("edf", file);
        Optional<EdfFile> kept = entry.value().flatMap(EdfFileJson::read);
        if (kept.isPresent()) {
            return kept.get();
        }
        List<EdfWarning> found = new ArrayList<>();
        EdfFile parsed = EdfParser.parse(file, read(file, reference), w -> {
            found.add(w);
            warnings.accept(w);
        });
        if (found.isEmpty()) {
            entry.store(EdfFileJson.write(parsed));
        }
        return parsed;
    }

    private static String describe(Deque<Path> chain, Path next) {
        return chain.stream().map(Path::toString).collect(Collectors.joining(" -> ")) + " -> " + next;
    }

    private static Path realPath(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file;
        }
    }

    private static String read(Path file, Located reference) {
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new EdfException(file.toString(), "not a UTF-8 text file");
        } catch (IOException e) {
            throw reference.error("cannot read " + file + ": " + e.getMessage());
        }
    }
}

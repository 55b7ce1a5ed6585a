package io.slipway.edf;

import java.nio.file.Path;
import java.util.List;

/**
 * An EDF and all its bases, read and parsed but not yet expanded: the files in the order they
 * apply (each base before the file that names it, bases left to right). Expansion needs the
 * image environment, which the runtime learns later, so this is kept apart from resolution.
 */
public record LoadedEdf(List<EdfFile> layers) {

    public LoadedEdf {
        layers = List.copyOf(layers);
    }

    public List<Path> sources() {
        return layers.stream().map(EdfFile::path).toList();
    }
}

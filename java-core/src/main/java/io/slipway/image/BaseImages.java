package io.slipway.image;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The registries a Containerfile pulls its bases from, read from its {@code FROM} lines, so that
 * the build gets the credentials Slipway knows for them. Bases named through build arguments
 * ({@code FROM $BASE}), {@code scratch} and earlier stages pull nothing that can be known here.
 */
final class BaseImages {

    /** Docker's name for Docker Hub in references and auth files. */
    static final String DOCKER_HUB = "docker.io";

    private BaseImages() {}

    static Set<String> registries(String containerfile) {
        Set<String> stages = new LinkedHashSet<>();
        Set<String> registries = new LinkedHashSet<>();
        for (String line : containerfile.replace("\\\n", " ").split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equalsIgnoreCase("FROM")) {
                continue;
            }
            int i = 1;
            while (i < words.length && words[i].startsWith("--")) {
                i++;
            }
            if (i >= words.length) {
                continue;
            }
            String image = words[i];
            boolean earlierStage = stages.contains(image.toLowerCase(Locale.ROOT));
            if (i + 2 < words.length && words[i + 1].equalsIgnoreCase("AS")) {
                stages.add(words[i + 2].toLowerCase(Locale.ROOT));
            }
            if (earlierStage || image.contains("$") || image.equalsIgnoreCase("scratch")) {
                continue;
            }
            registries.add(registry(image));
        }
        return registries;
    }

    /** Docker's rule: a first component with a dot, a colon or {@code localhost} is a registry. */
    static String registry(String image) {
        int slash = image.indexOf('/');
        if (slash > 0) {
            String first = image.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return first;
            }
        }
        return DOCKER_HUB;
    }
}

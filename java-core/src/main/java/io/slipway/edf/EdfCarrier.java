package io.slipway.edf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs a loaded EDF into one JSON string and back. The files travel parsed, not resolved: the
 * compute node must still expand with the image's variables, and every value keeps its
 * file:line for errors found there. Parsed, so that the node never starts the TOML parser
 * (version 1 carried the texts, parsed again on the node; it is still read, for jobs queued
 * before an upgrade). Files are stored in layer order, so the base references need no search
 * path on the node.
 */
final class EdfCarrier {

    private static final int VERSION = 2;
    private static final int TEXTS = 1;

    private EdfCarrier() {}

    static String pack(LoadedEdf loaded) {
        ObjectNode root = Json.object();
        root.put("version", VERSION);
        ArrayNode files = root.putArray("files");
        for (EdfFile file : loaded.layers()) {
            files.add(EdfFileJson.write(file));
        }
        return Json.write(root);
    }

    static LoadedEdf unpack(String packed, Consumer<EdfWarning> warnings) {
        JsonNode root;
        try {
            root = Json.read(packed);
        } catch (JsonProcessingException e) {
            throw new SlipwayException("the EDF carried with the job is damaged: " + e.getOriginalMessage());
        }
        int version = root == null ? 0 : root.path("version").asInt();
        if ((version != VERSION && version != TEXTS) || !root.path("files").isArray() || root.path("files").isEmpty()) {
            throw new SlipwayException("the EDF carried with the job has an unknown format; submit the job again"
                    + " with this Slipway version");
        }
        List<EdfFile> layers = new ArrayList<>();
        for (JsonNode file : root.path("files")) {
            if (version == TEXTS) {
                layers.add(EdfParser.parse(Path.of(file.path("path").asText()), file.path("text").asText(), warnings));
            } else {
                layers.add(EdfFileJson.read(file).orElseThrow(() ->
                        new SlipwayException("the EDF carried with the job is damaged; submit the job again")));
            }
        }
        return new LoadedEdf(layers);
    }
}

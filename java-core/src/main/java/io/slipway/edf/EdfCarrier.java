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
 * Packs a loaded EDF into one JSON string and back. The texts of its files travel, not a resolved
 * result: the compute node must still expand with the image's variables, and parsing the same text
 * again gives the same file:line in any error. Files are stored in layer order, so the base
 * references need no search path on the node.
 */
final class EdfCarrier {

    private static final int VERSION = 1;

    private EdfCarrier() {}

    static String pack(LoadedEdf loaded) {
        ObjectNode root = Json.object();
        root.put("version", VERSION);
        ArrayNode files = root.putArray("files");
        for (EdfFile file : loaded.layers()) {
            files.addObject().put("path", file.path().toString()).put("text", file.text());
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
        if (root == null || root.path("version").asInt() != VERSION || !root.path("files").isArray()
                || root.path("files").isEmpty()) {
            throw new SlipwayException("the EDF carried with the job has an unknown format; submit the job again"
                    + " with this Slipway version");
        }
        List<EdfFile> layers = new ArrayList<>();
        for (JsonNode file : root.path("files")) {
            layers.add(EdfParser.parse(Path.of(file.path("path").asText()), file.path("text").asText(), warnings));
        }
        return new LoadedEdf(layers);
    }
}

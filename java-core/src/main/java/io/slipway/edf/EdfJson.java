package io.slipway.edf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link ResolvedEdf}: what {@code slipway edf render} prints. Written with
 * the tree model ({@link Json}): an {@code ObjectMapper} would cost the command some 50 ms of
 * set-up and annotation reading. Reading it back (tests, tools) uses data binding.
 */
public final class EdfJson {

    private EdfJson() {}

    public static String write(ResolvedEdf edf) {
        ObjectNode o = Json.object();
        o.put("image", edf.image());
        o.put("containerfile", edf.containerfile());
        o.put("workdir", edf.workdir());
        o.put("entrypoint", edf.entrypoint());
        o.put("writable", edf.writable());
        ArrayNode mounts = o.putArray("mounts");
        for (Mount m : edf.mounts()) {
            ObjectNode mount = mounts.addObject().put("source", m.source()).put("destination", m.destination());
            texts(mount.putArray("flags"), m.flags());
        }
        texts(o.putArray("devices"), edf.devices());
        strings(o.putObject("env"), edf.env());
        strings(o.putObject("annotations"), edf.annotations());
        texts(o.putArray("sources"), edf.sources());
        return Json.pretty(o);
    }

    private static void texts(ArrayNode array, List<String> texts) {
        texts.forEach(array::add);
    }

    private static void strings(ObjectNode object, Map<String, String> values) {
        values.forEach(object::put);
    }

    public static ResolvedEdf read(String json) {
        try {
            return Reader.MAPPER.readValue(json, ResolvedEdf.class);
        } catch (JsonProcessingException e) {
            throw new SlipwayException("not a resolved EDF: " + e.getOriginalMessage());
        }
    }

    /** Made only when something reads: writing never pays for it. */
    private static final class Reader {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }
}

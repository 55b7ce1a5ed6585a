package io.slipway.edf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;

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
            m.flags().forEach(mount.putArray("flags")::add);
        }
        edf.devices().forEach(o.putArray("devices")::add);
        edf.env().forEach(o.putObject("env")::put);
        edf.annotations().forEach(o.putObject("annotations")::put);
        edf.sources().forEach(o.putArray("sources")::add);
        return Json.pretty(o);
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

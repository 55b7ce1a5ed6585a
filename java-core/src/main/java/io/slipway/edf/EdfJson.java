package io.slipway.edf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.slipway.SlipwayException;

/** The JSON form of a {@link ResolvedEdf}: what {@code slipway edf render} prints and what travels to nodes. */
public final class EdfJson {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private EdfJson() {}

    public static String write(ResolvedEdf edf) {
        try {
            return MAPPER.writeValueAsString(edf);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a resolved EDF always serializes", e);
        }
    }

    public static ResolvedEdf read(String json) {
        try {
            return MAPPER.readValue(json, ResolvedEdf.class);
        } catch (JsonProcessingException e) {
            throw new SlipwayException("not a resolved EDF: " + e.getOriginalMessage());
        }
    }
}

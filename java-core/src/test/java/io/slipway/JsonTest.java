package io.slipway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Json reads and writes what ObjectMapper did, without its start-up cost. */
class JsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String DOCUMENT = "{\"s\":\"a\\\"b\\u00e9\\n\",\"i\":3,\"l\":12345678901,\"big\":123456789012345678901234,"
            + "\"f\":1.5,\"t\":true,\"n\":null,\"a\":[1,\"x\",[],{}],\"o\":{\"k\":false}}";

    @Test
    void readsWhatObjectMapperReads() throws Exception {
        JsonNode ours = Json.read(DOCUMENT);
        assertThat(ours).isEqualTo(MAPPER.readTree(DOCUMENT));
        assertThat(ours.get("big").bigIntegerValue()).isEqualTo(new BigInteger("123456789012345678901234"));
        assertThat(ours.get("i").isInt()).isTrue();
        assertThat(ours.get("l").isLong()).isTrue();
    }

    @Test
    void writesWhatObjectMapperWrites() throws Exception {
        JsonNode tree = MAPPER.readTree(DOCUMENT);
        assertThat(Json.write(tree)).isEqualTo(tree.toString());
        assertThat(Json.pretty(tree)).isEqualTo(tree.toPrettyString());
        assertThat(Json.read(Json.write(tree))).isEqualTo(tree);
    }

    @Test
    void aLaterDuplicateKeyWinsAndEmptyInputIsMissing() throws Exception {
        assertThat(Json.read("{\"a\":1,\"a\":2}").get("a").asInt()).isEqualTo(2);
        assertThat(Json.read("").isMissingNode()).isTrue();
        assertThat(Json.read("  \n").isMissingNode()).isTrue();
    }

    @Test
    void brokenDocumentsAreJsonProcessingExceptions() {
        assertThatThrownBy(() -> Json.read("{oops")).isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> Json.read("{\"a\":1} {")).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("trailing content");
        assertThatThrownBy(() -> Json.read("[1,")).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void stringsGivesAnObjectOfStringsInOrderAndNullOtherwise() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("B", "1");
        expected.put("A", null);
        assertThat(Json.strings(Json.read("{\"B\":\"1\",\"A\":null}"))).containsExactlyEntriesOf(expected);
        assertThat(Json.strings(Json.read("[1]"))).isNull();
    }

    @Test
    void textsGivesEachElementsTextAndNothingForAMissingArray() throws Exception {
        JsonNode doc = Json.read("{\"a\":[\"x\",1,true]}");
        assertThat(Json.texts(doc.path("a"))).containsExactly("x", "1", "true");
        assertThat(Json.texts(doc.path("missing"))).isEmpty();
    }

    @Test
    void treesBuiltHereAreOrdinaryJacksonTrees() {
        ObjectNode o = Json.object().put("x", 1);
        o.set("list", Json.array().add("y"));
        assertThat(Json.write(o)).isEqualTo("{\"x\":1,\"list\":[\"y\"]}");
    }
}

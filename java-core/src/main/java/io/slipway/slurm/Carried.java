package io.slipway.slurm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.Json;
import io.slipway.SlipwayException;

/**
 * What travels from srun, sbatch or salloc to the compute nodes in the job's environment: the
 * --environment argument, the EDF's files as read at submission ({@code Edfs.carry}), and how many
 * -v the user gave, so the node knows whether to report its decisions.
 */
record Carried(String environment, String edf, int verbose) {


    String toJson() {
        return Json.write(Json.object().put("environment", environment).put("edf", edf).put("verbose", verbose));
    }

    static Carried parse(String json) {
        try {
            JsonNode node = Json.read(json);
            if (node == null || !node.path("environment").isTextual() || !node.path("edf").isTextual()) {
                throw new SlipwayException("the EDF carried with the job is damaged; submit the job again");
            }
            return new Carried(node.path("environment").asText(), node.path("edf").asText(),
                    node.path("verbose").asInt(0));
        } catch (JsonProcessingException e) {
            throw new SlipwayException("the EDF carried with the job is damaged; submit the job again");
        }
    }
}

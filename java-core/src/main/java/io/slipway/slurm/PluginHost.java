package io.slipway.slurm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.Json;
import io.slipway.SlipwayException;
import io.slipway.config.ConfigLoader;
import io.slipway.config.Installation;
import io.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JNI host's entry point: one request in, one answer out, both UTF-8 JSON. Every failure
 * becomes an answer with {@code "ok": false} and a user-facing {@code error}; the plugin prints it
 * as "slipway: ..." lines and fails the command or the step. Warnings and image-pull progress go
 * straight to stderr, which is the user's terminal (srun) or the task's stderr (slurmstepd).
 */
public final class PluginHost {


    private PluginHost() {}

    /**
     * The same exchange without JNI, for debugging and for recording the class-data-sharing
     * archive: the request on stdin, the answer on stdout.
     */
    public static void main(String[] args) throws IOException {
        byte[] answer = handle(System.in.readAllBytes());
        System.out.write(answer);
        System.out.println();
        System.out.flush();
    }

    /** Called by spank-c/slipway-jvmhost.c. Never throws. */
    public static byte[] handle(byte[] request) {
        PrintWriter err = new PrintWriter(System.err, true);
        ObjectNode answer;
        try {
            answer = dispatch(PluginRequest.of(Json.read(request)), err);
            answer.put("ok", true);
        } catch (SlipwayException e) {
            answer = Json.object().put("ok", false).put("error", e.getMessage());
        } catch (IOException e) {
            answer = Json.object().put("ok", false).put("error", "the plugin's request is not valid JSON: "
                    + e.getMessage());
        } catch (RuntimeException | Error e) {
            // A bug, not a user error: keep the trace for the administrator, give the user one line.
            e.printStackTrace(err);
            answer = Json.object().put("ok", false).put("error", "internal error in the Java core: " + e);
        }
        err.flush();
        return Json.write(answer).getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode dispatch(PluginRequest request, PrintWriter err) {
        return switch (request.op()) {
            case "validate" -> new SubmissionCheck(request, config(request), err).run();
            case "start" -> new StepContainer(request, config(request), err).start();
            case "stop" -> new StepContainer(request, config(request), err).stop();
            default -> throw new SlipwayException("unknown request '" + request.op() + "' from the plugin (is the"
                    + " plugin the same Slipway version as the jar?)");
        };
    }

    private static SlipwayConfig config(PluginRequest request) {
        return ConfigLoader.load(request.configEnvironment(), Installation.current());
    }

    static ObjectNode answer(List<String> messages) {
        ObjectNode node = Json.object();
        messages.forEach(node.putArray("messages")::add);
        return node;
    }
}

package io.slipway.hooks;

import java.util.Locale;

/** The OCI lifecycle stages a hook may attach to, in the order they happen. */
public enum Stage {
    PRESTART("prestart", "creating"),
    CREATE_RUNTIME("createRuntime", "creating"),
    CREATE_CONTAINER("createContainer", "creating"),
    START_CONTAINER("startContainer", "created"),
    POSTSTART("poststart", "running"),
    POSTSTOP("poststop", "stopped");

    private final String jsonName;
    private final String status;

    Stage(String jsonName, String status) {
        this.jsonName = jsonName;
        this.status = status;
    }

    public String jsonName() {
        return jsonName;
    }

    /** The container status the hook sees in its state. */
    public String status() {
        return status;
    }

    /** Whether a failure aborts the start (true) or is only reported. */
    public boolean fatal() {
        return this != POSTSTART && this != POSTSTOP;
    }

    /** Whether the hook runs inside the container's namespaces (false: the host's). */
    public boolean inContainer() {
        return this == CREATE_CONTAINER || this == START_CONTAINER;
    }

    public static Stage ofJson(String name) {
        for (Stage s : values()) {
            if (s.jsonName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException(name.toLowerCase(Locale.ROOT));
    }
}

package io.slipway.runtime;

import io.slipway.image.ImportedImage;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to start one container, planned in Java before any helper runs.
 *
 * @param identity the user as seen inside (root with remap-root)
 * @param systemMounts system mounts, site mounts and mounts.d entries: mounted before shell hooks
 * @param userMounts EDF and command-line mounts, then EDF devices: mounted after hook mounts
 * @param environment host, then image, then identity, then environ.d (before hooks)
 * @param overrides EDF and command-line env, applied after the hooks' lines; null or empty unsets
 * @param prepareDirs container directories the user must be able to create mount points in
 */
public record ContainerSpec(String id, ImportedImage image, Identity identity, boolean remapRoot, boolean writable,
        boolean nativeOverlay, List<FstabEntry> systemMounts, List<FstabEntry> userMounts,
        Map<String, String> environment, Map<String, String> overrides, String workdir, List<String> argv,
        Map<String, String> annotations, List<String> prepareDirs, boolean hasBindMounts) {}

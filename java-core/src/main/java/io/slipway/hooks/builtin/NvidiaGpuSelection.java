package io.slipway.hooks.builtin;

import io.slipway.SlipwayException;
import io.slipway.hooks.builtin.NvidiaDiscovery.Gpu;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which GPUs a container gets: what its {@code NVIDIA_VISIBLE_DEVICES} asks for, within what the
 * job was given on the host, and the {@code CUDA_VISIBLE_DEVICES} the container must see then.
 *
 * @param gpus the GPUs to expose, by index
 * @param cudaVisibleDevices the container's new CUDA_VISIBLE_DEVICES, or empty to leave it alone
 */
record NvidiaGpuSelection(List<Gpu> gpus, Optional<String> cudaVisibleDevices) {

    /** What {@code NVIDIA_VISIBLE_DEVICES} asks for. {@code ids} is null for "all", empty for "none". */
    record Request(String value, List<String> ids) {

        /** The request of a value; empty when the hook has nothing to do (unset, empty, {@code void}). */
        static Optional<Request> parse(String value) {
            String v = value == null ? "" : value.trim();
            if (v.isEmpty() || v.equalsIgnoreCase("void")) {
                return Optional.empty();
            }
            if (v.equalsIgnoreCase("all")) {
                return Optional.of(new Request(v, null));
            }
            if (v.equalsIgnoreCase("none")) {
                return Optional.of(new Request(v, List.of()));
            }
            return Optional.of(new Request(v, splitIds(v)));
        }

        /** Whether it names GPUs (rather than all, or none). */
        boolean namesGpus() {
            return ids != null && !ids.isEmpty();
        }
    }

    /**
     * The GPUs the job was given on this node. {@code ids} is null for "every GPU of the node".
     *
     * @param source where it comes from, for messages ("SLURM_STEP_GPUS=2,3")
     * @param fromCuda whether {@code ids} are the host's CUDA_VISIBLE_DEVICES (then the container's
     *     is the same list renumbered, in the same order)
     */
    record Allocation(String source, List<String> ids, boolean fromCuda) {

        /**
         * The allocation the host environment shows: Slurm's {@code SLURM_STEP_GPUS}, else
         * {@code SLURM_JOB_GPUS} (the node's GPU numbers, whatever cgroup Slurm confines the
         * step to), else {@code CUDA_VISIBLE_DEVICES} (not {@code NoDevFiles}). Without any of
         * them: inside a Slurm job, {@code withoutAllocation} decides ("all" or "none"); outside
         * one, every GPU of the node.
         */
        static Allocation fromHost(Map<String, String> host, String withoutAllocation) {
            for (String name : List.of("SLURM_STEP_GPUS", "SLURM_JOB_GPUS")) {
                String v = host.get(name);
                if (v != null && !v.isBlank()) {
                    return new Allocation(name + "=" + v, splitIds(v), false);
                }
            }
            String cuda = host.get("CUDA_VISIBLE_DEVICES");
            if (cuda != null && !cuda.isBlank() && !cuda.trim().equals("NoDevFiles")) {
                return new Allocation("CUDA_VISIBLE_DEVICES=" + cuda, splitIds(cuda), true);
            }
            if (host.containsKey("SLURM_JOB_ID")) {
                String mode = withoutAllocation == null ? "" : withoutAllocation.trim().toLowerCase(Locale.ROOT);
                return switch (mode) {
                    case "all" -> new Allocation("no GPU allocation in Slurm job " + host.get("SLURM_JOB_ID")
                            + " (NVIDIA_GPUS_WITHOUT_ALLOCATION=all)", null, false);
                    case "none", "" -> new Allocation("no GPU allocation in Slurm job " + host.get("SLURM_JOB_ID"),
                            List.of(), false);
                    default -> throw new SlipwayException("NVIDIA_GPUS_WITHOUT_ALLOCATION must be all or none, not '"
                            + withoutAllocation + "'");
                };
            }
            return new Allocation("every GPU of the node (no Slurm job)", null, false);
        }

        /** Whether it names GPUs (the job was given some). */
        boolean namesGpus() {
            return ids != null && !ids.isEmpty();
        }
    }

    /**
     * The selection for {@code request} within {@code allocation} on a node with {@code inventory}.
     *
     * @throws SlipwayException when the request or the allocation names a GPU the node lacks, or
     *     the request names one the allocation does not include
     */
    static NvidiaGpuSelection select(Request request, Allocation allocation, List<Gpu> inventory) {
        List<Gpu> allowed = allocation.ids() == null ? inventory
                : resolve(allocation.ids(), inventory, "the job's allocation (" + allocation.source() + ")");
        List<Gpu> chosen;
        List<Gpu> order;
        if (request.ids() == null) {
            chosen = allowed;
            order = allocation.ids() == null ? null : allowed;
        } else {
            chosen = resolve(request.ids(), inventory, "NVIDIA_VISIBLE_DEVICES=" + request.value());
            for (Gpu g : chosen) {
                if (!allowed.contains(g)) {
                    throw new SlipwayException("NVIDIA_VISIBLE_DEVICES=" + request.value() + " asks for GPU "
                            + g.index() + ", which the job was not given (" + allocation.source() + ")");
                }
            }
            order = chosen.isEmpty() ? null : chosen;
        }
        List<Gpu> sorted = chosen.stream().distinct().sorted(Comparator.comparingInt(Gpu::index)).toList();
        Optional<String> cuda = order == null ? Optional.empty()
                : Optional.of(order.stream().distinct().map(g -> Integer.toString(sorted.indexOf(g)))
                        .collect(Collectors.joining(",")));
        return new NvidiaGpuSelection(sorted, cuda);
    }

    /** The node's numbers of the selected GPUs, "0,2" (what NVIDIA_VISIBLE_DEVICES says inside, and --device). */
    String indices() {
        return gpus.stream().map(g -> Integer.toString(g.index())).collect(Collectors.joining(","));
    }

    private static List<Gpu> resolve(List<String> ids, List<Gpu> inventory, String where) {
        List<Gpu> out = new ArrayList<>();
        for (String id : ids) {
            out.add(resolve(id, inventory, where));
        }
        return out;
    }

    /** A GPU by index ("2") or UUID ("GPU-8f2c..." or a unique prefix of one). */
    private static Gpu resolve(String id, List<Gpu> inventory, String where) {
        if (id.startsWith("MIG-") || id.matches("\\d+:\\d+")) {
            throw new SlipwayException(where + ": MIG device '" + id + "' is not supported; name whole GPUs");
        }
        List<Gpu> found;
        if (id.matches("\\d+")) {
            int index = Integer.parseInt(id);
            found = inventory.stream().filter(g -> g.index() == index).toList();
        } else {
            found = inventory.stream().filter(g -> g.uuid() != null && g.uuid().startsWith(id)).toList();
        }
        if (found.size() != 1) {
            throw new SlipwayException(where + ": " + (found.isEmpty() ? "no GPU '" : "more than one GPU matches '")
                    + id + "' on this node (its GPUs: " + describe(inventory) + ")");
        }
        return found.get(0);
    }

    private static String describe(List<Gpu> inventory) {
        return inventory.isEmpty() ? "none" : inventory.stream()
                .map(g -> g.index() + (g.uuid() == null ? "" : " " + g.uuid())).collect(Collectors.joining(", "));
    }

    private static List<String> splitIds(String list) {
        return Stream.of(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

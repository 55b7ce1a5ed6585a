package io.slipway.edf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every EDF printed in the CSCS Container Engine documentation (seed 000) and in the paper
 * (seed 003, listings 1 and 3-9), with their obvious typos fixed as noted.
 */
class SeedExamplesTest extends EdfTestBase {

    @BeforeEach
    void setUp() {
        f.env.put("SCRATCH", "/capstor/scratch/cscs/alice");
    }

    @Test
    void quickStartUbuntu() {
        f.user("ubuntu", """
                image = "library/ubuntu:24.04"
                mounts = ["/capstor/scratch/cscs/${USER}:/capstor/scratch/cscs/${USER}"]
                workdir = "/capstor/scratch/cscs/${USER}"
                """);
        ResolvedEdf edf = f.resolve("ubuntu");
        assertThat(edf.image()).isEqualTo("library/ubuntu:24.04");
        assertThat(edf.mounts()).containsExactly(new Mount("/capstor/scratch/cscs/alice", "/capstor/scratch/cscs/alice", List.of()));
        assertThat(edf.workdir()).isEqualTo("/capstor/scratch/cscs/alice");
    }

    @Test
    void manuallyPulledSquashfsImage() {
        f.user("example", "image = \"/capstor/scratch/cscs/${USER}/nvidia+cuda+11.8.0-cudnn8-devel-ubuntu22.04.sqsh\"\n");
        assertThat(f.resolve("example").image())
                .isEqualTo("/capstor/scratch/cscs/alice/nvidia+cuda+11.8.0-cudnn8-devel-ubuntu22.04.sqsh");
    }

    @Test
    void imageReferenceExamples() {
        for (String image : List.of("library/ubuntu:24.04", "docker.io#library/ubuntu:24.04",
                "nvcr.io#nvidia/pytorch:22.12-py3", "quay.io#madeeks/osu-mb:6.2-mpich4.1-ubuntu22.04-arm64",
                "nvcr.io#nvidia/nvhpc:23.7-runtime-cuda11.8-ubuntu22.04", "/path/to/image.squashfs")) {
            assertThat(f.text("image = \"" + image + "\"\n").image()).isEqualTo(image);
        }
    }

    @Test
    void baseEnvironmentExamples() {
        f.user("common_env", "image = \"common\"\n[env]\nA = \"common\"\n");
        f.user("ml_pytorch_env1", "image = \"pytorch\"\n");
        assertThat(f.text("base_environment = \"common_env\"\n").image()).isEqualTo("common");
        ResolvedEdf edf = f.text("base_environment = [\"common_env\", \"ml_pytorch_env1\"]\n");
        assertThat(edf.image()).isEqualTo("pytorch");
        assertThat(edf.env()).containsEntry("A", "common");
    }

    @Test
    void scalarFieldExamples() {
        assertThat(f.text("image = \"x\"\nworkdir = \"/home/user/projects\"\n").workdir()).isEqualTo("/home/user/projects");
        assertThat(f.text("image = \"x\"\nworkdir = \"/tmp\"\n").workdir()).isEqualTo("/tmp");
        assertThat(f.text("image = \"x\"\nentrypoint = false\n").entrypoint()).isFalse();
        assertThat(f.text("image = \"x\"\nwritable = true\n").writable()).isTrue();
    }

    @Test
    void mountExamples() {
        assertThat(f.text("image = \"x\"\nmounts = [\"/capstor/scratch/cscs/amadonna:/capstor/scratch/cscs/amadonna\"]\n")
                .mounts()).containsExactly(new Mount("/capstor/scratch/cscs/amadonna", "/capstor/scratch/cscs/amadonna", List.of()));
        assertThat(f.text("image = \"x\"\nmounts = [\"${SCRATCH}:/scratch\"]\n").mounts())
                .containsExactly(new Mount("/capstor/scratch/cscs/alice", "/scratch", List.of()));
        assertThat(f.text("image = \"x\"\nmounts = [\"/a:/b:ro+private\"]\n").mounts().get(0).flags())
                .containsExactly("ro", "private");
    }

    @Test
    void envExamplesWithTheirTrailingCommasRemoved() {
        f.env.put("VAR_FROM_HOST", "nid001");
        f.env.put("PATH", "/usr/bin");
        assertThat(f.text("image = \"x\"\n[env]\nMY_RUN = \"production\"\nDEBUG = \"false\"\n").env())
                .isEqualTo(Map.of("MY_RUN", "production", "DEBUG", "false"));
        assertThat(f.text("image = \"x\"\n[env]\nMY_NODE = \"${VAR_FROM_HOST}\"\nPATH = \"${PATH}:/custom/bin\"\nDEBUG = \"true\"\n")
                .env()).isEqualTo(Map.of("MY_NODE", "nid001", "PATH", "/usr/bin:/custom/bin", "DEBUG", "true"));
    }

    @Test
    void annotationExamples() {
        assertThat(f.text("image = \"x\"\n[annotations]\ncom.hooks.cxi.enabled = \"false\"\n").annotations())
                .isEqualTo(Map.of("com.hooks.cxi.enabled", "false"));
        assertThat(f.text("""
                image = "x"
                [annotations.com.hooks.ssh]
                authorize_ssh_key = "/capstor/scratch/cscs/${USER}/tests/edf/authorized_keys"
                enabled = "true"
                """).annotations()).isEqualTo(Map.of(
                        "com.hooks.ssh.authorize_ssh_key", "/capstor/scratch/cscs/alice/tests/edf/authorized_keys",
                        "com.hooks.ssh.enabled", "true"));
        assertThat(f.text("""
                image = "x"
                [annotations]
                com.hooks.ssh.authorize_ssh_key = "/path/to/authorized_keys"
                com.hooks.ssh.enabled = "true"
                """).annotations()).containsEntry("com.hooks.ssh.authorize_ssh_key", "/path/to/authorized_keys");
    }

    @Test
    void hookSectionExamples() {
        assertThat(f.text("image = \"quay.io#madeeks/osu-mb:6.2-mpich4.1-ubuntu22.04-arm64\"\n\n[annotations]\n"
                + "com.hooks.cxi.enabled = \"false\"\n").annotations()).containsEntry("com.hooks.cxi.enabled", "false");
        assertThat(f.text("""
                image = "nvcr.io#nvidia/pytorch:22.12-py3"
                mounts = ["/capstor/scratch/cscs/${USER}:/capstor/scratch/cscs/${USER}"]

                [annotations]
                com.hooks.aws_ofi_nccl.enabled = "true"
                com.hooks.aws_ofi_nccl.variant = "cuda11"
                """).annotations()).containsEntry("com.hooks.aws_ofi_nccl.variant", "cuda11");
        assertThat(f.text("image = \"ubuntu:latest\"\n\n[annotations]\ncom.hooks.ssh.enabled = \"true\"\n"
                + "com.hooks.ssh.authorize_ssh_key = \"<public-key>\"\n").annotations()).hasSize(2);
        assertThat(f.text("image = \"nvcr.io#nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0-ubuntu22.04\"\n\n"
                + "[annotations]\ncom.hooks.nvidia_cuda_mps.enabled = \"true\"\n").annotations())
                .containsEntry("com.hooks.nvidia_cuda_mps.enabled", "true");
    }

    @Test
    void paperListing1EveryParameter() {
        f.user("parent_env0", "image = \"parent\"\n[env]\nFROM_PARENT = \"1\"\n");
        f.user("research_group_env", "mounts = [\"/group:/group\"]\n");
        f.env.put("SCRATCH", "/scratch/alice");
        ResolvedEdf edf = f.text("""
                base_environment = [
                    "parent_env0",
                    "research_group_env"
                ]
                image = "nvcr.io/nvidia/nvhpc:23.11-devel-cuda_multi-ubuntu22.04"
                containerfile = "./Containerfile.devtools"
                workdir = "/workdir"
                entrypoint = false
                writable = true
                mounts = [
                    "/user/experiment:/workdir",
                    "/configs:/workdir/configs",
                    "${SCRATCH}/data:/workdir/data"
                ]

                [env]
                MELLANOX_VISIBLE_DEVICES = "none"
                CONFDIR = "/workdir/configs"
                UNSET_BEFORE_RUNNING = ""

                [annotations]
                com.hooks.cxi.enable = true
                com.hooks.ofi_nccl.version = "cuda12"
                """);
        assertThat(edf.image()).isEqualTo("nvcr.io/nvidia/nvhpc:23.11-devel-cuda_multi-ubuntu22.04");
        assertThat(edf.containerfile()).isEqualTo(tmp.resolve("Containerfile.devtools").toString());
        assertThat(edf.workdir()).isEqualTo("/workdir");
        assertThat(edf.entrypoint()).isFalse();
        assertThat(edf.writable()).isTrue();
        assertThat(edf.mounts()).extracting(Mount::toEdfString).containsExactly("/group:/group",
                "/user/experiment:/workdir", "/configs:/workdir/configs", "/scratch/alice/data:/workdir/data");
        Map<String, String> env = new HashMap<>();
        env.put("FROM_PARENT", "1");
        env.put("MELLANOX_VISIBLE_DEVICES", "none");
        env.put("CONFDIR", "/workdir/configs");
        env.put("UNSET_BEFORE_RUNNING", null);
        assertThat(edf.env()).isEqualTo(env);
        assertThat(edf.annotations()).isEqualTo(Map.of("com.hooks.cxi.enable", "true", "com.hooks.ofi_nccl.version", "cuda12"));
        // The image is a registry reference, so the containerfile cannot be built: say so.
        assertThat(f.warnings).singleElement().asString().contains("containerfile: ignored");
    }

    @Test
    void paperListing3FourCastNet() {
        ResolvedEdf edf = f.text("""
                image = "${SCRATCH}/fcn-collaboration/ml+fourcastnet+22.12.sqsh"

                mounts = [
                    "${SCRATCH}/fcn-collaboration:/workdir",
                    "${SCRATCH}/fcn-results/:/output",
                    "${SCRATCH}/init_dir_fcn:/init_dir",
                    "${SCRATCH}/fcn-collaboration/profiler_output:/profiler_output",
                    "${SCRATCH}/m01/p_levels_raw:/input"
                ]
                workdir = "/workdir"

                [annotations]
                com.hooks.cxi.enable = true
                com.hooks.ofi_nccl.version = "cuda11"
                """);
        assertThat(edf.image()).isEqualTo("/capstor/scratch/cscs/alice/fcn-collaboration/ml+fourcastnet+22.12.sqsh");
        assertThat(edf.mounts()).hasSize(5);
        assertThat(edf.mounts().get(1)).isEqualTo(new Mount("/capstor/scratch/cscs/alice/fcn-results", "/output", List.of()));
    }

    /** Listing 4 as printed has "${SCRATCH}$:/scratch"; the stray '$' is a typo. */
    @Test
    void paperListings4And5DebugAddOn() {
        f.user("pytorch-24.01", """
                image = "nvcr.io/nvidia/pytorch:24.01-py3"

                mounts = [
                    "${SCRATCH}:/scratch"
                ]

                workdir = "/scratch"
                writable = true
                """);
        ResolvedEdf edf = f.text("""
                base_environment = "pytorch-24.01"

                workdir = "/scratch/ml/demo-Debug"
                writable = true

                [annotations.com.hooks.ssh]
                enabled = "true"
                port = "51234"
                authorize_ssh_key = "${HOME}/.ssh/cscs-key.pub"
                """);
        assertThat(edf.image()).isEqualTo("nvcr.io/nvidia/pytorch:24.01-py3");
        assertThat(edf.workdir()).isEqualTo("/scratch/ml/demo-Debug");
        assertThat(edf.mounts()).containsExactly(new Mount("/capstor/scratch/cscs/alice", "/scratch", List.of()));
        assertThat(edf.annotations()).isEqualTo(Map.of("com.hooks.ssh.enabled", "true", "com.hooks.ssh.port", "51234",
                "com.hooks.ssh.authorize_ssh_key", f.home + "/.ssh/cscs-key.pub"));
    }

    @Test
    void paperListings6And7SystemDefaultsWithoutImage() {
        f.write("system/cscs-mlp.toml", """
                mounts = [
                    "${HOME}/.bash_history:/.bash_history",
                    "${SCRATCH}:${SCRATCH}",
                    "/tmp:/tmp"
                ]

                [env]
                HISTFILE = "/.bash_history"

                [annotations]
                com.hooks.cxi.enable = true
                com.hooks.ofi_nccl.version = "cuda12"
                """);
        ResolvedEdf edf = f.text("base_environment = \"cscs-mlp\"\nimage = \"nvcr.io/nvidia/pytorch:24.01-py3\"\n");
        assertThat(edf.image()).isEqualTo("nvcr.io/nvidia/pytorch:24.01-py3");
        assertThat(edf.mounts()).extracting(Mount::destination).containsExactly("/.bash_history",
                "/capstor/scratch/cscs/alice", "/tmp");
        assertThat(edf.env()).containsEntry("HISTFILE", "/.bash_history");
        assertThat(edf.sources()).containsExactly(f.system.resolve("cscs-mlp.toml").toString(), f.t());
    }

    @Test
    void paperListing9ContainerfileBuild() {
        ResolvedEdf edf = f.text("""
                image = "${SCRATCH}/my_images/pytorch-wandb.sqsh"
                containerfile = "${SCRATCH}/containerfiles/Containerfile.pytorch-24.01-wandb"
                """);
        assertThat(edf.image()).isEqualTo("/capstor/scratch/cscs/alice/my_images/pytorch-wandb.sqsh");
        assertThat(edf.containerfile()).isEqualTo("/capstor/scratch/cscs/alice/containerfiles/Containerfile.pytorch-24.01-wandb");
        assertThat(f.warnings).isEmpty();
    }
}

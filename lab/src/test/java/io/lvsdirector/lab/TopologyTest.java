package io.lvsdirector.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopologyTest {

    @Test
    void addressesFollowTheTopologyPlan() {
        assertThat(Topology.address("client")).isEqualTo("198.18.0.2");
        assertThat(Topology.address("dir2")).isEqualTo("198.18.0.12");
        assertThat(Topology.realServer(7)).isEqualTo("198.18.0.27");
        assertThatThrownBy(() -> Topology.address("router")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runCapturesOutputAndExitStatus() {
        ExecResult r = Lab.run(10, java.util.List.of("sh", "-c", "echo out; echo err >&2; exit 4"));
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThatThrownBy(r::orThrow).isInstanceOf(LabException.class).hasMessageContaining("exited 4");
    }
}

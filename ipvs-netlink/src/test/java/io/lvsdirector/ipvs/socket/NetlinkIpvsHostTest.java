package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.IpvsException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** What {@link NetlinkIpvs#open} says on the build host, whose kernel has generic netlink but no IPVS. */
class NetlinkIpvsHostTest {

    @Test
    void openWithoutIpvsIsEnoentNamingTheModule() {
        assumeThat(Files.exists(Path.of("/proc/net/ip_vs"))).as("host kernel has no IPVS").isFalse();
        assertThatThrownBy(NetlinkIpvs::open)
                .isInstanceOfSatisfying(IpvsException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.operation()).contains("IPVS").contains("ip_vs module");
                    assertThat(e.getCause()).isInstanceOf(GenlFamilyNotFoundException.class);
                });
    }

    @Test
    void openInMissingNamespaceIsEnoentNamingThePath() {
        assertThatThrownBy(() -> NetlinkIpvs.open("lvs-director-no-such-ns"))
                .isInstanceOfSatisfying(IpvsException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.operation()).contains("/run/netns/lvs-director-no-such-ns");
                });
    }
}

package io.lvsdirector.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.api.app.AppConfig;
import org.junit.jupiter.api.Test;

/** The {@code ecmp:} section as {@code lvs-director check} reads it. */
class EcmpConfigTest {

    @Test
    void checkRefusesBothModesAndBadRanges() throws Exception {
        for (String[] bad : new String[][] {
            {"ecmp:\n  enabled: true\n  vipRanges: [192.0.2.0/24]\nha:\n  enabled: true\n", "two modes"},
            {"ecmp:\n  enabled: true\n  vipRanges: []\n", "vipRanges"},
            {"ecmp:\n  enabled: true\n  vipRanges: [192.0.2.1/24]\n", "vipRanges"},
            {"ecmp:\n  enabled: true\n  vipRanges: [192.0.2.0/24]\n  interface: \"a b\"\n", "interface"},
        }) {
            AppConfig c = AppConfig.write("", bad[0]);
            var r = ConfigurationTest.run("check", c.file.toString());
            assertThat(r.error()).as(bad[0]).isPresent();
            assertThat(r.err() + r.error().get().getMessage()).as(bad[0]).contains(bad[1]);
        }
        AppConfig ok = AppConfig.write("", "ecmp:\n  enabled: true\n  vipRanges: [192.0.2.0/24, 2001:db8::/64]\n");
        var r = ConfigurationTest.run("check", ok.file.toString());
        assertThat(r.error()).isEmpty();
        assertThat(r.out()).contains("ecmp: VIPs in [192.0.2.0/24, 2001:db8::/64] announced on lvs-vips");
    }
}

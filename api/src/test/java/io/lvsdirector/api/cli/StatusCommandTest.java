package io.lvsdirector.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvsdirector.api.TestDirector;
import io.lvsdirector.ipvs.IpAddresses;
import io.lvsdirector.ipvs.RealServer;
import io.lvsdirector.ipvs.RealServerKey;
import io.lvsdirector.ipvs.RealServerSpec;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.spec.ServiceSpecJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

    static final String WEB = "{\"vip\": \"198.18.0.100\", \"port\": 80, \"scheduler\": \"rr\", \"realServers\":"
            + " {\"static\": [{\"address\": \"198.18.0.21\"}, {\"address\": \"198.18.0.22\", \"weight\": 2}]}}";

    @Test
    void showsDesiredAgainstKernelAndWhatDiffers() {
        TestDirector t = new TestDirector();
        t.store.put(new ServiceSpecJson().fromJson("web", WEB));
        t.director.loop().runOnce();
        VirtualServerKey key = VirtualServerKey.tcp("198.18.0.100", 80);
        // Someone changes a weight by hand, and adds a service of their own.
        t.ipvs.updateRealServer(key, new RealServer(new RealServerKey(IpAddresses.parse("198.18.0.22"), 80),
                RealServerSpec.directRoute(7)));
        t.ipvs.addService(new io.lvsdirector.ipvs.VirtualServer(VirtualServerKey.udp("198.18.0.200", 53),
                t.ipvs.services().get(0).spec()));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StatusCommand.print(new PrintStream(out, true, StandardCharsets.UTF_8), t.store.services(), t.store,
                t.ipvs.snapshot());
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("1 services desired, 2 in the kernel");
        assertThat(text).contains("web  TCP 198.18.0.100:80  in kernel");
        assertThat(text).containsPattern("198\\.18\\.0\\.21:80\\s+desired 1\\s+kernel 1 ");
        assertThat(text).containsPattern("198\\.18\\.0\\.22:80\\s+desired 2\\s+kernel 7 .*\\(differs\\)");
        assertThat(text).contains("(not managed)").contains("198.18.0.200");
    }
}

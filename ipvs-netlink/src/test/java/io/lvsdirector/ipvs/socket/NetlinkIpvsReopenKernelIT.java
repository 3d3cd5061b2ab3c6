package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.IpvsException;
import io.lvsdirector.ipvs.VirtualServer;
import io.lvsdirector.ipvs.VirtualServerKey;
import io.lvsdirector.lab.ExecResult;
import io.lvsdirector.lab.Ipvsadm;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.LabException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same {@link NetlinkIpvs} instance keeps working across an {@code ip_vs} module reload (the
 * family comes back with a new id) and across its socket being closed under it, in the lab's real
 * kernel. Every module unloaded here is loaded back, since other test classes share the boot.
 */
@Tag("kernel")
class NetlinkIpvsReopenKernelIT {

    private static final String NS = "reopenit" + ProcessHandle.current().pid();
    private static final VirtualServerKey WEB = VirtualServerKey.tcp("10.0.0.1", 80);
    /** The ip_vs modules loaded before the test, scheduler modules first (the order rmmod needs). */
    private static final List<String> loaded = new ArrayList<>();
    private static Path modroot;
    private static NetlinkIpvs ipvs;

    @BeforeAll
    static void namespace() throws Exception {
        Lab.requireKernel();
        Lab.check("ip", "netns", "add", NS);
        ipvs = NetlinkIpvs.open(NS);
        // modprobe looks under DIR/lib/modules/<release>; the lab kernel's modules are elsewhere, and
        // lab/uml-run made such a DIR for itself in its run directory.
        String rundir = System.getenv("LAB_RUNDIR");
        if (rundir == null) {
            throw new LabException("LAB_RUNDIR is not set: run kernel tests through lab/uml-run");
        }
        modroot = Path.of(rundir, "modroot");
        for (String line : Files.readAllLines(Path.of("/proc/modules"))) {
            String name = line.split(" ")[0];
            if (name.startsWith("ip_vs_")) {
                loaded.add(name);
            }
        }
        loaded.add("ip_vs");
    }

    @AfterAll
    static void restore() throws Exception {
        try {
            if (ipvs != null) {
                ipvs.close();
            }
            // Whatever happened above, every module that was loaded is loaded again.
            for (String m : reversed(loaded)) {
                Lab.run(60, List.of("modprobe", "-d", modroot.toString(), m));
            }
            assertThat(Files.exists(Path.of("/proc/net/ip_vs"))).isTrue();
        } finally {
            Lab.run(30, List.of("ip", "netns", "del", NS));
        }
    }

    @Test
    void theSameInstanceWorksAfterIpVsIsUnloadedAndLoadedAgain() throws Exception {
        ipvs.addService(VirtualServer.of(WEB, "rr"));
        assertThat(ipvsadm("-Ln")).contains("TCP 10.0.0.1:80 rr");
        ipvs.deleteService(WEB); // a service holds its scheduler's module
        int before = ipvs.familyId();

        unload();
        // IPVS is gone: the call says so with its errno.
        assertThatThrownBy(ipvs::services).isInstanceOfSatisfying(IpvsException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(Errno.ENOENT));

        load();
        // The next attempts (100 ms, then doubling) resolve the family again.
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            try {
                assertThat(ipvs.services()).isEmpty();
                break;
            } catch (IpvsException e) {
                assertThat(System.nanoTime() - deadline).as("reopened in time: %s", e.getMessage()).isNegative();
                Thread.sleep(50);
            }
        }
        System.out.println("ipvs family id before the reload " + before + ", after " + ipvs.familyId());
        assertThat(ipvs.familyId()).isNotEqualTo(before).isPositive();
        ipvs.addService(VirtualServer.of(WEB, "rr"));
        assertThat(ipvsadm("-Ln")).contains("TCP 10.0.0.1:80 rr");
        ipvs.deleteService(WEB);
        assertThat(ipvsadm("-Ln").lines().count()).isEqualTo(3);
    }

    @Test
    void aReloadBetweenTwoCallsCostsNotEvenOneFailedCall() throws Exception {
        assertThat(ipvs.services()).isEmpty();
        int before = ipvs.familyId();
        unload();
        load();
        // The old id is refused (ENOENT before IPVS sees it); the family is resolved again and the
        // request, which the kernel never handled, sent again: the caller sees nothing of it.
        ipvs.addService(VirtualServer.of(WEB, "rr"));
        assertThat(ipvs.familyId()).isNotEqualTo(before);
        assertThat(ipvsadm("-Ln")).contains("TCP 10.0.0.1:80 rr");
        ipvs.deleteService(WEB);
    }

    private static void unload() {
        for (String m : loaded) {
            ExecResult r = Lab.run(60, List.of("rmmod", m));
            assertThat(r.ok()).as("rmmod %s: %s", m, r.stderr()).isTrue();
        }
        assertThat(Files.exists(Path.of("/proc/net/ip_vs"))).isFalse();
    }

    private static void load() {
        for (String m : reversed(loaded)) {
            Lab.check("modprobe", "-d", modroot.toString(), m);
        }
    }

    @Test
    void theSameInstanceWorksAfterItsSocketIsClosedUnderIt() throws Exception {
        NetlinkConnection first = ipvs.connection();
        assertThat(ipvs.services()).isEmpty();
        LibC.close(first.fd());
        assertThatThrownBy(ipvs::services).isInstanceOfSatisfying(IpvsException.class,
                e -> assertThat(e.errno()).as(e.getMessage()).isEqualTo(Errno.EBADF));
        // The first reopen is immediate, in the same namespace: the service lands in NS's table.
        ipvs.addService(VirtualServer.of(WEB, "wrr"));
        assertThat(ipvs.connection()).isNotSameAs(first);
        assertThat(ipvsadm("-Ln")).contains("TCP 10.0.0.1:80 wrr");
        ipvs.deleteService(WEB);
    }

    private static List<String> reversed(List<String> l) {
        List<String> r = new ArrayList<>(l);
        java.util.Collections.reverse(r);
        return r;
    }

    /** ipvsadm's output with runs of blanks collapsed: it pads columns. */
    static String ipvsadm(String... args) {
        return Ipvsadm.collapse(Lab.ipvsadm(NS, args));
    }
}

package io.lvsdirector.ipvs.socket;

import io.lvsdirector.ipvs.Errno;
import io.lvsdirector.ipvs.wire.NetlinkConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Opening a socket inside another network namespace, on the host kernel: a throwaway namespace is
 * made by {@code unshare -n sleep}, and {@code /proc/PID/net/netlink} (which lists the netlink sockets
 * of PID's namespace by port id) tells which namespace our socket landed in.
 */
class NetlinkNetnsTest {

    private Process holder;

    @BeforeEach
    void makeNamespace() throws Exception {
        assumeThat(System.getProperty("user.name")).as("setns needs root").isEqualTo("root");
        try {
            holder = new ProcessBuilder("unshare", "-n", "sleep", "60").redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeThat(e).as("unshare available").isNull();
        }
        // Wait until unshare has moved into its new namespace (before that, it shares ours).
        Path ours = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
        for (int i = 0; i < 250 && holder.isAlive(); i++) {
            if (!Files.readSymbolicLink(Path.of("/proc/" + holder.pid() + "/ns/net")).equals(ours)) {
                return;
            }
            Thread.sleep(20);
        }
        assumeThat(false).as("unshare -n made a namespace here").isTrue();
    }

    @AfterEach
    void dropNamespace() throws Exception {
        if (holder != null) {
            holder.destroy();
            holder.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void socketLivesInTheNamespaceItWasOpenedIn() throws Exception {
        String nsFile = "/proc/" + holder.pid() + "/ns/net";
        Path before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
        try (NetlinkConnection inside = NetlinkConnection.open(NetlinkOptions.defaults().withNetns(nsFile));
             NetlinkConnection outside = NetlinkConnection.open()) {
            assertThat(inside.family("nlctrl").id()).isEqualTo(NetlinkConstants.GENL_ID_CTRL);
            assertThat(inodes("/proc/" + holder.pid() + "/net/netlink"))
                    .contains(inode(inside))
                    .doesNotContain(inode(outside));
            assertThat(inodes("/proc/self/net/netlink"))
                    .contains(inode(outside))
                    .doesNotContain(inode(inside));
        }
        // The calling thread never left its namespace.
        assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))).isEqualTo(before);
    }

    @Test
    void missingNamespaceIsEnoent() {
        assertThatThrownBy(() -> NetlinkConnection.open(NetlinkOptions.defaults().withNetns("lvs-director-no-such-ns")))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.getMessage()).contains("/run/netns/lvs-director-no-such-ns");
                });
    }

    /** The socket inode of a connection, from the {@code socket:[INODE]} link of its descriptor. */
    private static String inode(NetlinkConnection c) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + c.fd())).toString();
        assertThat(link).startsWith("socket:[");
        return link.substring("socket:[".length(), link.length() - 1);
    }

    /**
     * Inodes of the NETLINK_GENERIC sockets of a namespace. Port ids cannot tell namespaces apart: each
     * namespace has its own port space, and the first socket of a process gets its pid in every one.
     */
    private static List<String> inodes(String procNetNetlink) throws IOException {
        // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
        return Files.readAllLines(Path.of(procNetNetlink)).stream()
                .skip(1)
                .map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length >= 10 && f[1].equals("16"))
                .map(f -> f[9])
                .toList();
    }
}

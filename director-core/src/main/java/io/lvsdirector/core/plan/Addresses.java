package io.lvsdirector.core.plan;

import java.net.InetAddress;
import java.util.Arrays;

/** Address helpers shared by the plan records. */
final class Addresses {

    private Addresses() {
    }

    /** Orders IPv4 before IPv6, then by bytes, so plans and status come out in a stable order. */
    static int compare(InetAddress a, InetAddress b) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        return Arrays.compareUnsigned(x, y);
    }

    static String hostPort(InetAddress address, int port) {
        String host = address.getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}

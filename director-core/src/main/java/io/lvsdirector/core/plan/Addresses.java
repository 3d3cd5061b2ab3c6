package io.lvsdirector.core.plan;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;

/** Address helpers shared by the plan records. */
final class Addresses {

    private Addresses() {
    }

    /** Orders IPv4 before IPv6, then by bytes, so plans and status come out in a stable order. */
    static int compare(InetAddress a, InetAddress b) {
        boolean a4 = a instanceof Inet4Address;
        boolean b4 = b instanceof Inet4Address;
        if (a4 && b4) {
            // An IPv4 address's hash is the address itself; getAddress() would copy an array.
            return Integer.compareUnsigned(a.hashCode(), b.hashCode());
        }
        if (a4 != b4) {
            return a4 ? -1 : 1;
        }
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

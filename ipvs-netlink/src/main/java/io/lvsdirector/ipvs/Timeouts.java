package io.lvsdirector.ipvs;

/**
 * Connection timeouts in seconds, {@code ipvsadm --set TCP TCPFIN UDP} and
 * {@code ipvsadm -L --timeout}. When setting, 0 leaves that timeout as it is, as in ipvsadm.
 *
 * @param tcp established TCP connections
 * @param tcpFin TCP connections after a FIN
 * @param udp UDP "connections"
 */
public record Timeouts(int tcp, int tcpFin, int udp) {

    public Timeouts {
        if (tcp < 0 || tcpFin < 0 || udp < 0) {
            throw new IllegalArgumentException("timeouts must be >= 0: " + tcp + " " + tcpFin + " " + udp);
        }
    }
}

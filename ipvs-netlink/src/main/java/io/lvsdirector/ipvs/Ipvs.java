package io.lvsdirector.ipvs;

import java.util.List;
import java.util.Optional;

/**
 * The kernel's IP Virtual Server table, in LVS words. Each method names the {@code ipvsadm}
 * command it equals.
 *
 * <h2>Errors</h2>
 * Every method throws {@link IpvsException} when the kernel refuses, with the kernel's errno: as
 * {@code net/netfilter/ipvs/ip_vs_ctl.c} answers, a service that does not exist is {@code ESRCH}
 * for every service-addressed command; a real server that does not exist is {@code ENOENT}; adding
 * what exists is {@code EEXIST}; an unknown scheduler or persistence engine is {@code ENOENT}. A
 * socket failure or timeout is an {@code IpvsException} too, with the socket's errno
 * ({@code ETIMEDOUT} for a receive timeout). Bad input (malformed address, port 0 on an address
 * service, weight out of range, scheduler name too long...) never reaches this interface: the
 * records refuse it with {@link IllegalArgumentException} when they are built.
 *
 * <h2>Foreign entries</h2>
 * The table is shared: kube-proxy or an operator with ipvsadm can create what this library never
 * writes and its records cannot hold (an IPv4 persistence netmask that is not a prefix, such as
 * {@code -M 255.0.255.0} or {@code 0.0.0.0}; a weight above 65535, which the kernel takes up to
 * 2^31-1 over netlink; tunnel type or checksum flags the records refuse). Reads of many entries never
 * fail because of one: {@link #snapshot} leaves such an entry out and lists it in
 * {@link IpvsSnapshot#unreadable()}; {@link #services} and {@link #realServers} leave it out with no
 * way to tell, so a caller that must know uses {@code snapshot()}. All three log what they leave out
 * ({@code NetlinkIpvs}: WARNING the first time an instance sees an entry, DEBUG after).
 * {@link #getService} asks for one service and cannot answer without it: there it is an
 * {@code IpvsException} with {@code EIO}. A reply that is malformed (truncated, a length or
 * attribute size wrong, a required attribute missing) is {@code EIO} for every read, the table reads
 * included: after a bad length nothing else in it can be trusted.
 *
 * <h2>Threads</h2>
 * Implementations are safe for use by many threads: each call is one request/reply exchange (or,
 * for {@link #apply} and {@link #snapshot}, one sequence of them) that no other call on the same
 * instance interleaves with. Calls are serialised, not parallel; the director uses one writer.
 * Nothing is cached: every read asks the kernel. This holds for every method below.
 */
public interface Ipvs extends AutoCloseable {

    /**
     * Adds a virtual service. Equivalent to {@code ipvsadm -A -t VIP:PORT -s SCHED [-p T] [-M M] [-b F]}
     * (or {@code -u}, {@code --sctp-service}, {@code -f MARK}).
     *
     * @throws IpvsException EEXIST if it exists; ENOENT if the kernel has no such scheduler or
     *     persistence engine
     */
    void addService(VirtualServer service);

    /**
     * Changes a virtual service's scheduler, flags and persistence. Equivalent to
     * {@code ipvsadm -E -t VIP:PORT -s SCHED ...}. Flags are replaced, not merged.
     *
     * @throws IpvsException ESRCH if the service does not exist; ENOENT for an unknown scheduler
     */
    void updateService(VirtualServer service);

    /**
     * Deletes a virtual service and all its real servers. Equivalent to {@code ipvsadm -D -t VIP:PORT}.
     *
     * @throws IpvsException ESRCH if the service does not exist
     */
    void deleteService(VirtualServerKey service);

    /**
     * Reads one service. Equivalent to {@code ipvsadm -Ln -t VIP:PORT} (service line only, with
     * {@code --stats} counters).
     *
     * @return the service, or empty if the kernel answered ESRCH
     * @throws IpvsException EIO if the kernel's service cannot be represented by the public records
     *     (see "Foreign entries" above)
     */
    Optional<VirtualServerStatus> getService(VirtualServerKey service);

    /**
     * Reads every service. Equivalent to {@code ipvsadm -Ln --stats} (service lines only).
     *
     * @return the services the public records can hold; others are left out and logged (see
     *     "Foreign entries" above)
     */
    List<VirtualServerStatus> services();

    /**
     * Adds a real server to a service. Equivalent to {@code ipvsadm -a -t VIP:PORT -r RIP:PORT -g -w W}.
     *
     * @throws IpvsException ESRCH if the service does not exist; EEXIST if the real server does;
     *     EINVAL for a mixed-family real server while a sync daemon runs, or GUE without a port
     */
    void addRealServer(VirtualServerKey service, RealServer realServer);

    /**
     * Changes a real server's weight, forwarding, thresholds or tunnel settings. Equivalent to
     * {@code ipvsadm -e -t VIP:PORT -r RIP:PORT -g -w W}.
     *
     * @throws IpvsException ESRCH if the service does not exist; ENOENT if the real server does not
     */
    void updateRealServer(VirtualServerKey service, RealServer realServer);

    /**
     * Removes a real server from a service. Equivalent to {@code ipvsadm -d -t VIP:PORT -r RIP:PORT}.
     *
     * @throws IpvsException ESRCH if the service does not exist; ENOENT if the real server does not
     */
    void deleteRealServer(VirtualServerKey service, RealServerKey realServer);

    /**
     * Reads the real servers of a service. Equivalent to {@code ipvsadm -Ln --stats -t VIP:PORT}.
     *
     * @return the real servers the public records can hold (others are left out and logged, see
     *     "Foreign entries" above); empty if the service has none <em>or does not exist</em> (the
     *     kernel answers a dump for a missing service with an empty dump, not an error; use
     *     {@link #getService} to tell the two apart)
     */
    List<RealServerStatus> realServers(VirtualServerKey service);

    /**
     * Reads the whole table: every service with its real servers, configuration and counters.
     * Equivalent to {@code ipvsadm -Ln --stats} (and {@code --rate}). The read is one service dump
     * followed by one real-server dump per service; see {@link IpvsSnapshot} for what that means
     * for consistency.
     *
     * @return every entry the public records can hold, and in {@link IpvsSnapshot#unreadable()}
     *     those they cannot (see "Foreign entries" above)
     */
    IpvsSnapshot snapshot();

    /**
     * Applies many changes in one go: equivalent to {@code ipvsadm-restore} of those lines, except
     * that one op's failure does not stop the others. Ops are sent in order, many to one
     * {@code send}; the kernel handles the messages of a send one after the other, and a failed one
     * does not stop the next. An implementation need not ask for an acknowledgement of every op:
     * {@code NetlinkIpvs} by default asks only for the last message of each send, because the kernel
     * answers every <em>failed</em> message with its errno whether or not it asked; an op with no
     * answer before the acknowledged last one therefore succeeded. Order ops so that what an op
     * needs comes before it (a service before its real servers).
     *
     * @return the outcome of every op, in the order given; this method does not throw for a
     *     refused op, only records it (FAILED, with the kernel's errno). If the exchange itself breaks
     *     (socket error, timeout), ops never sent are {@link BatchResult.Status#NOT_ATTEMPTED}, and
     *     ops sent whose outcome was not learnt are FAILED with the socket's errno: their effect on
     *     the kernel is then unknown, and the caller must re-read.
     * @throws IllegalArgumentException if an op cannot be encoded; then nothing was sent
     */
    BatchResult apply(List<? extends IpvsOp> ops);

    /**
     * Zeroes a service's counters and those of its real servers. Equivalent to
     * {@code ipvsadm -Z -t VIP:PORT}.
     *
     * @throws IpvsException ESRCH if the service does not exist
     */
    void zero(VirtualServerKey service);

    /** Zeroes every counter. Equivalent to {@code ipvsadm -Z}. */
    void zeroAll();

    /**
     * Deletes every service and real server. Equivalent to {@code ipvsadm -C}. Offered for
     * completeness and tests; <strong>the director never calls it</strong>: it adopts what the
     * kernel has and deletes only what it owns.
     */
    void flush();

    /** IPVS version and connection table size. Equivalent to {@code ipvsadm --version} / {@code -Ln} header. */
    IpvsInfo info();

    /** Connection timeouts. Equivalent to {@code ipvsadm -L --timeout}. */
    Timeouts timeouts();

    /**
     * Sets connection timeouts; a 0 leaves that one unchanged. Equivalent to
     * {@code ipvsadm --set TCP TCPFIN UDP}.
     *
     * @throws IpvsException EINVAL for a timeout the kernel cannot represent
     */
    void setTimeouts(Timeouts timeouts);

    /**
     * Starts a connection sync daemon. Equivalent to
     * {@code ipvsadm --start-daemon master|backup --mcast-interface IF --syncid ID [--sync-maxlen]
     * [--mcast-group] [--mcast-port] [--mcast-ttl]}.
     *
     * @throws IpvsException EEXIST if a daemon in that state runs; ENODEV for an unknown interface;
     *     EINVAL while mixed-family real servers exist
     */
    void startDaemon(SyncDaemon daemon);

    /**
     * Stops the sync daemon in a state. Equivalent to {@code ipvsadm --stop-daemon master|backup}.
     *
     * @throws IpvsException ESRCH if no daemon runs in that state
     */
    void stopDaemon(SyncDaemon.State state);

    /** The running sync daemons (none, one, or a master and a backup). Equivalent to {@code ipvsadm -L --daemon}. */
    List<SyncDaemon> daemons();

    /**
     * Whether the running kernel has a scheduler, found out without touching the table. There is
     * no {@code ipvsadm} command for it; it equals {@code ipvsadm -A -t [PROBE]:PORT -s NAME -M 129}
     * for an IPv6 probe service that does not exist: {@code ip_vs_add_service()} looks the scheduler
     * up first ({@code ip_vs_scheduler_get()}, which also tries {@code request_module("ip_vs_NAME")},
     * so an installed but unloaded scheduler module is loaded, as a real {@code -A} would) and
     * answers {@code ENOENT} ("Scheduler module ip_vs_NAME not found") when it has none; only then
     * does it check the IPv6 persistence prefix, which must be 1..128, and answers {@code EINVAL}
     * for 129 before it allocates or hashes anything. So the table is never changed.
     *
     * <p>Thread-safety as every other method: one exchange, serialised with the others.
     *
     * @param name the scheduler name ({@code rr}, {@code mh}, ...), 1..15 lower-case letters and digits
     * @return true for {@code EINVAL} (the kernel has it), false for {@code ENOENT} (it has not), empty
     *     for any other refusal: {@code EAFNOSUPPORT} from a kernel built without IPv6 IPVS,
     *     {@code EEXIST} if a service with the probe's key exists, a socket failure. Should a kernel
     *     ever accept the probe (no longer checking the prefix), the scheduler exists: true, and the
     *     probe service is deleted again at once. The default implementation knows nothing and
     *     answers empty.
     * @throws IllegalArgumentException if {@code name} cannot be a scheduler name
     */
    default Optional<Boolean> schedulerAvailable(String name) {
        VirtualServerSpec.of(name);
        return Optional.empty();
    }

    /** Releases the netlink socket. Idempotent; other calls fail after it. */
    @Override
    void close();
}

/**
 * The IPVS generic-netlink wire format, with no I/O: what the socket layer sends and how it reads
 * what comes back.
 *
 * <h2>For the socket layer</h2>
 * <ol>
 *   <li>Resolve the family: send {@link io.lvsdirector.ipvs.wire.NetlinkCodec#getFamilyRequest}
 *       for {@link io.lvsdirector.ipvs.wire.IpvsConstants#IPVS_GENL_NAME}, read the id with
 *       {@link io.lvsdirector.ipvs.wire.NetlinkCodec#parseFamily} (or do the same with your own
 *       controller code; the family id is all that is needed).</li>
 *   <li>Build a request with {@link io.lvsdirector.ipvs.wire.IpvsCodec}: {@code request(IpvsOp)}
 *       for a batch op, or the named method ({@code dumpServices()}, {@code getInfo()} ...). An
 *       {@link io.lvsdirector.ipvs.wire.IpvsRequest} holds the command, the encoded attributes
 *       (everything after the 4-byte {@code genlmsghdr}) and whether it is a dump. Frame it
 *       yourself ({@code genlmsghdr{command, IPVS_GENL_VERSION}} then {@code attributes()}, flags
 *       from {@code netlinkFlags()}), or take {@code genlPayload()} (genl header included, no
 *       {@code nlmsghdr}) or {@code toMessage(familyId, seq, portId)} (complete message).</li>
 *   <li>Split a received datagram with {@link io.lvsdirector.ipvs.wire.NetlinkCodec#split};
 *       read an {@code NLMSG_ERROR} with {@link io.lvsdirector.ipvs.wire.NetlinkCodec#parseError}
 *       (errno and {@code NLMSGERR_ATTR_MSG}); hand each reply's payload (the bytes after the
 *       {@code nlmsghdr}, {@code genlmsghdr} first) to {@code IpvsCodec.parseService},
 *       {@code parseRealServer}, {@code parseInfo}, {@code parseTimeouts}, {@code parseDaemon}.
 *       They check the reply command and throw
 *       {@link io.lvsdirector.ipvs.wire.WireFormatException} on anything malformed.</li>
 * </ol>
 *
 * <h2>Layers</h2>
 * {@link io.lvsdirector.ipvs.wire.AttrWriter} and {@link io.lvsdirector.ipvs.wire.Attributes}
 * write and strictly read {@code nlattr}s. {@link io.lvsdirector.ipvs.wire.ServiceAttrs},
 * {@link io.lvsdirector.ipvs.wire.DestAttrs}, {@link io.lvsdirector.ipvs.wire.DaemonAttrs} and
 * {@link io.lvsdirector.ipvs.wire.StatsAttrs} are wire structs in kernel terms;
 * {@link io.lvsdirector.ipvs.wire.WireMapping} is the one place they meet the public records.
 *
 * <h2>Byte order</h2>
 * Netlink integers are host order ({@link java.nio.ByteOrder#nativeOrder()}), except the fields
 * the kernel declares {@code __be16}/{@code __be32}: service and real-server ports, the tunnel
 * port, the IPv4 persistence netmask. Addresses are raw bytes. The golden tests assume a
 * little-endian host (x86-64, arm64) and are skipped elsewhere.
 *
 * <p>Everything here is immutable or confined to one thread ({@code AttrWriter}); all static
 * methods are safe from any thread.
 */
package io.lvsdirector.ipvs.wire;

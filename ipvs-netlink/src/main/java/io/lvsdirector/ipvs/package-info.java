/**
 * IPVS, the kernel's layer-4 load balancer, over generic netlink: the public API.
 *
 * <ul>
 *   <li>{@link io.lvsdirector.ipvs.Ipvs}: one interface in LVS words, each method naming its
 *       {@code ipvsadm} equivalent.
 *   <li>Records kept apart by role: identity ({@link io.lvsdirector.ipvs.VirtualServerKey},
 *       {@link io.lvsdirector.ipvs.RealServerKey}), desired configuration
 *       ({@link io.lvsdirector.ipvs.VirtualServerSpec}, {@link io.lvsdirector.ipvs.RealServerSpec})
 *       and observed state ({@link io.lvsdirector.ipvs.Stats},
 *       {@link io.lvsdirector.ipvs.VirtualServerStatus}, {@link io.lvsdirector.ipvs.RealServerStatus},
 *       {@link io.lvsdirector.ipvs.IpvsSnapshot}), so that record equality means what a planner
 *       needs. Every record validates in its compact constructor: bad input is refused before
 *       anything is sent.
 *   <li>{@link io.lvsdirector.ipvs.IpvsOp}: the unit of batching;
 *       {@link io.lvsdirector.ipvs.BatchResult}: the outcome of each op.
 *   <li>{@link io.lvsdirector.ipvs.IpvsException}: the kernel's errno, by name.
 * </ul>
 *
 * <p>Message encoding lives in {@code io.lvsdirector.ipvs.wire} (no I/O); the JNA socket and the
 * {@code NetlinkIpvs} implementation in {@code io.lvsdirector.ipvs.socket}. An in-memory
 * {@code FakeIpvs} that enforces the kernel's preconditions ships in this module's test-jar.
 */
package io.lvsdirector.ipvs;

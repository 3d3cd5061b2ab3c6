package io.lvsdirector.ipvs;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An in-memory {@link Ipvs} that answers as {@code net/netfilter/ipvs/ip_vs_ctl.c} does, for tests
 * that should not need a kernel.
 *
 * <h2>Kernel behaviour reproduced</h2>
 * <ul>
 *   <li>Adding a service that exists: {@code EEXIST}. Every other service-addressed command
 *       (update, delete, zero, real-server commands) on a missing service: {@code ESRCH}
 *       ({@code ip_vs_genl_set_cmd}: "Unless we're adding a new service, the service must already
 *       exist").</li>
 *   <li>An unknown scheduler or persistence engine on add or update: {@code ENOENT}
 *       ({@code ip_vs_scheduler_get} fails; "none" means no scheduler). The schedulers known are
 *       Linux 6.1's unless a test says otherwise ({@link #withSchedulers}); {@link #schedulerAvailable}
 *       answers from the same set, as the kernel's probe does, and counts as no call.</li>
 *   <li>A new real server whose address is not unicast: {@code EINVAL} ({@code ip_vs_new_dest}).
 *       IPv4: {@code inet_addr_type()} must be {@code RTN_UNICAST} or {@code RTN_LOCAL}, so
 *       0.0.0.0 and 255.255.255.255 ({@code RTN_BROADCAST}) and 224.0.0.0/4
 *       ({@code RTN_MULTICAST}) are refused; 127.0.0.0/8 ({@code RTN_LOCAL}) and, since Linux 5.3,
 *       the rest of 0.0.0.0/8 are taken (a subnet's
 *       directed broadcast, which the kernel also refuses, depends on the host's addresses and is
 *       not modelled). IPv6: {@code ipv6_addr_type()} must say unicast and not link-local unless
 *       the address is this host's, so ::, ff00::/8, ::ffff:0:0/96 and fe80::/10 are refused (the
 *       fake has no local addresses), ::1 is taken. Only a new real server is checked, as in the
 *       kernel: an update finds the existing one.</li>
 *   <li>Adding a real server that exists: {@code EEXIST}; updating or deleting one that does not:
 *       {@code ENOENT} ({@code ip_vs_add_dest}, {@code ip_vs_edit_dest}, {@code ip_vs_del_dest}).</li>
 *   <li>A real server of another family than its service while a sync daemon runs:
 *       {@code EINVAL}; starting a daemon while such real servers exist: {@code EINVAL}.</li>
 *   <li>Starting a daemon in a state that already runs: {@code EEXIST}; on an interface the fake
 *       does not know: {@code ENODEV}; stopping one that does not run: {@code ESRCH}.</li>
 *   <li>A timeout above {@code INT_MAX / HZ} (HZ taken as 1000): {@code EINVAL}; 0 leaves a
 *       timeout unchanged.</li>
 *   <li>Deleting a service removes its real servers; zeroing clears counters; a real-server dump
 *       of a missing service is empty; {@link #getService} of a missing one is empty.</li>
 * </ul>
 * Checks the public records already make (port ranges, weight, name lengths, thresholds,
 * mixed-family non-tunnel real servers) cannot be reached here. The errnos above are the ones
 * {@code NetlinkIpvsKernelIT} observes from the lab's real kernel (Linux 6.1), and
 * {@code FakeIpvsTest} replays that test's batch against this fake.
 *
 * <h2>For tests</h2>
 * Counts calls by {@link Call kind} (a batch counts once as {@link Call#APPLY} and once per op
 * under the op's kind), so a test can assert that a pass changed nothing; lets a test inject a
 * failure for chosen ops or break a batch after some ops; lets a test set counters; lets a test make
 * an entry unreadable, as a foreign tool's edit the records cannot hold does ({@link #makeUnreadable}).
 * Order of services and real servers is insertion order (the kernel's is hash order: not
 * significant). Thread-safe: every method is {@code synchronized}.
 *
 * <p>Other modules get it from this module's test-jar: dependency {@code io.lvsdirector:ipvs-netlink}
 * with {@code <type>test-jar</type>} and {@code <scope>test</scope>}.
 */
public final class FakeIpvs implements Ipvs {

    /** Kinds of call, for {@link #count}. */
    public enum Call {
        ADD_SERVICE, UPDATE_SERVICE, DELETE_SERVICE, GET_SERVICE, SERVICES,
        ADD_REAL_SERVER, UPDATE_REAL_SERVER, DELETE_REAL_SERVER, REAL_SERVERS,
        SNAPSHOT, APPLY, ZERO, ZERO_ALL, FLUSH, INFO, TIMEOUTS, SET_TIMEOUTS,
        START_DAEMON, STOP_DAEMON, DAEMONS;

        /** Whether this kind of call changes the table. */
        public boolean writes() {
            return switch (this) {
                case ADD_SERVICE, UPDATE_SERVICE, DELETE_SERVICE, ADD_REAL_SERVER, UPDATE_REAL_SERVER,
                        DELETE_REAL_SERVER, ZERO, ZERO_ALL, FLUSH, SET_TIMEOUTS, START_DAEMON, STOP_DAEMON -> true;
                default -> false;
            };
        }
    }

    /**
     * The schedulers of Debian 12's Linux 6.1 with every {@code ip_vs_*} scheduler module (the lab's
     * kernel): the default. {@code twos} came with Linux 6.2 and is not among them.
     */
    public static final Set<String> LINUX_6_1_SCHEDULERS = Set.of(
            "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh");

    /** Every in-tree scheduler of a current kernel (6.2 and later: {@code twos} too). */
    public static final Set<String> STOCK_SCHEDULERS = Set.of(
            "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    private static final int HZ = 1000;

    private static final class Svc {
        VirtualServerSpec spec;
        Stats stats = Stats.ZERO;
        final Map<RealServerKey, Dest> dests = new LinkedHashMap<>();

        Svc(VirtualServerSpec spec) {
            this.spec = spec;
        }
    }

    private static final class Dest {
        RealServerSpec spec;
        long active;
        long inactive;
        long persistent;
        Stats stats = Stats.ZERO;

        Dest(RealServerSpec spec) {
            this.spec = spec;
        }
    }

    private record Injected(Predicate<IpvsOp> match, int errno, String message) {
    }

    private final Map<VirtualServerKey, Svc> services = new LinkedHashMap<>();
    private final Map<SyncDaemon.State, SyncDaemon> daemons = new EnumMap<>(SyncDaemon.State.class);
    private final Map<Call, Integer> counts = new EnumMap<>(Call.class);
    private final List<IpvsOp> appliedOps = new ArrayList<>();
    private final List<Injected> injected = new ArrayList<>();
    private Set<String> schedulers = LINUX_6_1_SCHEDULERS;
    private Set<String> persistenceEngines = Set.of("sip");
    private Set<String> interfaces = Set.of("lo", "eth0");
    private Timeouts timeouts = new Timeouts(900, 120, 300);
    // Entries a foreign tool made unrepresentable (see makeUnreadable): left out of snapshot() and
    // listed as unreadable, until an update or delete of that entry writes it over.
    private final Map<VirtualServerKey, String> unreadableServices = new LinkedHashMap<>();
    private final Map<VirtualServerKey, Map<RealServerKey, String>> unreadableRealServers = new LinkedHashMap<>();
    private int breakBatchAfter = -1;
    private int breakBatchErrno;
    private boolean closed;

    // ---- test controls ----

    /**
     * Sets the schedulers this "kernel" has (default {@link #LINUX_6_1_SCHEDULERS}); others answer
     * ENOENT on add and update, and {@link #schedulerAvailable} says false for them.
     */
    public synchronized FakeIpvs withSchedulers(Set<String> names) {
        schedulers = Set.copyOf(names);
        return this;
    }

    /** Sets the interfaces a sync daemon may use; others answer ENODEV. */
    public synchronized FakeIpvs withInterfaces(Set<String> names) {
        interfaces = Set.copyOf(names);
        return this;
    }

    /**
     * Makes every op matching {@code match} fail with {@code errno}, without effect, until
     * {@link #clearFailures}; applies to direct calls and to ops in a batch.
     */
    public synchronized FakeIpvs injectFailure(Predicate<IpvsOp> match, int errno, String kernelMessage) {
        injected.add(new Injected(Objects.requireNonNull(match), errno, kernelMessage == null ? "" : kernelMessage));
        return this;
    }

    /** Makes this exact op fail with {@code errno} until {@link #clearFailures}. */
    public synchronized FakeIpvs injectFailure(IpvsOp op, int errno) {
        return injectFailure(op::equals, errno, "");
    }

    /** Removes every injected failure. */
    public synchronized FakeIpvs clearFailures() {
        injected.clear();
        breakBatchAfter = -1;
        return this;
    }

    /**
     * Makes the next {@link #apply} stop after {@code acknowledged} ops, as if the socket failed
     * with {@code errno}: the rest are NOT_ATTEMPTED and have no effect. One-shot.
     */
    public synchronized FakeIpvs breakNextBatchAfter(int acknowledged, int errno) {
        breakBatchAfter = acknowledged;
        breakBatchErrno = errno;
        return this;
    }

    /**
     * Makes an existing service read as a foreign tool's edit the records cannot hold would
     * ({@code ipvsadm -E ... -M 255.0.255.0}): {@link #snapshot} lists it in
     * {@link IpvsSnapshot#unreadable()} with {@code reason}, not in its entries, and does not read its
     * real servers. The service is still there (adding it answers EEXIST). An update of it writes
     * it over and makes it readable again, as such an edit does in the kernel; a delete removes it.
     */
    public synchronized FakeIpvs makeUnreadable(VirtualServerKey key, String reason) {
        svc(key, "make unreadable");
        unreadableServices.put(key, Objects.requireNonNull(reason));
        return this;
    }

    /**
     * Makes an existing real server read as unrepresentable ({@code ipvsadm -e ... -w 100000}): it is
     * left out of its service's entry in {@link #snapshot} and listed as unreadable, until an update
     * or delete of it.
     */
    public synchronized FakeIpvs makeUnreadable(VirtualServerKey key, RealServerKey rs, String reason) {
        if (!svc(key, "make unreadable").dests.containsKey(rs)) {
            throw new IllegalArgumentException("no real server " + rs + " in " + key);
        }
        unreadableRealServers.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(rs, Objects.requireNonNull(reason));
        return this;
    }

    /** Sets a service's counters. */
    public synchronized void setStats(VirtualServerKey key, Stats stats) {
        svc(key, "set stats").stats = Objects.requireNonNull(stats);
    }

    /** Sets a real server's connection counts and counters. */
    public synchronized void setRealServerCounters(VirtualServerKey key, RealServerKey rs,
            long active, long inactive, long persistent, Stats stats) {
        Dest d = svc(key, "set counters").dests.get(rs);
        if (d == null) {
            throw new IllegalArgumentException("no real server " + rs + " in " + key);
        }
        d.active = active;
        d.inactive = inactive;
        d.persistent = persistent;
        d.stats = Objects.requireNonNull(stats);
    }

    /** How many calls of this kind were made, successful or not. */
    public synchronized int count(Call kind) {
        return counts.getOrDefault(kind, 0);
    }

    /** How many calls that change the table were made, successful or not. */
    public synchronized int writeCount() {
        int n = 0;
        for (Map.Entry<Call, Integer> e : counts.entrySet()) {
            if (e.getKey().writes()) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** Resets every count and the list of applied ops. */
    public synchronized void resetCounts() {
        counts.clear();
        appliedOps.clear();
    }

    /** Every service/real-server op that succeeded, direct or batched, in order. */
    public synchronized List<IpvsOp> appliedOps() {
        return List.copyOf(appliedOps);
    }

    /** Whether {@link #close} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    // ---- Ipvs ----

    @Override
    public synchronized void addService(VirtualServer service) {
        tally(Call.ADD_SERVICE);
        perform(new IpvsOp.AddService(service));
    }

    @Override
    public synchronized void updateService(VirtualServer service) {
        tally(Call.UPDATE_SERVICE);
        perform(new IpvsOp.UpdateService(service));
    }

    @Override
    public synchronized void deleteService(VirtualServerKey service) {
        tally(Call.DELETE_SERVICE);
        perform(new IpvsOp.DeleteService(service));
    }

    @Override
    public synchronized Optional<VirtualServerStatus> getService(VirtualServerKey service) {
        tally(Call.GET_SERVICE);
        open("-L " + service);
        Svc s = services.get(service);
        return s == null ? Optional.empty() : Optional.of(new VirtualServerStatus(service, s.spec, s.stats));
    }

    @Override
    public synchronized List<VirtualServerStatus> services() {
        tally(Call.SERVICES);
        open("-L");
        List<VirtualServerStatus> out = new ArrayList<>();
        services.forEach((k, s) -> out.add(new VirtualServerStatus(k, s.spec, s.stats)));
        return out;
    }

    @Override
    public synchronized void addRealServer(VirtualServerKey service, RealServer realServer) {
        tally(Call.ADD_REAL_SERVER);
        perform(new IpvsOp.AddRealServer(service, realServer));
    }

    @Override
    public synchronized void updateRealServer(VirtualServerKey service, RealServer realServer) {
        tally(Call.UPDATE_REAL_SERVER);
        perform(new IpvsOp.UpdateRealServer(service, realServer));
    }

    @Override
    public synchronized void deleteRealServer(VirtualServerKey service, RealServerKey realServer) {
        tally(Call.DELETE_REAL_SERVER);
        perform(new IpvsOp.DeleteRealServer(service, realServer));
    }

    @Override
    public synchronized List<RealServerStatus> realServers(VirtualServerKey service) {
        tally(Call.REAL_SERVERS);
        open("-L " + service);
        Svc s = services.get(service);
        return s == null ? List.of() : dests(s);
    }

    @Override
    public synchronized IpvsSnapshot snapshot() {
        tally(Call.SNAPSHOT);
        open("-L");
        List<IpvsSnapshot.Entry> entries = new ArrayList<>();
        if (unreadableServices.isEmpty() && unreadableRealServers.isEmpty()) {
            services.forEach((k, s) -> entries.add(
                    new IpvsSnapshot.Entry(new VirtualServerStatus(k, s.spec, s.stats), dests(s))));
            return new IpvsSnapshot(entries);
        }
        // Unreadable services first, then unreadable real servers service by service, as the reader lists them.
        List<IpvsSnapshot.Unreadable> odd = new ArrayList<>();
        unreadableServices.forEach((k, reason) -> odd.add(IpvsSnapshot.Unreadable.service(k.toString(), Optional.of(k), reason)));
        services.forEach((k, s) -> {
            if (unreadableServices.containsKey(k)) {
                return;
            }
            Map<RealServerKey, String> badDests = unreadableRealServers.getOrDefault(k, Map.of());
            List<RealServerStatus> readable = new ArrayList<>();
            for (RealServerStatus rs : dests(s)) {
                String reason = badDests.get(rs.key());
                if (reason == null) {
                    readable.add(rs);
                } else {
                    odd.add(IpvsSnapshot.Unreadable.realServer(k, rs.key().toString(), Optional.of(rs.key()), reason));
                }
            }
            entries.add(new IpvsSnapshot.Entry(new VirtualServerStatus(k, s.spec, s.stats), readable));
        });
        return new IpvsSnapshot(entries, odd);
    }

    @Override
    public synchronized BatchResult apply(List<? extends IpvsOp> ops) {
        tally(Call.APPLY);
        open("batch");
        int stopAt = breakBatchAfter;
        int stopErrno = breakBatchErrno;
        breakBatchAfter = -1;
        List<BatchResult.Outcome> outcomes = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            IpvsOp op = Objects.requireNonNull(ops.get(i), "op");
            if (stopAt >= 0 && i >= stopAt) {
                outcomes.add(BatchResult.Outcome.notAttempted(op,
                        new IpvsException(stopErrno, op.describe(), "batch stopped before this op", op)));
                continue;
            }
            tally(kindOf(op));
            try {
                perform(op);
                outcomes.add(BatchResult.Outcome.ok(op));
            } catch (IpvsException e) {
                outcomes.add(BatchResult.Outcome.failed(op, e));
            }
        }
        return new BatchResult(outcomes);
    }

    @Override
    public synchronized void zero(VirtualServerKey service) {
        tally(Call.ZERO);
        open("-Z " + service);
        Svc s = services.get(service);
        if (s == null) {
            throw new IpvsException(Errno.ESRCH, "-Z " + service, "");
        }
        zero(s);
    }

    @Override
    public synchronized void zeroAll() {
        tally(Call.ZERO_ALL);
        open("-Z");
        services.values().forEach(FakeIpvs::zero);
    }

    @Override
    public synchronized void flush() {
        tally(Call.FLUSH);
        open("-C");
        services.clear();
        unreadableServices.clear();
        unreadableRealServers.clear();
    }

    @Override
    public synchronized IpvsInfo info() {
        tally(Call.INFO);
        open("--version");
        return new IpvsInfo(0x010201, 4096);
    }

    @Override
    public synchronized Timeouts timeouts() {
        tally(Call.TIMEOUTS);
        open("-L --timeout");
        return timeouts;
    }

    @Override
    public synchronized void setTimeouts(Timeouts t) {
        tally(Call.SET_TIMEOUTS);
        String what = "--set " + t.tcp() + " " + t.tcpFin() + " " + t.udp();
        open(what);
        int max = Integer.MAX_VALUE / HZ;
        if (t.tcp() > max || t.tcpFin() > max || t.udp() > max) {
            throw new IpvsException(Errno.EINVAL, what, "");
        }
        timeouts = new Timeouts(t.tcp() != 0 ? t.tcp() : timeouts.tcp(),
                t.tcpFin() != 0 ? t.tcpFin() : timeouts.tcpFin(),
                t.udp() != 0 ? t.udp() : timeouts.udp());
    }

    @Override
    public synchronized void startDaemon(SyncDaemon d) {
        tally(Call.START_DAEMON);
        String what = "--start-daemon " + d.state().name().toLowerCase();
        open(what);
        if (mixedFamilyDests() > 0) {
            throw new IpvsException(Errno.EINVAL, what, "");
        }
        if (daemons.containsKey(d.state())) {
            throw new IpvsException(Errno.EEXIST, what, "");
        }
        if (!interfaces.contains(d.interfaceName())) {
            throw new IpvsException(Errno.ENODEV, what, "");
        }
        // Read back as the kernel reports it: defaults filled in.
        InetAddress group = d.multicastGroup() != null ? d.multicastGroup() : IpAddresses.parse("224.0.0.81");
        daemons.put(d.state(), new SyncDaemon(d.state(), d.interfaceName(), d.syncId(),
                d.maxLen() != 0 ? d.maxLen() : 1472, d.port() != 0 ? d.port() : 8848,
                d.ttl() != 0 ? d.ttl() : 1, group));
    }

    @Override
    public synchronized void stopDaemon(SyncDaemon.State state) {
        tally(Call.STOP_DAEMON);
        String what = "--stop-daemon " + state.name().toLowerCase();
        open(what);
        if (daemons.remove(state) == null) {
            throw new IpvsException(Errno.ESRCH, what, "");
        }
    }

    @Override
    public synchronized List<SyncDaemon> daemons() {
        tally(Call.DAEMONS);
        open("-L --daemon");
        return List.copyOf(daemons.values());
    }

    /** From the fake's scheduler set, as the kernel's probe would answer; no table change, no count. */
    @Override
    public synchronized Optional<Boolean> schedulerAvailable(String name) {
        VirtualServerSpec.of(name);
        open("probe scheduler " + name);
        return Optional.of(name.equals("none") || schedulers.contains(name));
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    // ---- the kernel's rules ----

    private void perform(IpvsOp op) {
        open(op.describe());
        for (Injected i : injected) {
            if (i.match().test(op)) {
                throw new IpvsException(i.errno(), op.describe(), i.message(), op);
            }
        }
        if (op instanceof IpvsOp.AddService a) {
            VirtualServer vs = a.virtualServer();
            if (services.containsKey(vs.key())) {
                throw fail(Errno.EEXIST, op);
            }
            checkModules(vs.spec(), op);
            services.put(vs.key(), new Svc(vs.spec()));
        } else if (op instanceof IpvsOp.UpdateService u) {
            Svc s = existing(u.service(), op);
            checkModules(u.virtualServer().spec(), op);
            s.spec = u.virtualServer().spec();
        } else if (op instanceof IpvsOp.DeleteService d) {
            existing(d.service(), op);
            services.remove(d.service());
        } else if (op instanceof IpvsOp.AddRealServer a) {
            Svc s = existing(a.service(), op);
            checkMixedFamily(a.service(), a.realServer(), op);
            if (s.dests.containsKey(a.realServer().key())) {
                throw fail(Errno.EEXIST, op);
            }
            if (!kernelUnicast(a.realServer().key().address())) {
                throw new IpvsException(Errno.EINVAL, op.describe(), "", op);
            }
            s.dests.put(a.realServer().key(), new Dest(a.realServer().spec()));
        } else if (op instanceof IpvsOp.UpdateRealServer u) {
            Svc s = existing(u.service(), op);
            checkMixedFamily(u.service(), u.realServer(), op);
            Dest d = s.dests.get(u.realServer().key());
            if (d == null) {
                throw fail(Errno.ENOENT, op);
            }
            d.spec = u.realServer().spec();
        } else if (op instanceof IpvsOp.DeleteRealServer d) {
            Svc s = existing(d.service(), op);
            if (s.dests.remove(d.realServer()) == null) {
                throw fail(Errno.ENOENT, op);
            }
        }
        forgetUnreadable(op);
        appliedOps.add(op);
    }

    /** An update or delete that succeeded writes the entry over: it reads again (or is gone). */
    private void forgetUnreadable(IpvsOp op) {
        if (op instanceof IpvsOp.UpdateService u) {
            unreadableServices.remove(u.service());
        } else if (op instanceof IpvsOp.DeleteService d) {
            unreadableServices.remove(d.service());
            unreadableRealServers.remove(d.service());
        } else if (op instanceof IpvsOp.UpdateRealServer u) {
            unreadableRealServers.getOrDefault(u.service(), new LinkedHashMap<>()).remove(u.realServer().key());
        } else if (op instanceof IpvsOp.DeleteRealServer d) {
            unreadableRealServers.getOrDefault(d.service(), new LinkedHashMap<>()).remove(d.realServer());
        }
    }

    private Svc existing(VirtualServerKey key, IpvsOp op) {
        Svc s = services.get(key);
        if (s == null) {
            throw fail(Errno.ESRCH, op);
        }
        return s;
    }

    private void checkModules(VirtualServerSpec spec, IpvsOp op) {
        if (!spec.scheduler().equals("none") && !schedulers.contains(spec.scheduler())) {
            throw new IpvsException(Errno.ENOENT, op.describe(), "", op);
        }
        if (!spec.persistenceEngine().isEmpty() && !persistenceEngines.contains(spec.persistenceEngine())) {
            throw new IpvsException(Errno.ENOENT, op.describe(), "", op);
        }
    }

    /** What {@code ip_vs_new_dest} lets through (see the class comment). */
    static boolean kernelUnicast(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            // Only 0.0.0.0 itself: since Linux 5.3 the rest of 0.0.0.0/8 is unicast to inet_addr_type()
            // (SchedulerProbeKernelIT sees 6.1 take 0.1.2.3).
            boolean zero = (b[0] | b[1] | b[2] | b[3]) == 0;
            boolean limitedBroadcast = (b[0] & b[1] & b[2] & b[3] & 0xff) == 0xff;
            boolean multicast = first >= 224 && first <= 239;
            return !zero && !limitedBroadcast && !multicast;
        }
        boolean multicast = (b[0] & 0xff) == 0xff;
        boolean linkLocal = (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80;
        boolean leadingZeros = true;
        for (int i = 0; i < 10; i++) {
            leadingZeros &= b[i] == 0;
        }
        boolean mapped = leadingZeros && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean unspecified = true;
        for (byte x : b) {
            unspecified &= x == 0;
        }
        return !multicast && !linkLocal && !mapped && !unspecified;
    }

    private void checkMixedFamily(VirtualServerKey svc, RealServer rs, IpvsOp op) {
        // The sync protocol cannot carry mixed-family connections (ip_vs_genl_set_cmd).
        if (rs.key().family() != svc.family() && !daemons.isEmpty()) {
            throw fail(Errno.EINVAL, op);
        }
    }

    private int mixedFamilyDests() {
        int n = 0;
        for (Map.Entry<VirtualServerKey, Svc> e : services.entrySet()) {
            for (RealServerKey k : e.getValue().dests.keySet()) {
                if (k.family() != e.getKey().family()) {
                    n++;
                }
            }
        }
        return n;
    }

    private static IpvsException fail(int errno, IpvsOp op) {
        return new IpvsException(errno, op.describe(), "", op);
    }

    private static List<RealServerStatus> dests(Svc s) {
        List<RealServerStatus> out = new ArrayList<>(s.dests.size());
        s.dests.forEach((k, d) -> out.add(
                new RealServerStatus(k, d.spec, d.active, d.inactive, d.persistent, d.stats)));
        return out;
    }

    private static void zero(Svc s) {
        s.stats = Stats.ZERO;
        s.dests.values().forEach(d -> d.stats = Stats.ZERO);
    }

    private Svc svc(VirtualServerKey key, String what) {
        Svc s = services.get(key);
        if (s == null) {
            throw new IllegalArgumentException("no service " + key + " to " + what);
        }
        return s;
    }

    private void open(String what) {
        if (closed) {
            throw new IpvsException(Errno.EBADF, what, "closed");
        }
    }

    private void tally(Call kind) {
        counts.merge(kind, 1, Integer::sum);
    }

    private static Call kindOf(IpvsOp op) {
        if (op instanceof IpvsOp.AddService) {
            return Call.ADD_SERVICE;
        } else if (op instanceof IpvsOp.UpdateService) {
            return Call.UPDATE_SERVICE;
        } else if (op instanceof IpvsOp.DeleteService) {
            return Call.DELETE_SERVICE;
        } else if (op instanceof IpvsOp.AddRealServer) {
            return Call.ADD_REAL_SERVER;
        } else if (op instanceof IpvsOp.UpdateRealServer) {
            return Call.UPDATE_REAL_SERVER;
        }
        return Call.DELETE_REAL_SERVER;
    }
}

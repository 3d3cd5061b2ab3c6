package io.lvsdirector.api.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lvsdirector.lab.Lab;
import io.lvsdirector.lab.Topology;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A director pair failing over under load, end to end on the lab kernel: {@code dir1} and {@code dir2} each
 * run the packaged lvs-director ({@code ha.enabled}) with the same DR service for the VIP, and keepalived
 * (VRRP for the VIP only, unicast, {@code advert_int 1}, dir1 priority 150, dir2 100) whose notify hook is
 * the real {@code bin/lvs-director-notify}; the services run the IPVS connection sync daemons to match.
 * {@link io.lvsdirector.api.lab.failover.FailoverLoad} in the {@code client} namespace keeps 40 keep-alive
 * connections busy, 5 quiet ones (handshake only, first request once the VIP moved) and 20 new connections a
 * second while each scenario's event happens. Every established connection must survive every step; the
 * VIP must be served by the expected director afterwards. Timings are printed, and asserted only loosely.
 *
 * <p>The steps build on each other, so they run in order: 1 graceful failover (dir1's keepalived and
 * service stopped), 3 failback with preempt (dir1 returns and takes the VIP back), 2 failover by a cut link
 * (dir1's eth0 down), 4 return without preempt (dir1's keepalived restarted with {@code nopreempt}, link
 * up: dir2 keeps the VIP).
 */
@Tag("kernel")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaFailoverKernelIT {

    private static final String ADMIN_TOKEN = "failover-it-admin-token-0123456789";
    private static final String NOTIFY_TOKEN = "failover-it-notify-token-0123456789";
    private static final String API = PackagedService.API;
    private static final int SYNC_ID = 7;
    private static final int CONNS = 40;
    private static final int QUIET = 5;
    private static final Pattern DAEMON = Pattern.compile("(master|backup) sync daemon \\(mcast=([^,]+), syncid=(\\d+)");
    private static final Pattern KV = Pattern.compile("([A-Za-z.]+)=(\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEB = """
            {"vip": "198.18.0.100", "port": 80, "protocol": "tcp", "scheduler": "rr", "forwarding": "dr",
             "realServers": {"static": [{"address": "198.18.0.21", "port": 80, "weight": 1},
                                        {"address": "198.18.0.22", "port": 80, "weight": 1},
                                        {"address": "198.18.0.23", "port": 80, "weight": 1}]},
             "healthCheck": {"type": "http", "port": 8080, "path": "/ping", "intervalMs": 500, "timeoutMs": 400,
                             "rise": 1, "fall": 3}}
            """;
    /**
     * The sync sysctls of a production pair (per network namespace, net.ipv4.vs), set on both directors.
     * The kernel syncs a connection from {@code ip_vs_sync_conn_needed()} on its way through the master.
     * With the defaults (sync_threshold "3 50", sync_refresh_period 0) a TCP flow is sent when its
     * incoming packet count is 3, 53, 103, ...: a keep-alive connection that has done its handshake but
     * not yet sent a request (2 packets) is unknown to the backup, and its first request after a failover
     * meets the VIP's local stack there and is reset; a flow sending between the sync points refreshes
     * the backup's timer only every 50 packets.
     */
    private static final Map<String, String> SYNC_SYSCTLS = new LinkedHashMap<>();

    static {
        // sync_period 0 with sync_refresh_period > 0: every packet of an established (or closing) flow
        // may send it, rate-limited per flow by the refresh period; so the handshake's last ACK (the
        // flow becoming ESTABLISHED) already syncs it. State changes (FIN, CLOSE) are sent at once either way.
        SYNC_SYSCTLS.put("net.ipv4.vs.sync_threshold", "3 0");
        // Re-send a busy flow every 10 s: the backup's copy then expires at most 10 s after the master's
        // (synced entries carry the master's timeout, sync_version 1), not 50 packets' time later.
        SYNC_SYSCTLS.put("net.ipv4.vs.sync_refresh_period", "10");
        // One retry of a refresh (after refresh/8) in case the multicast datagram was lost.
        SYNC_SYSCTLS.put("net.ipv4.vs.sync_retries", "1");
        // Version 1 messages carry the timeout and persistence data (the default; said out loud).
        SYNC_SYSCTLS.put("net.ipv4.vs.sync_version", "1");
        // A packet for a synced flow whose real server is gone from this director's table: expire the
        // entry and drop, so the client's retransmission is scheduled anew instead of hanging on a dead
        // destination. Both directors program the same table, so synced flows bind to live servers.
        SYNC_SYSCTLS.put("net.ipv4.vs.expire_nodest_conn", "1");
        // conn_reuse_mode stays 1 (default): a SYN reusing the ports of a synced TIME_WAIT/closed entry
        // is scheduled again instead of being sent to the old server.
        SYNC_SYSCTLS.put("net.ipv4.vs.conn_reuse_mode", "1");
    }

    private static Topology topo;
    private static Path dir;
    private static final Map<Integer, Process> services = new LinkedHashMap<>();
    private static final Map<Integer, Process> keepaliveds = new LinkedHashMap<>();
    private static final Map<String, Map<String, String>> results = new LinkedHashMap<>();
    private static final Map<String, Long> takeoverMs = new LinkedHashMap<>();

    @BeforeAll
    static void up() throws Exception {
        Lab.requireKernel();
        topo = Lab.up(2, 3, false);
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "failover-it-");
        Path tokens = Lab.privateFile(dir.resolve("tokens"),
                "admin it " + ADMIN_TOKEN + "\nnotify keepalived " + NOTIFY_TOKEN + "\n");
        Path notifyToken = Lab.privateFile(dir.resolve("notify-token"), NOTIFY_TOKEN + "\n");
        // -Dfailover.sync=kernel-defaults leaves the sync sysctls as the kernel sets them: the quiet flows
        // are then expected to be reset after a failover (the check that the settings matter).
        boolean tuned = !"kernel-defaults".equals(System.getProperty("failover.sync"));
        System.out.println("failover-it: sync sysctls " + (tuned ? SYNC_SYSCTLS : "kernel defaults"));
        for (int i = 1; i <= 2; i++) {
            Path d = Files.createDirectories(dir.resolve("dir" + i));
            Files.writeString(d.resolve("director.yml"), PackagedService.config(d.resolve("state/state.json"), "2s",
                    tokens, "ha:\n  enabled: true\n  syncInterface: eth0\n  syncId: " + SYNC_ID + "\n  stateFile: "
                            + d.resolve("run/ha.json") + "\n",
                    d.resolve("director.log")));
            // keepalived's notify: the product's hook, told where this namespace's service and token are.
            Path hook = d.resolve("notify");
            Files.writeString(hook, "#!/bin/sh\nLVS_DIRECTOR_NOTIFY_URL=" + API + "\nLVS_DIRECTOR_NOTIFY_TOKEN_FILE="
                    + notifyToken + "\nexport LVS_DIRECTOR_NOTIFY_URL LVS_DIRECTOR_NOTIFY_TOKEN_FILE\nexec sh "
                    + Path.of("bin/lvs-director-notify").toAbsolutePath() + " \"$@\"\n");
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
            for (Map.Entry<String, String> s : tuned ? SYNC_SYSCTLS.entrySet() : Map.<String, String>of().entrySet()) {
                topo.exec("dir" + i, "sysctl", "-q", "-w", s.getKey() + "=" + s.getValue()).orThrow();
            }
        }
        // Both JVMs start together: the lab kernel is slow to start one.
        for (int i = 1; i <= 2; i++) {
            services.put(i, startService(i));
        }
        for (int i = 1; i <= 2; i++) {
            awaitHealthy(i, services.get(i));
            assertThat(api(i, "PUT", "/v1/services/web", WEB)).endsWith("201");
        }
        for (int i = 1; i <= 2; i++) {
            int n = i;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    topo.ipvsadm("dir" + n, "-Ln", "-t", Lab.VIP + ":80")).contains("198.18.0.21:80")
                    .contains("198.18.0.22:80").contains("198.18.0.23:80"));
        }
        keepaliveds.put(1, startKeepalived(1, true));
        keepaliveds.put(2, startKeepalived(2, true));
        awaitVipOn(1, 60);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertRole(1, "master", List.of("backup", "master"));
            assertRole(2, "backup", List.of("backup"));
        });
    }

    @AfterAll
    static void down() throws Exception {
        printTable();
        for (Process p : keepaliveds.values()) {
            stop(p);
        }
        for (Process p : services.values()) {
            stop(p);
        }
        if (topo != null) {
            for (int i = 1; i <= 2; i++) {
                topo.exec("dir" + i, "ip", "link", "set", "eth0", "up");
                for (String state : new String[] {"master", "backup"}) {
                    topo.exec("dir" + i, "ipvsadm", "--stop-daemon", state);
                }
            }
            topo.close();
        }
    }

    // ---- the scenarios ----

    @Test
    @Order(1)
    void gracefulFailoverKeepsEveryEstablishedConnection() throws Exception {
        try (Load load = Load.start("1-graceful")) {
            awaitSynced(1, 2, load);
            long t0 = load.mark("event");
            // Both get SIGTERM at once; the exits are waited for after the VIP is seen on dir2, so the
            // figure is the takeover, not the JVM's shutdown.
            keepaliveds.get(1).destroy();
            services.get(1).destroy();
            takeoverMs.put("1-graceful", awaitVipOn(2, 30) - t0);
            load.quiet();
            stop(keepaliveds.remove(1));
            stop(services.remove(1));
            Thread.sleep(8000);
            check(load.finish(), 10_000);
        }
        assertRole(2, "master", List.of("backup", "master"));
        assertThat(vipHolders()).containsExactly(2);
    }

    @Test
    @Order(2)
    void failbackWithPreemptKeepsEveryEstablishedConnection() throws Exception {
        services.put(1, startService(1));
        awaitHealthy(1, services.get(1));
        try (Load load = Load.start("3-failback-preempt")) {
            // Flows established through dir2 reach dir1 through dir2's master daemon and dir1's backup
            // daemon, which kept running while dir1's service was down.
            awaitSynced(2, 1, load);
            long t0 = load.mark("event");
            keepaliveds.put(1, startKeepalived(1, true));
            takeoverMs.put("3-failback-preempt", awaitVipOn(1, 30) - t0);
            load.quiet();
            Thread.sleep(6000);
            check(load.finish(), 10_000);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertRole(1, "master", List.of("backup", "master"));
            assertRole(2, "backup", List.of("backup"));
        });
    }

    @Test
    @Order(3)
    void failoverByACutLinkKeepsTheEstablishedConnections() throws Exception {
        try (Load load = Load.start("2-link-cut")) {
            awaitSynced(1, 2, load);
            long t0 = load.mark("event");
            topo.exec("dir1", "ip", "link", "set", "eth0", "down").orThrow();
            takeoverMs.put("2-link-cut", awaitVipOn(2, 30) - t0);
            load.quiet();
            Thread.sleep(8000);
            check(load.finish(), 12_000);
        }
        // dir1's keepalived sees its interface down (FAULT) and tells its service over loopback.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertRole(2, "master", List.of("backup", "master"));
            assertRole(1, "backup", List.of("backup"));
        });
    }

    @Test
    @Order(4)
    void returnWithoutPreemptLeavesTheVipWhereItIs() throws Exception {
        // dir1 comes back configured nopreempt (state BACKUP): it must not take the VIP from dir2.
        stop(keepaliveds.remove(1));
        keepaliveds.put(1, startKeepalived(1, false));
        try (Load load = Load.start("4-return-nopreempt")) {
            Thread.sleep(3000);
            load.mark("event");
            topo.exec("dir1", "ip", "link", "set", "eth0", "up").orThrow();
            Thread.sleep(2000);
            load.quiet();
            // Long enough for dir1 to hear dir2's adverts and (wrongly) preempt if it were going to.
            Thread.sleep(8000);
            assertThat(vipHolders()).as("nopreempt: dir2 keeps the VIP").containsExactly(2);
            check(load.finish(), 10_000);
        }
        assertRole(1, "backup", List.of("backup"));
        assertRole(2, "master", List.of("backup", "master"));
        assertThat(vipHolders()).containsExactly(2);
    }

    /** What must hold for every scenario: every established and quiet flow survived, new ones got through. */
    private static void check(Map<String, String> r, long boundMs) {
        assertThat(r.get("failedConns")).as("established connections dropped: %s", r).isEqualTo("0");
        assertThat(r.get("survived")).as("%s", r).isEqualTo(String.valueOf(CONNS));
        assertThat(r.get("quietSurvived")).as("quiet connections (handshake only before the event): %s", r)
                .isEqualTo(String.valueOf(QUIET));
        assertThat(Long.parseLong(r.get("estDarkAfter.event"))).as("established flows dark after the event")
                .isLessThan(boundMs);
        assertThat(Long.parseLong(r.get("newDarkAfter.event"))).as("no new connection answered after the event")
                .isLessThan(boundMs);
        assertThat(Long.parseLong(r.get("newAttempts")) - Long.parseLong(r.get("newFailed")))
                .as("new connections answered").isPositive();
    }

    // ---- the load client ----

    /** FailoverLoad in the client namespace, driven over its standard input. */
    private static final class Load implements AutoCloseable {
        final String name;
        final Process process;
        final PrintWriter control;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, String> summary;

        private Load(String name, Process process) {
            this.name = name;
            this.process = process;
            this.control = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                        all.add(l);
                        lines.add(l);
                    }
                } catch (IOException e) {
                    lines.add("ERROR " + e);
                }
            }, "load-" + name);
            reader.setDaemon(true);
            reader.start();
        }

        static Load start(String name) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            Process p = new ProcessBuilder("ip", "netns", "exec", "client", java, "-Xmx128m", "-cp",
                    Path.of("target/test-classes").toAbsolutePath().toString(),
                    "io.lvsdirector.api.lab.failover.FailoverLoad", "--vip", Lab.VIP, "--conns",
                    String.valueOf(CONNS), "--quiet", String.valueOf(QUIET), "--interval-ms", "150",
                    "--new-per-s", "20").redirectError(dir.resolve("load-" + name + ".err").toFile()).start();
            Load load = new Load(name, p);
            String ready = load.await("READY", 90);
            assertThat(ready).as("load client %s: %s", name, load.all).contains(" dead=0");
            return load;
        }

        String await(String prefix, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                String l = lines.poll(200, TimeUnit.MILLISECONDS);
                if (l != null && l.startsWith(prefix)) {
                    return l;
                }
                if (l == null && !process.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError("load client " + name + ": no " + prefix + " line; output " + all);
        }

        /** Marks the event; returns the test's clock in ms (nanoTime) at the mark. */
        long mark(String event) throws InterruptedException {
            long t = System.nanoTime() / 1_000_000;
            control.println("mark " + event);
            await("MARKED", 30);
            return t;
        }

        /** The quiet flows send their first request now. */
        void quiet() {
            control.println("quiet");
        }

        Map<String, String> finish() throws Exception {
            control.println("stop");
            String line = await("summary", 60);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            summary = new LinkedHashMap<>();
            Matcher m = KV.matcher(line);
            while (m.find()) {
                summary.put(m.group(1), m.group(2));
            }
            results.put(name, summary);
            synchronized (all) {
                Files.write(dir.resolve("load-" + name + ".out"), all);
                all.stream().filter(l -> l.startsWith("failure")).limit(20)
                        .forEach(l -> System.out.println("failover-it: " + name + ": " + l));
            }
            System.out.println("failover-it: " + name + ": " + line);
            return summary;
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                control.println("stop");
                try {
                    if (!process.waitFor(40, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * The flows the active director holds are in the standby's table before the event: the master daemon
     * sends a partly filled buffer after at most 2 s (IPVS_SYNC_FLUSH_TIME), so this waits for the copy.
     * Not asserted here: a flow missing on the standby shows up as a dropped flow, which the scenario
     * asserts.
     */
    private static void awaitSynced(int active, int standby, Load load) throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(10);
        java.util.Set<String> onActive = flows(active);
        java.util.Set<String> missing = new TreeSet<>(onActive);
        while (System.nanoTime() < deadline) {
            onActive = flows(active);
            missing = new TreeSet<>(onActive);
            missing.removeAll(flows(standby));
            // A one-shot connection may be caught between its handshake and its sync: after the flush time,
            // two missing flows are let through (a long-lived one among them would fail the scenario).
            boolean flushed = System.nanoTime() - t0 > TimeUnit.MILLISECONDS.toNanos(2500);
            if (onActive.size() >= CONNS + QUIET && (missing.isEmpty() || flushed && missing.size() <= 2)) {
                break;
            }
            Thread.sleep(500);
        }
        System.out.printf("failover-it: %s: %d of dir%d's %d established flows in dir%d's table %d ms after READY%n",
                load.name, onActive.size() - missing.size(), active, onActive.size(), standby,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Client endpoints of the VIP's ESTABLISHED entries in a director's connection table (ipvsadm -Lnc). */
    private static java.util.Set<String> flows(int i) {
        String out = topo.exec(30, "dir" + i, "ipvsadm", "-Lnc").orThrow().stdout();
        java.util.Set<String> flows = new TreeSet<>();
        for (String l : out.split("\n")) {
            String[] f = l.trim().split("\\s+");
            // pro expire state source virtual destination
            if (f.length >= 6 && f[2].equals("ESTABLISHED") && f[4].equals(Lab.VIP + ":80")) {
                flows.add(f[3]);
            }
        }
        return flows;
    }

    // ---- directors ----

    private static Process startService(int i) throws Exception {
        Path d = dir.resolve("dir" + i);
        return PackagedService.start("dir" + i, "192m", d.resolve("director.yml"), d.resolve("server.out"), Map.of());
    }

    private static void awaitHealthy(int i, Process p) {
        PackagedService.awaitHealthy("dir" + i, p, dir.resolve("dir" + i).resolve("server.out"), Duration.ofSeconds(150));
    }

    /** keepalived for dirI: preempt = dir1 MASTER 150 / dir2 BACKUP 100; without, both BACKUP nopreempt. */
    private static Process startKeepalived(int i, boolean preempt) throws Exception {
        Path d = dir.resolve("dir" + i);
        String template;
        try (var in = HaFailoverKernelIT.class.getResourceAsStream("/failover/keepalived.conf.tmpl")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // dir2 has the lower priority: it never preempts, so nopreempt on it changes nothing; it is
        // configured as in the no-preempt pair throughout (state BACKUP) and only dir1 changes.
        boolean master = i == 1 && preempt;
        String conf = template.replace("@ROUTER_ID@", "dir" + i)
                .replace("@STATE@", master ? "MASTER" : "BACKUP")
                .replace("@PRIORITY@", i == 1 ? "150" : "100")
                .replace("@NOPREEMPT@", master ? "" : "    nopreempt")
                .replace("@SELF@", Topology.address("dir" + i))
                .replace("@PEER@", Topology.address("dir" + (3 - i)))
                .replace("@NOTIFY@", d.resolve("notify").toString());
        Path file = d.resolve(preempt ? "keepalived.conf" : "keepalived-nopreempt.conf");
        Files.writeString(file, conf);
        return new ProcessBuilder("ip", "netns", "exec", "dir" + i, "keepalived", "--dont-fork", "--log-console",
                "--log-detail", "--vrrp", "--use-file=" + file, "--pid=" + d.resolve("keepalived.pid"),
                "--vrrp_pid=" + d.resolve("keepalived-vrrp.pid"), "--checkers_pid=" + d.resolve("keepalived-chk.pid"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        d.resolve("keepalived.log").toFile()))
                .start();
    }

    private static void stop(Process p) {
        // SIGTERM: keepalived sends a priority-0 advert and drops the VIP; Dropwizard stops the loop and
        // leaves the kernel (table and sync daemons) as it is.
        Lab.stop(p);
    }

    /** The directors holding the VIP on eth0. */
    private static TreeSet<Integer> vipHolders() {
        TreeSet<Integer> out = new TreeSet<>();
        for (int i = 1; i <= 2; i++) {
            if (topo.exec("dir" + i, "ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout()
                    .contains(" " + Lab.VIP + "/32")) {
                out.add(i);
            }
        }
        return out;
    }

    /** Waits until dirI alone holds the VIP; returns the test's clock in ms when it was seen. */
    private static long awaitVipOn(int i, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (vipHolders().equals(new TreeSet<>(List.of(i)))) {
                return System.nanoTime() / 1_000_000;
            }
        }
        throw new AssertionError("VIP not on dir" + i + " alone within " + seconds + " s: " + vipHolders());
    }

    private static String api(int i, String method, String path, String body) {
        return PackagedService.api("dir" + i, ADMIN_TOKEN, method, path, body);
    }

    /** GET /v1/ha on dirI says ROLE and wants DAEMONS, and ipvsadm -L --daemon shows exactly those. */
    private static void assertRole(int i, String role, List<String> daemons) throws IOException {
        JsonNode v = JSON.readTree(topo.curl("dir" + i, "-s", "-f", "-H", "Authorization: Bearer " + ADMIN_TOKEN, API + "/v1/ha")
                .orThrow().stdout());
        assertThat(v.get("role").asText()).as("dir%d /v1/ha: %s", i, v).isEqualTo(role);
        List<String> wanted = new ArrayList<>();
        v.at("/syncDaemons/wanted").forEach(n -> wanted.add(n.asText()));
        assertThat(wanted).as("dir%d wanted daemons: %s", i, v).isEqualTo(daemons);
        List<String> kernel = new ArrayList<>();
        Matcher m = DAEMON.matcher(topo.ipvsadm("dir" + i, "-L", "--daemon"));
        while (m.find()) {
            assertThat(m.group(2) + "/" + m.group(3)).isEqualTo("eth0/" + SYNC_ID);
            kernel.add(m.group(1));
        }
        kernel.sort(null);
        assertThat(kernel).as("dir%d ipvsadm -L --daemon", i).isEqualTo(daemons);
    }

    private static void printTable() {
        StringBuilder b = new StringBuilder("\nfailover-it: HA failover figures (VIP " + Lab.VIP + ", "
                + CONNS + " keep-alive flows at ~150 ms, " + QUIET + " quiet flows, 20 new conn/s)\n");
        b.append(String.format("%-20s %9s %9s %9s %9s %9s %9s %9s %9s%n", "scenario", "VIP moved", "est dark",
                "worst gap", "survived", "quiet ok", "new dark", "new fail", "new tot"));
        for (Map.Entry<String, Map<String, String>> e : results.entrySet()) {
            Map<String, String> r = e.getValue();
            Long moved = takeoverMs.get(e.getKey());
            b.append(String.format("%-20s %9s %9s %9s %9s %9s %9s %9s %9s%n", e.getKey(),
                    moved == null ? "-" : moved + " ms", r.get("estDarkAfter.event") + " ms",
                    r.get("worstConnGapMs") + " ms", r.get("survived") + "/" + r.get("conns"),
                    r.get("quietSurvived") + "/" + r.get("quiet"), r.get("newDarkAfter.event") + " ms",
                    r.get("newFailed"), r.get("newAttempts")));
        }
        b.append("VIP moved: event to the VIP seen on the new holder alone (failback: from keepalived's start);"
                + " est dark: longest time without any answer on the established flows around the event;"
                + " worst gap: the longest wait of a single flow; new dark: the same for new connections\n");
        System.out.println(b);
    }
}

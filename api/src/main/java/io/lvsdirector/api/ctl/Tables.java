package io.lvsdirector.api.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table output: {@code ipvsadm -Ln}'s layout (a service line, then one {@code ->} line per real
 * server) with what ipvsadm cannot know: the service's name and state, the desired weight beside the
 * kernel's, and each real server's health, since when and why.
 *
 * <pre>
 * Prot LocalAddress:Port Scheduler Flags  Service State
 *   -> RemoteAddress:Port Forward Weight Kernel ActiveConn InActConn Health  Since Reason
 * TCP  198.18.0.100:80 rr                 web     in step
 *   -> 198.18.0.21:80     Route   1      1      0          3         healthy 4m2s  ok
 *   -> 198.18.0.22:80     Route   1      -      0          0         failed  12s   connect refused
 * </pre>
 * {@code Weight} is the weight the director wants ({@code -}: wanted out), {@code Kernel} the one the
 * kernel had after the loop's last pass ({@code -}: not in the kernel).
 */
final class Tables {

    private static final String[] SERVICE_HEAD = {"Prot", "LocalAddress:Port", "Scheduler", "Flags", "Service", "State"};
    private static final String[] REAL_HEAD = {"  -> RemoteAddress:Port", "Forward", "Weight", "Kernel", "ActiveConn",
        "InActConn", "Health", "Since", "Reason"};

    private Tables() {
    }

    /** {@code GET /v1/services}'s answer as the table. */
    static String services(JsonNode list, String server, Instant now) {
        StringBuilder b = new StringBuilder();
        b.append("lvs-director ").append(server).append("  state version ").append(list.path("version").asText())
                .append("  kernel read ").append(age(list.get("kernelAgeSeconds"))).append('\n');
        List<JsonNode> services = new ArrayList<>();
        list.path("services").forEach(services::add);
        b.append(table(services, now));
        if (services.isEmpty()) {
            b.append("(no services)\n");
        }
        return b.toString();
    }

    /** One service ({@code GET /v1/services/NAME}): its settings, then its table. */
    static String service(JsonNode view, Instant now) {
        JsonNode spec = view.path("spec");
        JsonNode status = view.path("status");
        StringBuilder b = new StringBuilder();
        b.append("Service ").append(view.path("name").asText()).append(": ").append(protocol(spec)).append(' ')
                .append(endpoint(spec)).append(", scheduler ").append(spec.path("scheduler").asText("wrr"))
                .append(", forwarding ").append(spec.path("forwarding").asText("dr")).append('\n');
        JsonNode hc = spec.get("healthCheck");
        b.append("  health check:  ").append(hc == null || hc.isNull() ? "none (always healthy)" : healthCheck(hc))
                .append('\n');
        b.append("  when all down: ").append(status.path("whenAllDown").asText()).append('\n');
        b.append("  state:         ").append(state(status)).append(", kernel read ")
                .append(age(status.get("kernelAgeSeconds"))).append('\n');
        JsonNode c = status.get("counters");
        if (c != null) {
            b.append("  counters:      ").append(c.path("connections").asLong()).append(" connections, ")
                    .append(c.path("inPackets").asLong()).append(" packets in, ").append(c.path("outPackets").asLong())
                    .append(" packets out\n");
        }
        b.append('\n').append(table(List.of(view), now));
        return b.toString();
    }

    /** {@code POST /v1/plan}'s answer as {@code plan} prints it: ipvsadm lines, then problems. */
    static String plan(JsonNode plan) {
        StringBuilder b = new StringBuilder();
        for (JsonNode p : plan.path("problems")) {
            b.append("# problem: ").append(p.asText()).append('\n');
        }
        for (JsonNode f : plan.path("foreign")) {
            b.append("# foreign: ").append(f.asText())
                    .append(" (the kernel has this service under someone else's ownership: left alone)\n");
        }
        int n = 0;
        for (JsonNode op : plan.path("operations")) {
            b.append("ipvsadm ").append(op.path("ipvsadm").asText()).append("    # ").append(op.path("service").asText())
                    .append(' ').append(op.path("op").asText()).append('\n');
            n++;
        }
        b.append("# ").append(n).append(n == 1 ? " operation" : " operations").append(", none applied (kernel read ")
                .append(age(plan.get("kernelAgeSeconds"))).append(")\n");
        return b.toString();
    }

    private static String table(List<JsonNode> services, Instant now) {
        List<String[]> svc = new ArrayList<>();
        List<String[]> real = new ArrayList<>();
        svc.add(SERVICE_HEAD);
        real.add(REAL_HEAD);
        List<List<Integer>> realRowsOf = new ArrayList<>();
        for (JsonNode s : services) {
            JsonNode spec = s.path("spec");
            JsonNode status = s.path("status");
            svc.add(new String[] {protocol(spec), endpoint(spec), spec.path("scheduler").asText("wrr"), flags(spec),
                s.path("name").asText(), state(status)});
            List<Integer> rows = new ArrayList<>();
            String forward = forward(spec.path("forwarding").asText("dr"));
            for (JsonNode r : status.path("realServers")) {
                String address = r.path("address").asText();
                String hostPort = (address.contains(":") ? "[" + address + "]" : address) + ":" + r.path("port").asInt();
                String reason = r.path("reason").asText();
                if (r.hasNonNull("node")) {
                    reason = "node " + r.get("node").asText() + ": " + reason;
                }
                if (!"active".equals(r.path("disposition").asText())) {
                    reason = r.path("disposition").asText() + ": " + reason;
                }
                real.add(new String[] {"  -> " + hostPort, forward, weight(r.get("desiredWeight")),
                    weight(r.get("kernelWeight")), r.path("activeConnections").asText("0"),
                    r.path("inactiveConnections").asText("0"), r.path("health").asText(), since(r.get("since"), now),
                    reason});
                rows.add(real.size() - 1);
            }
            realRowsOf.add(rows);
        }
        int[] sw = widths(svc);
        int[] rw = widths(real);
        StringBuilder b = new StringBuilder();
        b.append(row(svc.get(0), sw)).append(row(real.get(0), rw));
        for (int i = 0; i < services.size(); i++) {
            b.append(row(svc.get(i + 1), sw));
            JsonNode error = services.get(i).path("status").get("applyError");
            if (error != null && !error.isNull()) {
                b.append("  ! the kernel refused ").append(error.path("op").asText()).append(": ")
                        .append(error.path("errno").asText()).append(' ').append(error.path("message").asText())
                        .append(" (").append(error.path("failures").asText()).append(" failures since ")
                        .append(error.path("since").asText()).append(")\n");
            }
            for (int r : realRowsOf.get(i)) {
                b.append(row(real.get(r), rw));
            }
        }
        return b.toString();
    }

    private static int[] widths(List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        return w;
    }

    private static String row(String[] cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            b.append(cells[i]);
            if (i < cells.length - 1) {
                b.append(" ".repeat(widths[i] - cells[i].length() + 1));
            }
        }
        return b.toString().stripTrailing() + "\n";
    }

    static String state(JsonNode status) {
        JsonNode error = status.get("applyError");
        if (error != null && !error.isNull()) {
            return "apply error " + error.path("errno").asText();
        }
        if (!status.path("reconciled").asBoolean()) {
            return "pending (not reconciled yet)";
        }
        if (status.path("allDown").asBoolean()) {
            String what = status.path("minHealthy").asInt(1) > 1 ? "below quorum" : "all down";
            return what + " (" + status.path("whenAllDown").asText() + ")";
        }
        return status.path("inKernel").asBoolean() ? "in step" : "not in kernel";
    }

    private static String protocol(JsonNode spec) {
        return spec.path("protocol").asText("tcp").toUpperCase(Locale.ROOT);
    }

    private static String endpoint(JsonNode spec) {
        String vip = spec.path("vip").asText();
        return (vip.contains(":") ? "[" + vip + "]" : vip) + ":" + spec.path("port").asInt();
    }

    private static String flags(JsonNode spec) {
        List<String> f = new ArrayList<>();
        if (spec.path("persistenceSeconds").asInt() > 0) {
            f.add("persistent " + spec.path("persistenceSeconds").asInt());
        }
        for (JsonNode flag : spec.path("schedulerFlags")) {
            f.add(flag.asText());
        }
        return String.join(",", f);
    }

    /** ipvsadm's words for the forwarding method. */
    private static String forward(String forwarding) {
        return switch (forwarding) {
            case "nat" -> "Masq";
            case "tun" -> "Tunnel";
            default -> "Route";
        };
    }

    private static String weight(JsonNode w) {
        return w == null || w.isNull() ? "-" : w.asText();
    }

    private static String healthCheck(JsonNode hc) {
        StringBuilder b = new StringBuilder(hc.path("type").asText());
        if (hc.has("port")) {
            b.append(" :").append(hc.get("port").asText());
        }
        if (hc.has("path")) {
            b.append(hc.get("path").asText());
        }
        if (hc.has("intervalMs")) {
            b.append(" every ").append(hc.get("intervalMs").asText()).append(" ms");
        }
        if (hc.has("timeoutMs")) {
            b.append(", timeout ").append(hc.get("timeoutMs").asText()).append(" ms");
        }
        if (hc.has("rise")) {
            b.append(", rise ").append(hc.get("rise").asText());
        }
        if (hc.has("fall")) {
            b.append(", fall ").append(hc.get("fall").asText());
        }
        return b.toString();
    }

    private static String age(JsonNode seconds) {
        if (seconds == null || seconds.isNull()) {
            return "never";
        }
        return String.format(Locale.ROOT, "%.1f s ago", seconds.asDouble());
    }

    /** How long ago, in the largest two units: 12s, 4m2s, 3h4m, 2d3h. */
    static String since(JsonNode at, Instant now) {
        if (at == null || at.isNull()) {
            return "-";
        }
        try {
            return duration(Duration.between(Instant.parse(at.asText()), now));
        } catch (DateTimeParseException e) {
            return at.asText();
        }
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        if (s < 86400) {
            return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
        }
        return s / 86400 + "d" + (s % 86400 / 3600 == 0 ? "" : s % 86400 / 3600 + "h");
    }
}

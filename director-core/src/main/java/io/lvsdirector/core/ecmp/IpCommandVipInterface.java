package io.lvsdirector.core.ecmp;

import io.lvsdirector.ipvs.IpAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link VipInterface} by running iproute2's {@code ip} (forked: JNA lives only in ipvs-netlink, and a
 * few address changes per health transition do not need rtnetlink's speed). With a network namespace
 * name, every command runs as {@code ip -n NETNS ...}.
 */
public final class IpCommandVipInterface implements VipInterface {

    /** Interface names as the kernel takes them. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    // "3: lvs-vips    inet 192.0.2.10/32 scope global lvs-vips\       valid_lft forever ..."
    private static final Pattern ADDR = Pattern.compile("\\sinet6?\\s+([0-9A-Fa-f:.]+)/\\d+\\s");
    private static final long TIMEOUT_SECONDS = 5;

    private final String ip;
    private final String name;
    private final String netns;

    /**
     * @param ip the {@code ip} binary ({@code /usr/sbin/ip}, or {@code ip} from PATH)
     * @param name the dummy link's name
     * @param netns a network namespace name, or {@code null} for this process's own
     */
    public IpCommandVipInterface(String ip, String name, String netns) {
        this.ip = Objects.requireNonNull(ip, "ip");
        this.name = Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not an interface name");
        }
        this.netns = netns;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void ensure() throws IOException {
        Result show = run("link", "show", "dev", name);
        if (show.code != 0) {
            Result add = run("link", "add", name, "type", "dummy");
            if (add.code != 0 && !add.err.contains("File exists")) {
                throw new IOException("ip link add " + name + " type dummy: " + add.err.strip());
            }
        }
        check(run("link", "set", name, "up"), "ip link set " + name + " up");
    }

    @Override
    public List<InetAddress> addresses() throws IOException {
        Result r = check(run("-o", "addr", "show", "dev", name, "scope", "global"), "ip -o addr show dev " + name);
        return parseAddresses(r.out);
    }

    /** The addresses in {@code ip -o addr show} output. */
    static List<InetAddress> parseAddresses(String out) {
        List<InetAddress> list = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = ADDR.matcher(line);
            if (m.find()) {
                list.add(IpAddresses.parse(m.group(1)));
            }
        }
        return List.copyOf(list);
    }

    @Override
    public void add(InetAddress vip) throws IOException {
        Result r = run("addr", "add", prefix(vip), "dev", name);
        if (r.code != 0 && !r.err.contains("File exists")) {
            throw new IOException("ip addr add " + prefix(vip) + " dev " + name + ": " + r.err.strip());
        }
    }

    @Override
    public void remove(InetAddress vip) throws IOException {
        Result r = run("addr", "del", prefix(vip), "dev", name);
        // EADDRNOTAVAIL: gone already, which is what was wanted.
        if (r.code != 0 && !r.err.contains("Cannot assign requested address")) {
            throw new IOException("ip addr del " + prefix(vip) + " dev " + name + ": " + r.err.strip());
        }
    }

    static String prefix(InetAddress vip) {
        return IpAddresses.toText(vip) + (vip.getAddress().length == 4 ? "/32" : "/128");
    }

    private record Result(int code, String out, String err) {}

    private static Result check(Result r, String what) throws IOException {
        if (r.code != 0) {
            throw new IOException(what + ": exit " + r.code + ": " + r.err.strip());
        }
        return r;
    }

    private Result run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ip);
        if (netns != null) {
            cmd.add("-n");
            cmd.add(netns);
        }
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        try (InputStream out = p.getInputStream(); InputStream err = p.getErrorStream()) {
            p.getOutputStream().close();
            // Outputs are small (one line per address): reading them in turn cannot fill a pipe.
            String o = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            String e = new String(err.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), o, e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
    }
}

package io.lvsdirector.lab;

/**
 * A DR topology built by {@code lab/topo.sh up}: network namespaces {@code client}, {@code dir1..},
 * {@code rs1..} on one bridge. Closing it tears every namespace down.
 */
public final class Topology implements AutoCloseable {

    private final int directors;
    private final int realServers;

    Topology(int directors, int realServers) {
        this.directors = directors;
        this.realServers = realServers;
    }

    public int directors() {
        return directors;
    }

    public int realServers() {
        return realServers;
    }

    /** A host's address on the segment: client 198.18.0.2, dirN 198.18.0.(10+N), rsN 198.18.0.(20+N). */
    public static String address(String namespace) {
        if (namespace.equals("client")) {
            return "198.18.0.2";
        }
        if (namespace.matches("dir[0-9]+")) {
            return "198.18.0." + (10 + Integer.parseInt(namespace.substring(3)));
        }
        if (namespace.matches("rs[0-9]+")) {
            return "198.18.0." + (20 + Integer.parseInt(namespace.substring(2)));
        }
        throw new IllegalArgumentException("unknown lab host " + namespace);
    }

    /** The client's address in the ecmp topology (its own segment behind the router). */
    public static final String ECMP_CLIENT = "198.18.1.2";
    /** The router's address on the directors' segment (the BGP peer of every director). */
    public static final String ROUTER = "198.18.0.1";

    /** (ecmp) Starts BIRD in {@code router} or {@code dirN} with the config {@code topo.sh up --ecmp} wrote. */
    public void startBird(String namespace) {
        Lab.topo("bird-start", namespace).orThrow();
    }

    /** (ecmp) Stops BIRD in a namespace: SIGTERM (a clean BGP close), or SIGKILL when {@code kill}. */
    public void stopBird(String namespace, boolean kill) {
        if (kill) {
            Lab.topo("bird-stop", namespace, "--kill").orThrow();
        } else {
            Lab.topo("bird-stop", namespace).orThrow();
        }
    }

    /** (ecmp) {@code birdc ARGS} on a namespace's BIRD; its output. */
    public String birdc(String namespace, String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "birdc";
        cmd[1] = namespace;
        System.arraycopy(args, 0, cmd, 2, args.length);
        return Lab.topo(cmd).orThrow().stdout();
    }

    /** (ecmp) The BIRD control socket of a namespace. */
    public static java.nio.file.Path birdSocket(String namespace) {
        return java.nio.file.Path.of("/run/lab", namespace, "bird.ctl");
    }

    /** Real server {@code i}'s address (1-based). */
    public static String realServer(int i) {
        return address("rs" + i);
    }

    /** Runs a command inside a namespace, with a 120 s limit. */
    public ExecResult exec(String namespace, String... command) {
        return exec(120, namespace, command);
    }

    /** Runs a command inside a namespace, with a limit of {@code timeoutSeconds}. */
    public ExecResult exec(long timeoutSeconds, String namespace, String... command) {
        return Lab.exec(timeoutSeconds, namespace, command);
    }

    /** {@code curl --max-time 10 ARGS} inside a namespace: {@link Lab#curl}. */
    public ExecResult curl(String namespace, String... args) {
        return Lab.curl(namespace, args);
    }

    /** One HTTP GET from the client namespace (a new connection); the body, or null when it failed. */
    public String get(String url) {
        ExecResult r = exec(10, "client", "curl", "-s", "--max-time", "2", url);
        return r.ok() ? r.stdout().strip() : null;
    }

    /** Stops real server {@code i}'s nginx (both :80 and the :8080 health port), waiting until it is gone. */
    public void stopRealServer(int i) {
        Lab.topo("rs-stop", Integer.toString(i)).orThrow();
    }

    /** Starts real server {@code i}'s nginx again, returning once it accepts connections. */
    public void startRealServer(int i) {
        Lab.topo("rs-start", Integer.toString(i)).orThrow();
    }

    /** Makes real server {@code i}'s {@code /ping} answer {@code code} (200, or 503 for "draining"). */
    public void pingAnswers(int i, int code) {
        Lab.topo("rs-ping", Integer.toString(i), Integer.toString(code)).orThrow();
    }

    /** {@code ipvsadm ARGS} inside a director namespace; fails when ipvsadm fails: {@link Lab#ipvsadm}. */
    public String ipvsadm(String namespace, String... args) {
        return Lab.ipvsadm(namespace, args);
    }

    @Override
    public void close() {
        Lab.topo("down");
    }
}

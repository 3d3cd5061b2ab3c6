package io.lvsdirector.api.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lvs-director ctl}: the REST API from a shell, the way kubectl talks to Kubernetes. No
 * Dropwizard here: the JDK's HttpClient, Jackson, and the client config ({@link ClientConfig}).
 *
 * <p>Exit status: {@value #OK} done; {@value #REFUSED} the API refused the request (its message is
 * printed: a 404, 409, 422, 503 ...); {@value #USAGE} bad command line, client config, token or input
 * file (nothing was sent); {@value #UNREACHABLE} no answer (connection refused, timeout, TLS failure);
 * {@value #UNAUTHORIZED} the API refused the token (401) or its role (403).
 */
public final class Ctl {

    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int UNAUTHORIZED = 4;

    static final String USAGE_TEXT = """
            usage: lvs-director ctl [OPTIONS] COMMAND [ARGS]

            Commands:
              services                      every service, its real servers, weights, health and why
              get NAME                      one service: settings, state, real servers
              apply -f FILE                 create or replace the services in FILE (JSON or YAML; - = stdin)
              delete NAME                   delete a service
              drain NAME ADDRESS [--undo]   drain a real server by hand (weight 0, then out); --undo ends it
              plan -f FILE                  the ipvsadm operations applying FILE would cause (applies nothing)

            Options (anywhere on the line):
              -o, --output table|json       output format (default table)
              --server URL                  the API, http(s)://HOST:PORT (default http://127.0.0.1:9440)
              --token-file FILE             file holding the bearer token
              --ca-file FILE                PEM certificate(s) to trust for an https server
              --config FILE                 client config (default ~/.config/lvs-director/client.yaml)
              --timeout SECONDS             per request (default 10)
              -h, --help                    this text

            Environment: LVS_DIRECTOR_TOKEN (the token), LVS_DIRECTOR_TOKEN_FILE, LVS_DIRECTOR_URL,
            LVS_DIRECTOR_CA_FILE, LVS_DIRECTOR_CLIENT_CONFIG. Flags win over the environment, which wins
            over the client config (keys server, caFile, tokenFile).

            Exit status: 0 ok, 1 the API refused (its message is printed), 2 usage or input error,
            3 API unreachable (or TLS failed), 4 token refused (401) or not allowed (403).
            """;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final InputStream stdin;
    private final Clock clock;

    Ctl(PrintStream out, PrintStream err, Map<String, String> env, InputStream stdin, Clock clock) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.stdin = stdin;
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv(), System.in));
    }

    /** Runs one command; returns its exit status. Never throws. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env, InputStream stdin) {
        return new Ctl(out, err, env, stdin, Clock.systemUTC()).run(List.of(args));
    }

    /** The parsed command line. */
    record Args(String command, List<String> positional, String output, String file, boolean undo,
            ClientConfig.Flags flags, Duration timeout, boolean help) {}

    int run(List<String> argv) {
        try {
            Args a = parse(argv);
            if (a.help()) {
                out.print(USAGE_TEXT);
                return OK;
            }
            ClientConfig config = ClientConfig.resolve(a.flags(), env);
            ApiClient api = new ApiClient(config, a.timeout());
            return execute(a, api);
        } catch (CtlException e) {
            err.println("lvs-director ctl: " + e.getMessage());
            if (e.exitCode() == USAGE) {
                err.println("(lvs-director ctl --help shows the commands)");
            }
            return e.exitCode();
        } catch (RuntimeException e) {
            // A bug of ours: still one line, and an exit status a script can tell from the API's refusals.
            err.println("lvs-director ctl: internal error: " + e);
            return 70;
        }
    }

    static Args parse(List<String> argv) throws CtlException {
        String output = "table";
        String file = null;
        boolean undo = false;
        boolean help = false;
        String server = null;
        String tokenFile = null;
        String caFile = null;
        String config = null;
        Duration timeout = Duration.ofSeconds(10);
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            String name = arg;
            String value = null;
            if (arg.startsWith("--") && arg.contains("=")) {
                name = arg.substring(0, arg.indexOf('='));
                value = arg.substring(arg.indexOf('=') + 1);
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "--undo" -> undo = true;
                case "-o", "--output", "-f", "--filename", "--server", "--token-file", "--ca-file", "--config",
                        "--timeout" -> {
                    if (value == null) {
                        if (i + 1 >= argv.size()) {
                            throw CtlException.usage(name + " needs a value");
                        }
                        value = argv.get(++i);
                    }
                    switch (name) {
                        case "-o", "--output" -> {
                            if (!value.equals("table") && !value.equals("json")) {
                                throw CtlException.usage("output format '" + value + "': table or json");
                            }
                            output = value;
                        }
                        case "-f", "--filename" -> file = value;
                        case "--server" -> server = value;
                        case "--token-file" -> tokenFile = value;
                        case "--ca-file" -> caFile = value;
                        case "--config" -> config = value;
                        default -> timeout = seconds(value);
                    }
                }
                case "--token" -> throw CtlException.usage("a token is never given on the command line (ps shows it):"
                        + " use --token-file FILE or LVS_DIRECTOR_TOKEN");
                default -> {
                    if (arg.startsWith("-") && !arg.equals("-")) {
                        throw CtlException.usage("unknown option " + name);
                    }
                    positional.add(arg);
                }
            }
        }
        ClientConfig.Flags flags = new ClientConfig.Flags(server, tokenFile, caFile, config);
        if (help || positional.isEmpty() || positional.get(0).equals("help")) {
            if (!help && positional.isEmpty()) {
                throw CtlException.usage("no command given");
            }
            return new Args("help", List.of(), output, file, undo, flags, timeout, true);
        }
        String command = positional.get(0);
        List<String> rest = positional.subList(1, positional.size());
        int want = switch (command) {
            case "services", "apply", "plan" -> 0;
            case "get", "delete" -> 1;
            case "drain" -> 2;
            default -> throw CtlException.usage("unknown command '" + command
                    + "' (services, get, apply, delete, drain, plan)");
        };
        if (rest.size() != want) {
            throw CtlException.usage(command + " takes " + switch (command) {
                case "get", "delete" -> "a service NAME";
                case "drain" -> "a service NAME and a real server ADDRESS";
                default -> "no arguments" + (command.equals("services") ? "" : " besides -f FILE");
            } + "; got " + rest.size());
        }
        if ((command.equals("apply") || command.equals("plan")) != (file != null)) {
            throw CtlException.usage(file == null ? command + " needs -f FILE" : "-f is for apply and plan only");
        }
        if (undo && !command.equals("drain")) {
            throw CtlException.usage("--undo is for drain only");
        }
        return new Args(command, List.copyOf(rest), output, file, undo, flags, timeout, false);
    }

    private static Duration seconds(String value) throws CtlException {
        try {
            int s = Integer.parseInt(value);
            if (s >= 1 && s <= 3600) {
                return Duration.ofSeconds(s);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw CtlException.usage("--timeout takes whole seconds, 1 to 3600: '" + value + "'");
    }

    private int execute(Args a, ApiClient api) throws CtlException {
        boolean json = a.output().equals("json");
        switch (a.command()) {
            case "services" -> {
                JsonNode list = api.get("/v1/services").body();
                out.print(json ? pretty(list) : Tables.services(list, api.base().toString(), clock.instant()));
            }
            case "get" -> {
                JsonNode view = api.get("/v1/services/" + ApiClient.segment(a.positional().get(0))).body();
                out.print(json ? pretty(view) : Tables.service(view, clock.instant()));
            }
            case "delete" -> {
                String name = a.positional().get(0);
                api.send("DELETE", "/v1/services/" + ApiClient.segment(name), null);
                if (json) {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    o.put("name", name);
                    o.put("result", "deleted");
                    out.print(pretty(o));
                } else {
                    out.println("service/" + name + " deleted");
                }
            }
            case "drain" -> {
                String name = a.positional().get(0);
                String address = a.positional().get(1);
                JsonNode answer = api.send(a.undo() ? "DELETE" : "POST", "/v1/services/" + ApiClient.segment(name)
                        + "/real-servers/" + ApiClient.segment(address) + "/drain", null).body();
                if (json) {
                    out.print(pretty(answer));
                } else if (a.undo()) {
                    out.println("service/" + name + " real server " + answer.path("address").asText()
                            + ": drain ended");
                } else {
                    out.println("service/" + name + " real server " + answer.path("address").asText() + ": draining"
                            + (answer.path("changed").asBoolean() ? "" : " (already)"));
                }
            }
            case "plan" -> {
                Map<String, JsonNode> merged = merged(api, ServiceFiles.read(a.file(), stdin));
                JsonNode plan = api.send("POST", "/v1/plan", planBody(merged)).body();
                out.print(json ? pretty(plan) : Tables.plan(plan));
            }
            case "apply" -> {
                return apply(api, ServiceFiles.read(a.file(), stdin), json);
            }
            default -> throw new IllegalStateException(a.command());
        }
        return OK;
    }

    /**
     * Every service in the file is checked before any is written: together with the services already
     * there by a dry run ({@code POST /v1/plan}: one protocol:VIP:port per service, also among the
     * file's own), then each by {@code PUT ?dryRun=true} (every rule a write gets, the kernel's
     * included: a foreign service on that VIP, a scheduler this kernel lacks). A file with one bad
     * service applies none. Then one PUT per service, in file order; one refused even so (the state
     * changed in between, a full disk) stops there, naming what was applied before it.
     */
    private int apply(ApiClient api, Map<String, JsonNode> file, boolean json) throws CtlException {
        Map<String, JsonNode> before = current(api);
        Map<String, JsonNode> merged = new LinkedHashMap<>(before);
        merged.putAll(file);
        try {
            api.send("POST", "/v1/plan", planBody(merged));
            for (Map.Entry<String, JsonNode> e : file.entrySet()) {
                api.send("PUT", "/v1/services/" + ApiClient.segment(e.getKey()) + "?dryRun=true", e.getValue());
            }
        } catch (CtlException e) {
            throw new CtlException(e.exitCode(), e.getMessage() + "; nothing applied");
        }
        List<String> done = new ArrayList<>();
        ObjectNode report = JsonNodeFactory.instance.objectNode();
        var results = report.putArray("applied");
        for (Map.Entry<String, JsonNode> e : file.entrySet()) {
            String name = e.getKey();
            ApiClient.Answer answer;
            try {
                answer = api.send("PUT", "/v1/services/" + ApiClient.segment(name), e.getValue());
            } catch (CtlException ex) {
                if (json) {
                    out.print(pretty(report));
                }
                List<String> notTried = new ArrayList<>(file.keySet()).subList(done.size() + 1, file.size());
                throw new CtlException(ex.exitCode(), "service/" + name + " refused: " + ex.getMessage()
                        + (done.isEmpty() ? "" : "; applied before it: " + String.join(", ", done))
                        + (notTried.isEmpty() ? "" : "; not tried: " + String.join(", ", notTried)));
            }
            String result = answer.status() == 201 ? "created"
                    : answer.body() != null && answer.body().path("spec").equals(before.get(name)) ? "unchanged"
                    : "configured";
            done.add(name);
            if (json) {
                ObjectNode r = results.addObject();
                r.put("name", name);
                r.put("result", result);
            } else {
                out.println("service/" + name + " " + result);
            }
        }
        if (json) {
            out.print(pretty(report));
        }
        return OK;
    }

    /** The services the API has now, NAME → spec. */
    private static Map<String, JsonNode> current(ApiClient api) throws CtlException {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode s : api.get("/v1/services").body().path("services")) {
            m.put(s.path("name").asText(), s.path("spec"));
        }
        return m;
    }

    /** What the director would have after {@code apply}: the services there now, the file's replacing theirs. */
    private static Map<String, JsonNode> merged(ApiClient api, Map<String, JsonNode> file) throws CtlException {
        Map<String, JsonNode> m = current(api);
        m.putAll(file);
        return m;
    }

    private static JsonNode planBody(Map<String, JsonNode> services) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        ObjectNode s = body.putObject("services");
        services.forEach(s::set);
        return body;
    }

    private static String pretty(JsonNode n) {
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

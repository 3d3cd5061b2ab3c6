package io.lvsdirector.api.ctl;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Where {@code ctl} talks to and how: the server URL, the CA file to trust for https and the token file,
 * each from a flag, else the environment, else the client config file, else the default.
 *
 * <pre>
 * # ~/.config/lvs-director/client.yaml (or $LVS_DIRECTOR_CLIENT_CONFIG, or --config FILE)
 * server: https://192.0.2.11:9440
 * caFile: director-ca.pem          # relative to this file's directory
 * tokenFile: ~/.config/lvs-director/token
 * </pre>
 *
 * A token itself is never a flag (it would show in {@code ps}); it comes from a file or
 * {@code LVS_DIRECTOR_TOKEN}.
 */
record ClientConfig(URI server, Path caFile, String token) {

    static final String DEFAULT_SERVER = "http://127.0.0.1:9440";
    private static final Set<String> KEYS = Set.of("server", "caFile", "tokenFile");

    /** The flags {@code ctl} was given; {@code null} = not given. */
    record Flags(String server, String tokenFile, String caFile, String config) {}

    static ClientConfig resolve(Flags flags, Map<String, String> env) throws CtlException {
        Path configFile;
        boolean named;
        if (flags.config() != null) {
            configFile = Path.of(flags.config());
            named = true;
        } else if (nonEmpty(env.get("LVS_DIRECTOR_CLIENT_CONFIG"))) {
            configFile = Path.of(env.get("LVS_DIRECTOR_CLIENT_CONFIG"));
            named = true;
        } else {
            configFile = defaultConfigFile(env);
            named = false;
        }
        JsonNode file = null;
        if (Files.exists(configFile)) {
            file = read(configFile);
        } else if (named) {
            throw CtlException.usage("client config " + configFile + " does not exist");
        }
        Path base = configFile.toAbsolutePath().getParent();

        String server = first(flags.server(), env.get("LVS_DIRECTOR_URL"), text(file, "server"), DEFAULT_SERVER);
        URI uri = serverUri(server);

        Path ca = null;
        if (flags.caFile() != null) {
            ca = Path.of(flags.caFile());
        } else if (nonEmpty(env.get("LVS_DIRECTOR_CA_FILE"))) {
            ca = Path.of(env.get("LVS_DIRECTOR_CA_FILE"));
        } else if (text(file, "caFile") != null) {
            ca = inConfigDir(base, text(file, "caFile"), env);
        }
        if (ca != null && !uri.getScheme().equals("https")) {
            throw CtlException.usage("a CA file (" + ca + ") is for an https server; " + uri + " is plain http");
        }

        String token;
        if (flags.tokenFile() != null) {
            token = Tokens.read(Path.of(flags.tokenFile()));
        } else if (nonEmpty(env.get("LVS_DIRECTOR_TOKEN"))) {
            token = Tokens.check(env.get("LVS_DIRECTOR_TOKEN").strip(), "LVS_DIRECTOR_TOKEN");
        } else if (nonEmpty(env.get("LVS_DIRECTOR_TOKEN_FILE"))) {
            token = Tokens.read(Path.of(env.get("LVS_DIRECTOR_TOKEN_FILE")));
        } else if (text(file, "tokenFile") != null) {
            token = Tokens.read(inConfigDir(base, text(file, "tokenFile"), env));
        } else {
            token = null;
        }
        return new ClientConfig(uri, ca, token);
    }

    /** {@code ${XDG_CONFIG_HOME:-$HOME/.config}/lvs-director/client.yaml}. */
    static Path defaultConfigFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path dir = nonEmpty(xdg) ? Path.of(xdg) : home(env).resolve(".config");
        return dir.resolve("lvs-director").resolve("client.yaml");
    }

    private static Path home(Map<String, String> env) {
        String h = env.get("HOME");
        return Path.of(nonEmpty(h) ? h : System.getProperty("user.home"));
    }

    private static Path inConfigDir(Path base, String value, Map<String, String> env) {
        if (value.equals("~") || value.startsWith("~/")) {
            return home(env).resolve(value.length() > 2 ? value.substring(2) : "");
        }
        Path p = Path.of(value);
        return p.isAbsolute() || base == null ? p : base.resolve(p);
    }

    private static JsonNode read(Path file) throws CtlException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode n;
        try {
            n = yaml.readTree(file.toFile());
        } catch (IOException e) {
            throw CtlException.usage("client config " + file + " is not readable YAML: " + firstLine(e.getMessage()));
        }
        if (n == null || n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw CtlException.usage("client config " + file + " must be a map of server, caFile, tokenFile");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String k = it.next();
            if (!KEYS.contains(k)) {
                throw CtlException.usage("client config " + file + ": unknown key '" + k
                        + "' (known: server, caFile, tokenFile)");
            }
            if (!n.get(k).isTextual()) {
                throw CtlException.usage("client config " + file + ": " + k + " must be a string");
            }
        }
        return n;
    }

    static URI serverUri(String server) throws CtlException {
        URI uri;
        try {
            uri = new URI(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
        } catch (java.net.URISyntaxException e) {
            throw CtlException.usage("server URL '" + server + "' is not a URL: " + e.getReason());
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw CtlException.usage("server URL '" + server + "' must be http://HOST[:PORT] or https://HOST[:PORT]");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
            // A token never travels in a URL, and the API lives at the root.
            throw CtlException.usage("server URL '" + server + "' must have no user, path, query or fragment");
        }
        return uri;
    }

    private static String text(JsonNode n, String key) {
        return n == null || !n.has(key) ? null : n.get(key).asText();
    }

    private static String first(String... values) {
        for (String v : values) {
            if (nonEmpty(v)) {
                return v;
            }
        }
        return null;
    }

    static boolean nonEmpty(String s) {
        return s != null && !s.isBlank();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

package io.lvsdirector.api.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * The REST API over the JDK's HttpClient: one request, one answer; anything but a 2xx becomes a
 * {@link CtlException} carrying the API's own {@code {code, message, field}} and the exit status
 * ({@link Ctl#REFUSED} for a refusal, {@link Ctl#UNAUTHORIZED} for 401/403, {@link Ctl#UNREACHABLE}
 * when no answer came). The token goes only into the {@code Authorization} header.
 */
final class ApiClient {

    record Answer(int status, JsonNode body) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    ApiClient(ClientConfig config, Duration timeout) throws CtlException {
        this.base = config.server();
        this.token = config.token();
        this.timeout = timeout;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.caFile() != null) {
            b.sslContext(trusting(config.caFile()));
        }
        this.http = b.build();
    }

    URI base() {
        return base;
    }

    /** One path segment, percent-encoded (a service name, an address). */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Answer get(String path) throws CtlException {
        return send("GET", path, null);
    }

    Answer send(String method, String path, JsonNode body) throws CtlException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json");
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            r.header("Content-Type", "application/json");
            r.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            r.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw new CtlException(Ctl.UNREACHABLE, "cannot reach the API at " + base + ": no connection within "
                    + timeout.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            throw new CtlException(Ctl.UNREACHABLE, "the API at " + base + " did not answer within "
                    + timeout.toSeconds() + " s");
        } catch (ConnectException e) {
            throw new CtlException(Ctl.UNREACHABLE, "cannot reach the API at " + base + ": connection refused"
                    + " (is lvs-director running, and is this its address? --server or server: in client.yaml)");
        } catch (SSLException e) {
            throw new CtlException(Ctl.UNREACHABLE, "TLS with " + base + " failed: " + cause(e)
                    + " (give the server's certificate or its CA with --ca-file or caFile: in client.yaml)");
        } catch (IOException e) {
            throw new CtlException(Ctl.UNREACHABLE, "cannot talk to the API at " + base + ": " + cause(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CtlException(Ctl.UNREACHABLE, "interrupted");
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Answer(status, json);
        }
        String what = method + " " + path + ": " + status + " " + describe(json, response.body());
        if (status == 401) {
            throw new CtlException(Ctl.UNAUTHORIZED, what + (token == null
                    ? " (no token given: --token-file FILE, LVS_DIRECTOR_TOKEN, or tokenFile: in client.yaml)"
                    : " (the server does not know this token)"));
        }
        if (status == 403) {
            throw new CtlException(Ctl.UNAUTHORIZED, what + " (this token's role may not do that)");
        }
        throw new CtlException(Ctl.REFUSED, what);
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** The API's error as one line: its message, the field it concerns, every problem when it lists several. */
    static String describe(JsonNode json, String raw) {
        if (json == null || !json.isObject() || !json.hasNonNull("message")) {
            String text = raw == null ? "" : raw.strip();
            return text.isEmpty() ? "(no message)" : ClientConfig.firstLine(text.length() > 200
                    ? text.substring(0, 200) + "..." : text);
        }
        StringBuilder b = new StringBuilder(json.get("message").asText());
        if (json.hasNonNull("field") && !json.get("field").asText().isEmpty()) {
            b.append(" [field ").append(json.get("field").asText()).append(']');
        }
        JsonNode errors = json.get("errors");
        if (errors != null && errors.isArray() && errors.size() > 1) {
            for (JsonNode e : errors) {
                b.append("; ").append(e.path("field").asText()).append(": ").append(e.path("message").asText());
            }
        }
        return b.toString();
    }

    private static String cause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : ClientConfig.firstLine(m);
    }

    /** A TLS context trusting exactly the PEM certificates in {@code caFile}. */
    private static SSLContext trusting(Path caFile) throws CtlException {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw CtlException.usage("CA file " + caFile + " holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (CtlException e) {
            throw e;
        } catch (java.nio.file.NoSuchFileException e) {
            throw CtlException.usage("CA file " + caFile + " does not exist");
        } catch (Exception e) {
            throw CtlException.usage("cannot read CA file " + caFile + ": " + cause(e));
        }
    }
}

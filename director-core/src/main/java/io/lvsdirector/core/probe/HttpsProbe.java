package io.lvsdirector.core.probe;

import io.lvsdirector.core.health.ProbeTarget;
import io.lvsdirector.core.model.HealthCheck;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * HTTPS: the {@link HttpProbe} request and answer inside TLS (the JDK's provider through Netty's
 * {@link SslHandler}; no native library). The certificate chain and name are verified unless the
 * check says {@code insecureSkipVerify}; the name, also sent as SNI, is the check's host (without a
 * port) or else the probed address. A failed handshake is down with a reason starting {@code tls:}.
 *
 * <p>The handshake is what HTTPS adds to a probe's cost, and it is paid once per connection: the
 * connection is kept between probes as for HTTP (the JDK's client session cache also resumes a
 * session when a connection has to be made again).
 *
 * <p>TLS contexts are shared by every target with the same trust ({@code caFile} as it is on disk,
 * or the default trust, or none): building one reads the trust store, which must not happen 5,000
 * times. A CA file that cannot be read or holds no certificate fails this check's probes only, with
 * the reason ("tls: cannot load caFile ..."); the file is read again for targets made after it
 * changed (its modification time or size).
 */
final class HttpsProbe implements ProbeKind {

    private static final ConcurrentHashMap<Trust, Object> CONTEXTS = new ConcurrentHashMap<>();

    private final HttpProbe http;
    private final SslContext context;
    // Why there is no context, in words, when there is none.
    private final String problem;
    private final String peerHost;
    private final int port;
    private final boolean verify;

    HttpsProbe(ProbeTarget target, HealthCheck.Https check, boolean keepAlive) {
        this.http = new HttpProbe(target, check.asHttp(), keepAlive);
        this.port = check.port();
        this.verify = !check.insecureSkipVerify();
        this.peerHost = serverName(target, check);
        Object c = CONTEXTS.computeIfAbsent(Trust.of(check), HttpsProbe::build);
        this.context = c instanceof SslContext s ? s : null;
        this.problem = c instanceof String s ? s : null;
    }

    /** The check's host without a port, or the probed address. */
    static String serverName(ProbeTarget target, HealthCheck.Https check) {
        String host = check.host();
        if (host == null) {
            return target.socketAddress().getAddress().getHostAddress();
        }
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(1, end) : host;
        }
        int colon = host.lastIndexOf(':');
        return colon > 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
    }

    @Override
    public void initChannel(SocketChannel channel) {
        if (context == null) {
            return;
        }
        SslHandler tls = context.newHandler(channel.alloc(), peerHost, port);
        if (verify) {
            // Netty 4.1 verifies the chain but not the name unless asked; the JDK checks the name
            // (or IP address) against the certificate's subject alternative names.
            SSLEngine engine = tls.engine();
            SSLParameters p = engine.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(p);
        }
        // The probe's own timeout bounds the handshake; the handler's 10 s default never fires first.
        tls.setHandshakeTimeoutMillis(0);
        channel.pipeline().addLast(tls);
    }

    @Override
    public void connected(Exchange probe) {
        if (context == null) {
            probe.finish(ProbeResult.Outcome.DOWN, problem);
            return;
        }
        // Written into the TLS handler, which sends it once the handshake is done.
        http.connected(probe);
    }

    @Override
    public Reader newReader() {
        return http.newReader();
    }

    /** A context for this trust, or the reason there is none. */
    private static Object build(Trust trust) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK);
            if (trust.skipVerify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (trust.caFile() != null) {
                b.trustManager(new File(trust.caFile()));
            }
            return b.build();
        } catch (Exception e) {
            String m = e.getMessage();
            for (Throwable t = e.getCause(); t != null && (m == null || m.isBlank()); t = t.getCause()) {
                m = t.getMessage();
            }
            return "tls: cannot load caFile " + trust.caFile() + ": " + (m == null ? e.getClass().getSimpleName() : m);
        }
    }

    /** What a TLS context depends on: the CA file as it is on disk now, or the default trust, or none. */
    private record Trust(String caFile, long modified, long size, boolean skipVerify) {
        static Trust of(HealthCheck.Https check) {
            if (check.caFile() == null) {
                return new Trust(null, 0, 0, check.insecureSkipVerify());
            }
            try {
                BasicFileAttributes a = Files.readAttributes(Path.of(check.caFile()), BasicFileAttributes.class);
                return new Trust(check.caFile(), a.lastModifiedTime().toMillis(), a.size(), false);
            } catch (Exception e) {
                // Unreadable: building fails with the reason, and is tried again for the next target.
                return new Trust(check.caFile(), -1, System.nanoTime(), false);
            }
        }
    }
}

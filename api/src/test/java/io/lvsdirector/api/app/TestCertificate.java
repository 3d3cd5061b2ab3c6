package io.lvsdirector.api.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 (and {@code localhost}) made by the JDK's own {@code keytool}:
 * a PKCS12 key store for the server and the certificate alone in PEM, which a client (or curl --cacert)
 * trusts.
 */
public record TestCertificate(Path keyStore, String password, Path certificatePem) {

    /** Generates into {@code dir}; {@code ipAddresses} go into the subject alternative name with localhost. */
    public static TestCertificate generate(Path dir, String password, String... ipAddresses) throws Exception {
        Path ks = dir.resolve("director.p12");
        Path pem = dir.resolve("director-ca.pem");
        StringBuilder san = new StringBuilder("SAN=dns:localhost");
        for (String ip : ipAddresses) {
            san.append(",ip:").append(ip);
        }
        keytool("-genkeypair", "-alias", "lvs-director", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=lvs-director test", "-ext", san.toString(), "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", password);
        keytool("-exportcert", "-rfc", "-alias", "lvs-director", "-keystore", ks.toString(), "-storepass", password,
                "-file", pem.toString());
        return new TestCertificate(ks, password, pem);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }

    /** An SSL context that trusts this certificate only. */
    public javax.net.ssl.SSLContext clientContext() throws Exception {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(certificatePem)) {
            trust.setCertificateEntry("director",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
